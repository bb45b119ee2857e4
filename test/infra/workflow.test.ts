/**
 * The sweep-run workflow in the synthesized template (docs/contract.md: Workflow, Infrastructure): a Standard state machine
 * whose Distributed Map sweeps the 16 shards, whose tasks invoke only the sweep function with
 * retries that never retry a rejected input, started daily by the schedule and by a direct run
 * low on time — and no function that can invoke a function.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_ERRORS, SWEEP_RUN_STATES } from '../../functions/contract/workflow';
import { planRun } from '../../functions/sweep/plan';
import { readStackConfig } from '../../infra/config';
import { EXECUTION_TIMEOUT } from '../../infra/constructs/sweep-run-workflow';
import { OverdueSweepStack, SWEEP_TIMEOUT } from '../../infra/stack';
import { grantsOf, logicalId, render, type Synthesized, synthesize } from './synth';

type State = Record<string, unknown> & { Type: string };
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}

let synth: Synthesized;
let stateMachine: Record<string, unknown>;
let definition: Definition;
const ids: Record<string, string> = {};

/** The definition with every function ARN rendered as `<LogicalId.Arn>`. */
function definitionOf(properties: Record<string, unknown>): Definition {
  return JSON.parse(render(properties.DefinitionString)) as Definition;
}

/** Every state, the map's item processor's included, by name. */
function allStates(states: Record<string, State>): Record<string, State> {
  const all: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    all[name] = state;
    const processor = state.ItemProcessor as { States?: Record<string, State> } | undefined;
    if (processor?.States) Object.assign(all, allStates(processor.States));
  }
  return all;
}

beforeAll(() => {
  synth = synthesize();
  const { stack } = synth;
  Object.assign(ids, {
    sweep: logicalId(stack, stack.sweep.function),
    sweepRole: logicalId(stack, stack.sweep.role),
    stateMachine: logicalId(stack, stack.workflow.stateMachine),
    stateMachineRole: logicalId(stack, stack.workflow.stateMachine.role),
    logGroup: logicalId(stack, stack.workflow.logGroup),
  });
  const resource = synth.template.toJSON().Resources[ids.stateMachine ?? ''] as {
    Properties: Record<string, unknown>;
  };
  stateMachine = resource.Properties;
  definition = definitionOf(stateMachine);
});

describe('the state machine', () => {
  it('is a Standard workflow with a fixed name, an execution timeout and ERROR logs without data', () => {
    expect(stateMachine).toMatchObject({
      StateMachineType: 'STANDARD',
      StateMachineName: 'OverdueSweep-sweep-run',
      LoggingConfiguration: {
        Level: 'ERROR',
        IncludeExecutionData: false,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [ids.logGroup, 'Arn'] } } },
        ],
      },
    });
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT.toSeconds());
  });

  it('logs to /aws/vendedlogs/states/<stack>-sweep-run, which needs no CloudWatch Logs resource policy', () => {
    const logGroup = synth.template.toJSON().Resources[ids.logGroup ?? ''] as {
      Properties: Record<string, unknown>;
      DeletionPolicy?: string;
    };
    expect(logGroup.Properties.LogGroupName).toBe('/aws/vendedlogs/states/OverdueSweep-sweep-run');
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    // A fixed name kept after the stack would stop its next create: it goes with the stack.
    expect(logGroup.DeletionPolicy).toBe('Delete');
    // The name follows the stack's.
    const other = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const renamed = new OverdueSweepStack(other, 'Sweep-Staging', {
      config: readStackConfig(other.node),
    });
    expect(Template.fromStack(renamed).toJSON().Resources).toMatchObject({
      [logicalId(renamed, renamed.workflow.logGroup)]: {
        Properties: { LogGroupName: '/aws/vendedlogs/states/Sweep-Staging-sweep-run' },
      },
    });
  });

  it('plans, then sweeps the named loans in one task or the shards in a map, then finishes', () => {
    const S = SWEEP_RUN_STATES;
    expect(definition.StartAt).toBe(S.plan);
    expect(definition.States[S.plan]?.Next).toBe(S.namedLoans);
    expect(definition.States[S.namedLoans]).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.loanIds', IsPresent: true, Next: S.sweepNamedLoans }],
      Default: S.sweepShards,
    });
    expect(definition.States[S.sweepShards]?.Next).toBe(S.finish);
    expect(definition.States[S.namedLoansFinished]?.Next).toBe(S.finish);
    expect(definition.States[S.finish]?.End).toBe(true);
  });

  it('sweeps the shards in a DISTRIBUTED map over the 16 first parts the plan answers, 16 at once, tolerating no failure', () => {
    const map = definition.States[SWEEP_RUN_STATES.sweepShards];
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.shards',
      ResultPath: '$.shards',
      MaxConcurrency: 16,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: SWEEP_RUN_STATES.sweepShardPart,
      },
    });
    // ASL's default tolerates no failed item; CDK leaves the field out when it is 0.
    expect(map?.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(map?.ToleratedFailureCount ?? 0).toBe(0);
    const plan = planRun(
      { plan: { asOf: '2026-11-28' } },
      { now: new Date('2026-11-28T01:00:00Z'), timeZone: 'Asia/Shanghai' },
    );
    expect('shards' in plan && plan.shards.map((s) => s.shard)).toEqual(
      Array.from({ length: 16 }, (_, shard) => shard),
    );
  });

  it('loops a shard (and the named loans) part by part, handing each unfinished answer on as the next part, until a part answers complete', () => {
    const S = SWEEP_RUN_STATES;
    const states = allStates(definition.States);
    expect(states[S.sweepShardPart]).toMatchObject({
      Parameters: { 'part.$': '$' },
      ResultPath: '$.answer',
      Next: S.shardSwept,
    });
    expect(states[S.shardSwept]).toMatchObject({
      Choices: [{ Variable: '$.answer.complete', BooleanEquals: true, Next: S.shardFinished }],
      Default: S.nextShardPart,
    });
    // An unfinished part's answer is the next part's input: handed on as it is, not rebuilt.
    expect(states[S.nextShardPart]).toEqual({
      Type: 'Pass',
      OutputPath: '$.answer',
      Next: S.sweepShardPart,
    });
    expect(states[S.nextNamedLoansPart]).toEqual({
      Type: 'Pass',
      OutputPath: '$.answer',
      Next: S.sweepNamedLoans,
    });
  });

  it('the maximum concurrency comes from the sweepMaxConcurrency context', () => {
    const four = synthesize({ sweepMaxConcurrency: '4' });
    const id = logicalId(four.stack, four.stack.workflow.stateMachine);
    const properties = four.template.toJSON().Resources[id].Properties;
    expect(definitionOf(properties).States[SWEEP_RUN_STATES.sweepShards]?.MaxConcurrency).toBe(4);
    expect(() => synthesize({ sweepMaxConcurrency: 17 })).toThrow(
      /sweepMaxConcurrency: 17 is not a whole number from 1 to 16/,
    );
  });
});

describe('its tasks', () => {
  const tasks = () =>
    Object.entries(allStates(definition.States)).filter(([, state]) => state.Type === 'Task');

  it('each invoke the sweep function itself, its answer as the result, and wait longer than it may run', () => {
    expect(
      tasks()
        .map(([name]) => name)
        .sort(),
    ).toEqual(
      [
        SWEEP_RUN_STATES.plan,
        SWEEP_RUN_STATES.sweepNamedLoans,
        SWEEP_RUN_STATES.sweepShardPart,
        SWEEP_RUN_STATES.finish,
      ].sort(),
    );
    for (const [name, task] of tasks()) {
      expect(task.Resource, name).toBe(`<${ids.sweep}.Arn>`);
      expect(task.TimeoutSeconds, name).toBeGreaterThan(SWEEP_TIMEOUT.toSeconds());
    }
  });

  it('retry Lambda service errors, throttling and function errors with backoff, but fail a rejected input at once', () => {
    for (const [name, task] of tasks()) {
      const retry = task.Retry as { ErrorEquals: string[]; MaxAttempts?: number }[];
      const first = (error: string) =>
        retry.find(
          (r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.TaskFailed'),
        );
      // Step Functions uses the first retrier that matches: ValidationError must meet its own.
      expect(first(SWEEP_ERRORS.validation), name).toMatchObject({
        ErrorEquals: [SWEEP_ERRORS.validation],
        MaxAttempts: 0,
      });
      expect(first('Lambda.TooManyRequestsException')?.MaxAttempts, name).toBeGreaterThan(0);
      expect(first('Error')?.MaxAttempts, name).toBeGreaterThan(0);
      const service = retry.find((r) => r.ErrorEquals.includes('Lambda.ServiceException'));
      expect(service?.MaxAttempts, name).toBeGreaterThan(0);
      for (const retrier of retry.filter((r) => (r.MaxAttempts ?? 3) > 0)) {
        expect(retrier, name).toMatchObject({ BackoffRate: 2 });
      }
    }
  });
});

describe('permissions', () => {
  it('the state machine role can invoke only the sweep function (and its versions)', () => {
    const grants = grantsOf(synth.template, ids.stateMachineRole ?? '');
    const invoking = [...grants].filter(([, actions]) => actions.has('lambda:InvokeFunction'));
    expect(invoking.map(([resource]) => resource).sort()).toEqual(
      [`<${ids.sweep}.Arn>`, `<${ids.sweep}.Arn>:*`].sort(),
    );
    for (const [, actions] of invoking) expect([...actions]).toEqual(['lambda:InvokeFunction']);
    // No other function, and no wildcard action.
    for (const actions of grants.values()) {
      for (const action of actions) expect(action).not.toMatch(/^lambda:.*\*|^\*$/);
    }
  });

  it('no function can invoke a function: no function role holds lambda:InvokeFunction', () => {
    const functions = Object.values(synth.template.findResources('AWS::Lambda::Function'));
    const roles = functions.map((f) => render(f.Properties.Role).replace(/^<(.*)\.Arn>$/, '$1'));
    expect(roles.length).toBeGreaterThanOrEqual(3);
    for (const role of roles) {
      const grants = grantsOf(synth.template, role);
      for (const [resource, actions] of grants) {
        expect(actions.has('lambda:InvokeFunction'), `${role} on ${resource}`).toBe(false);
        expect(actions.has('lambda:*'), `${role} on ${resource}`).toBe(false);
      }
    }
  });

  it('the sweep may start executions of this state machine only, named by the ARN it is given, without depending on it', () => {
    const arn = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${stateMachine.StateMachineName}`;
    const grants = grantsOf(synth.template, ids.sweepRole ?? '');
    const starting = [...grants].filter(([, actions]) => actions.has('states:StartExecution'));
    expect(starting).toEqual([[arn, new Set(['states:StartExecution'])]]);
    const sweep = synth.template.toJSON().Resources[ids.sweep ?? ''];
    expect(render(sweep.Properties.Environment.Variables.SWEEP_STATE_MACHINE_ARN)).toBe(arn);
    expect(JSON.stringify(sweep)).not.toContain(ids.stateMachine);
  });

  it('the sweep may describe executions of this state machine and its map children only, without depending on it', () => {
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachine.StateMachineName}`;
    const grants = grantsOf(synth.template, ids.sweepRole ?? '');
    const describing = [...grants].filter(([, actions]) => actions.has('states:DescribeExecution'));
    expect(describing.sort()).toEqual([
      [`${executions}/*`, new Set(['states:DescribeExecution'])],
      [`${executions}:*`, new Set(['states:DescribeExecution'])],
    ]);
  });

  it('every task tells the function which execution sends it', () => {
    const tasks = Object.values(allStates(definition.States)).filter((s) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const task of tasks) {
      // payloadResponseOnly: the task's parameters are the function's payload.
      expect(task.Parameters).toMatchObject({
        'execution.$': '$$.Execution.Id',
      });
    }
  });
});

describe('alarms', () => {
  it.each([
    ['SweepRunFailed', 'ExecutionsFailed'],
    ['SweepRunTimedOut', 'ExecutionsTimedOut'],
    ['SweepRunAborted', 'ExecutionsAborted'],
  ])('%s alarms on %s of the state machine, notifying the alarm topic', (name, metric) => {
    const alarm = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .find((a) => a.MetricName === metric);
    expect(alarm).toMatchObject({
      AlarmName: `OverdueSweep-${name}`,
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: ids.stateMachine } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: logicalId(synth.stack, synth.stack.alarms.topic) }],
    });
  });
});

/**
 * The sweep-run workflow (docs/contract.md, Workflow): a Standard state machine that plans a run, sweeps the 16
 * index shards in a Distributed Map — each shard a loop of parts on the cursor the function
 * returns — or the named loans of a `loanIds` run in one task, then finishes the run (summary and
 * `sweep.completed`). Every task invokes the sweep function (functions/sweep/plan.ts, part.ts,
 * finish.ts; their payloads and answers: wire.ts); the order, the loops, the retries and the fan-out
 * live here, in the engine.
 *
 *   Plan ─▶ Named loans? ─ yes ─▶ Sweep named loans ⟲ (while incomplete) ─▶ Named loans swept ─┐
 *                        └ no ──▶ Sweep shards (Distributed Map: Sweep shard part ⟲) ──────────┴▶ Finish
 *
 * The local run (local/workflow.ts) executes this very definition, taken from the
 * synthesized template.
 */
import {
  ArnFormat,
  type CfnElement,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, type IConstruct } from 'constructs';
import { EXECUTION_FIELD, SWEEP_ERRORS, SWEEP_RUN_STATES } from '../../functions/contract/workflow';
import { LOG_RETENTION } from './service-function';

/** An execution still running after this long is stopped as timed out (and alarms). */
export const EXECUTION_TIMEOUT = Duration.hours(12);

/** Retries of a task whose function failed or was throttled (besides Lambda service errors). */
export const FUNCTION_ERROR_RETRY = { interval: 5, backoffRate: 2, maxAttempts: 3 } as const;
export const THROTTLING_RETRY = { interval: 2, backoffRate: 2, maxAttempts: 8 } as const;

export interface SweepRunWorkflowProps {
  readonly sweepFunction: lambda.IFunction;
  /** The function's timeout; each task waits a minute longer before it gives up. */
  readonly functionTimeout: Duration;
  /** Shards swept at once, 1–16. */
  readonly maxConcurrency: number;
}

/** The state machine of a whole run, its log group, and the alarms it needs. */
export class SweepRunWorkflow extends Construct {
  /**
   * The state machine's name, fixed per stack, so its ARN is known before it exists: the sweep
   * function (which the state machine invokes) can carry it and be allowed to start executions
   * without a dependency cycle.
   */
  static stateMachineNameOf(stack: Stack): string {
    return `${stack.stackName}-sweep-run`;
  }

  /** The workflow's log group: `/aws/vendedlogs/states/<stack>-sweep-run`. */
  static logGroupNameOf(stack: Stack): string {
    return `/aws/vendedlogs/states/${SweepRunWorkflow.stateMachineNameOf(stack)}`;
  }

  readonly stateMachine: sfn.StateMachine;
  /** The state machine's ARN built from its fixed name (no reference to the resource). */
  readonly stateMachineArn: string;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SweepRunWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stateMachineName = SweepRunWorkflow.stateMachineNameOf(stack);
    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const invoke = (stateName: string, payload: Record<string, unknown>, resultPath?: string) => {
      const task = new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: props.sweepFunction,
        // The function's answer is the task's result (Resource = the function's ARN).
        payloadResponseOnly: true,
        // Every step names the execution sending it: the function refuses a step unless Step
        // Functions says that execution of this state machine is running (functions/sweep/execution.ts).
        payload: sfn.TaskInput.fromObject({
          ...payload,
          [`${EXECUTION_FIELD}.$`]: '$$.Execution.Id',
        }),
        taskTimeout: sfn.Timeout.duration(props.functionTimeout.plus(Duration.minutes(1))),
        ...(resultPath && { resultPath }),
      });
      // First matching retrier wins: a rejected input fails at once; throttling backs off longer;
      // any other function error (a crash, a timeout, DynamoDB still throttling after the SDK's
      // retries) is retried too — every step is idempotent. Lambda service errors are retried by
      // the task's own default retrier.
      task.addRetry({ errors: [SWEEP_ERRORS.validation], maxAttempts: 0 });
      task.addRetry({
        errors: ['Lambda.TooManyRequestsException'],
        interval: Duration.seconds(THROTTLING_RETRY.interval),
        backoffRate: THROTTLING_RETRY.backoffRate,
        maxAttempts: THROTTLING_RETRY.maxAttempts,
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        errors: [sfn.Errors.TASKS_FAILED],
        interval: Duration.seconds(FUNCTION_ERROR_RETRY.interval),
        backoffRate: FUNCTION_ERROR_RETRY.backoffRate,
        maxAttempts: FUNCTION_ERROR_RETRY.maxAttempts,
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };
    const S = SWEEP_RUN_STATES;

    const plan = invoke(S.plan, { 'plan.$': '$' });
    const finish = invoke(S.finish, {
      'finish.$': '$',
      'startedAt.$': '$$.Execution.StartTime',
    });

    // A part's state is exactly its input (functions/sweep/wire.ts); its answer goes beside it.
    // An unfinished part's answer is the next part's input, handed on as it is until the answer
    // says the work is complete.
    const namedLoansPart = invoke(S.sweepNamedLoans, { 'part.$': '$' }, '$.answer');
    namedLoansPart.next(
      new sfn.Choice(this, S.namedLoansSwept, { stateName: S.namedLoansSwept })
        .when(
          sfn.Condition.booleanEquals('$.answer.complete', true),
          new sfn.Pass(this, S.namedLoansFinished, {
            stateName: S.namedLoansFinished,
            parameters: {
              'runId.$': '$.runId',
              'asOf.$': '$.asOf',
              'dryRun.$': '$.dryRun',
              'shards.$': 'States.Array($.answer)',
            },
          }).next(finish),
        )
        .otherwise(
          new sfn.Pass(this, S.nextNamedLoansPart, {
            stateName: S.nextNamedLoansPart,
            outputPath: '$.answer',
          }).next(namedLoansPart),
        ),
    );

    const shardPart = invoke(S.sweepShardPart, { 'part.$': '$' }, '$.answer');
    shardPart.next(
      new sfn.Choice(this, S.shardSwept, { stateName: S.shardSwept })
        .when(
          sfn.Condition.booleanEquals('$.answer.complete', true),
          new sfn.Pass(this, S.shardFinished, {
            stateName: S.shardFinished,
            outputPath: '$.answer',
          }),
        )
        .otherwise(
          new sfn.Pass(this, S.nextShardPart, {
            stateName: S.nextShardPart,
            outputPath: '$.answer',
          }).next(shardPart),
        ),
    );

    // Each item is its shard's first part (plan.ts); the results replace the items, so the
    // state after the map is the finish's input.
    const shards = new sfn.DistributedMap(this, S.sweepShards, {
      stateName: S.sweepShards,
      itemsPath: '$.shards',
      resultPath: '$.shards',
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: 0,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      label: 'SweepShards',
    });
    shards.itemProcessor(shardPart);
    shards.next(finish);

    const definition = plan.next(
      new sfn.Choice(this, S.namedLoans, { stateName: S.namedLoans })
        .when(sfn.Condition.isPresent('$.loanIds'), namedLoansPart)
        .otherwise(shards),
    );

    // Under /aws/vendedlogs/, Step Functions needs no statement in the account's CloudWatch Logs
    // resource policy, which is capped at 5,120 characters and fills up in a busy account (the
    // state machine's creation then fails). A fixed name cannot be kept after the stack: a kept
    // group would stop the next create of the stack (or a retry after a failed first deploy), so
    // it goes with the state machine, whose execution history goes too.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: SweepRunWorkflow.logGroupNameOf(stack),
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment:
        'overdue-sweep: one business day — plan, the 16 index shards in parallel, finish (docs/contract.md, Workflow)',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: EXECUTION_TIMEOUT,
      // Errors only (ALL would log every transition of every part); no states' data (the
      // execution history in the console already shows inputs and outputs to those allowed).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
    });
    this.acknowledgeFindings(props.sweepFunction);
  }

  /** cdk-nag findings on the state machine that we accept, each with its reason. */
  private acknowledgeFindings(sweepFunction: lambda.IFunction): void {
    const stack = Stack.of(this);
    const logicalId = (construct: IConstruct) =>
      stack.getLogicalId(construct.node.defaultChild as CfnElement);
    const functionId = logicalId(sweepFunction);
    const stateMachineId = logicalId(this.stateMachine);
    // How cdk-nag renders the executions of this state machine in a finding: a pseudo parameter
    // as `<AWS::Region>`, or its value where the stack is bound to a region (`-c region=…`).
    const rendered = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<${pseudo}>` : value;
    const partition = rendered(stack.partition, 'AWS::Partition');
    const region = rendered(stack.region, 'AWS::Region');
    const executions = `arn:${partition}:states:${region}:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stateMachineId}"}]}]}`;
    Validations.of(this.stateMachine).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason:
          'The Lambda task grant covers the sweep function and its versions/aliases (`:*`); the wildcard names qualifiers of that one function, the only function the workflow invokes.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'CloudWatch Logs delivery for Step Functions (logs:CreateLogDelivery, PutResourcePolicy, …) supports no resource-level permissions; these actions are all the statement holds.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
        reason:
          'The Distributed Map describes and stops its child executions, whose names Step Functions generates; the wildcard covers executions of this state machine only.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}/SweepShards:*]`,
        reason:
          'A redrive of the Distributed Map redrives its Map Run (label SweepShards), whose id Step Functions generates; the wildcard covers that Map Run of this state machine only.',
      },
      {
        id: 'AwsSolutions-SF1',
        reason:
          'Logs at ERROR level, for cost and noise: ALL would log every state transition of every shard part, and each log event is billed, without more than the console’s execution history already shows. includeExecutionData: false keeps the states’ inputs and outputs (run summaries, cursors, named loan ids) out of the log group; loan ids themselves may appear in logs, and the functions log them with each skip.',
      },
      {
        id: 'AwsSolutions-SF2',
        reason:
          'The sweep function is not traced with X-Ray, so a trace would show only the state machine; the execution graph, the Map Run view and the per-shard figures in the output give ops the run, and tracing would add wildcard X-Ray grants.',
      },
    );
  }

  /**
   * The alarms ops need on the workflow, by id (the runbook's `<stack>-<id>`): an execution that
   * failed, timed out or was aborted, ≥ 1 in 5 minutes.
   */
  alarms(): Record<string, cloudwatch.AlarmProps> {
    const period = Duration.minutes(5);
    const statistic = cloudwatch.Stats.SUM;
    const alarm = (metric: cloudwatch.Metric, what: string): cloudwatch.AlarmProps => ({
      alarmDescription: `A sweep-run execution ${what}: open it in the Step Functions console, then redrive it (docs/runbook.md).`,
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return {
      SweepRunFailed: alarm(this.stateMachine.metricFailed({ period, statistic }), 'failed'),
      SweepRunTimedOut: alarm(this.stateMachine.metricTimedOut({ period, statistic }), 'timed out'),
      SweepRunAborted: alarm(this.stateMachine.metricAborted({ period, statistic }), 'was aborted'),
    };
  }
}

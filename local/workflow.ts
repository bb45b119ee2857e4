/**
 * The sweep-run workflow on this machine (docs/contract.md, Running it): the state machine definition the stack
 * synthesizes — taken from the template, never a copy kept by hand — executed by the States-language
 * interpreter `aws-local-stepfunctions`, its Lambda tasks calling local functions (the real sweep
 * handler) as Lambda would: the input and the answer go through JSON, a thrown error surfaces with
 * its name, so the definition's Retry rules match as they do on AWS.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { SWEEP_RUN_STATES } from '../functions/contract/workflow';
import { MS_PER_MINUTE, wallClockOf } from '../functions/core/dates';
import type { BusinessDate } from '../functions/core/types';
import {
  DEFAULT_SCHEDULE_TIME,
  parseTimeOfDay,
  readStackConfig,
  type TimeOfDay,
} from '../infra/config';
import { OverdueSweepStack } from '../infra/stack';
import { localExecutionEnded, localExecutionStarted } from './local-executions';

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+); Node 20 lacks it, so add it here.
if (!('withResolvers' in Promise))
  Object.assign(Promise, {
    withResolvers: () => {
      let resolve: unknown;
      let reject: unknown;
      const promise = new Promise((a, b) => {
        resolve = a;
        reject = b;
      });
      return { promise, resolve, reject };
    },
  }); // prettier-ignore

/** Step Functions' limit on an execution's input and on a state's data: 256 KiB of UTF-8. */
export const STATE_DATA_LIMIT_BYTES = 256 * 1024;

/** The account, region and partition the local ARNs name. */
const LOCAL = { partition: 'aws', region: 'us-east-1', account: '000000000000' } as const;
const STACK_NAME = 'OverdueSweep';

/** The synthesized workflow, with the ARNs of its functions resolved to local ones. */
export interface LocalWorkflow {
  readonly definition: StateMachineDefinition;
  /** The interpreter's state machine, its definition validated once (as a deployment would). */
  readonly machine: StateMachine;
  readonly stateMachineArn: string;
  /** The sweep function's ARN as the definition's tasks name it. */
  readonly sweepFunctionArn: string;
}

/** A Lambda function on this machine: its event in, its answer out (or a thrown error). */
export type LocalFunction = (event: unknown) => Promise<unknown>;

/** The local ARN of a function of the stack, by its logical id. */
const functionArnOf = (logicalId: string) =>
  `arn:${LOCAL.partition}:lambda:${LOCAL.region}:${LOCAL.account}:function:${STACK_NAME}-${logicalId}`;

/** Resolves the CloudFormation expressions a definition string is made of. */
function resolveIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  const record = (value ?? {}) as Record<string, unknown>;
  const join = record['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map(resolveIntrinsic).join(separator);
  }
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return functionArnOf(String(getAtt[0]));
  const pseudo: Record<string, string> = {
    'AWS::Partition': LOCAL.partition,
    'AWS::Region': LOCAL.region,
    'AWS::AccountId': LOCAL.account,
  };
  if (typeof record.Ref === 'string' && pseudo[record.Ref]) return pseudo[record.Ref] as string;
  throw new Error(`the state machine definition refers to ${JSON.stringify(value)}, unknown here`);
}

/**
 * Synthesizes the stack in-process, as `cdk synth` would with cdk.json's context but without
 * bundling the functions, and takes the sweep-run state machine's definition from the template.
 * The template is not checked against CloudFormation's default rules here (`cdk synth` and the
 * infra tests do that): the check takes most of a synthesis and cannot change the definition.
 */
export function synthesizedWorkflow(context: Record<string, unknown> = {}): LocalWorkflow {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const app = new App({
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:validateAgainstDefaultRules': false,
      ...context,
    },
  });
  const stack = new OverdueSweepStack(app, STACK_NAME, { config: readStackConfig(app.node) });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new Error(`expected one state machine, found ${machines.length}`);
  const properties = machines[0]?.Properties ?? {};
  const definition = JSON.parse(
    resolveIntrinsic(properties.DefinitionString),
  ) as StateMachineDefinition;
  const sweepId = stack.getLogicalId(stack.sweep.function.node.defaultChild as CfnElement);
  return {
    definition,
    machine: new StateMachine(definition),
    stateMachineArn: `arn:${LOCAL.partition}:states:${LOCAL.region}:${LOCAL.account}:stateMachine:${String(properties.StateMachineName)}`,
    sweepFunctionArn: functionArnOf(sweepId),
  };
}

/** Every Task state of the definition, the map's item processor's included: name → resource. */
function taskStates(states: StateMachineDefinition['States']): Map<string, string> {
  const tasks = new Map<string, string>();
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') tasks.set(name, state.Resource);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      for (const [inner, resource] of taskStates(processor?.States ?? {}))
        tasks.set(inner, resource);
    }
  }
  return tasks;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

/** An error as Step Functions sees a Lambda function's: its name is the error, its cause JSON. */
function lambdaError(error: unknown): Error {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(JSON.stringify({ errorType, errorMessage })), { name: errorType });
}

/** A state's data over 256 KiB: on AWS the execution fails, and no retrier or catcher matches. */
function dataLimitExceeded(what: string, bytes: number): Error {
  return Object.assign(
    new Error(`${what} is ${bytes} bytes, over the ${STATE_DATA_LIMIT_BYTES}-byte limit`),
    { name: 'States.DataLimitExceeded', isRetryable: false, isCatchable: false },
  );
}

/** Calls `fn` as Lambda would: JSON in, JSON out, errors by name. */
async function invokeLocally(fn: LocalFunction, input: unknown): Promise<unknown> {
  let answer: unknown;
  try {
    answer = await fn(JSON.parse(JSON.stringify(input ?? null)));
  } catch (error) {
    throw lambdaError(error);
  }
  const result = JSON.parse(JSON.stringify(answer ?? null)) as unknown;
  const bytes = jsonBytes(result);
  if (bytes > STATE_DATA_LIMIT_BYTES) throw dataLimitExceeded('the task result', bytes);
  return result;
}

/** What a state machine's event log reports (the library's event, in the fields we read). */
export interface WorkflowEvent {
  readonly type: string;
  readonly timestamp: number;
  /** The map iteration (shard item) the event belongs to. */
  readonly index?: number;
  readonly state?: { readonly name: string; readonly input?: unknown; readonly output?: unknown };
  readonly Error?: string;
  readonly Cause?: unknown;
}

/** How an execution ended. */
export type WorkflowResult =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string }
  | { readonly status: 'TIMED_OUT' | 'ABORTED' };

export interface WorkflowRunOptions {
  /** The execution's name; its ARN ends with it. */
  readonly name?: string;
  /** Told every event of the execution as it happens (progress). */
  readonly onEvent?: (event: WorkflowEvent) => void;
  /**
   * Waits before a retry, milliseconds, instead of the definition's intervals (which are meant for
   * AWS: seconds to minutes). The rules — which errors, how many attempts — stay the definition's.
   */
  readonly retryIntervalMs?: number;
}

/** A started execution. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly result: Promise<WorkflowResult>;
}

/**
 * Starts an execution of `workflow` with `input`, each Lambda task answered by `functions[arn]`.
 * @throws when the definition names a function that `functions` lacks, or the input is over 256 KiB.
 */
export function startExecution(
  workflow: LocalWorkflow,
  functions: Readonly<Record<string, LocalFunction>>,
  input: unknown,
  options: WorkflowRunOptions = {},
): LocalExecution {
  const inputBytes = jsonBytes(input);
  if (inputBytes > STATE_DATA_LIMIT_BYTES)
    throw dataLimitExceeded('the execution input', inputBytes);
  const handlers: NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'] = {};
  const retryIntervals: Record<string, number> = {};
  for (const [name, resource] of taskStates(workflow.definition.States)) {
    const fn = functions[resource];
    if (!fn) throw new Error(`no local function for task "${name}" (${resource})`);
    handlers[name] = async (taskInput) => (await invokeLocally(fn, taskInput)) as never;
    if (options.retryIntervalMs !== undefined) retryIntervals[name] = options.retryIntervalMs;
  }
  const name = options.name ?? `local-${Date.now()}`;
  const executionArn = `${workflow.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  localExecutionStarted(executionArn);
  const execution = workflow.machine.run(JSON.parse(JSON.stringify(input ?? {})), {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retryIntervals },
    context: { Execution: { Id: executionArn, Name: name } },
  });
  // The log is always read: unread, it would keep every state's input and output until the end.
  const events = (async () => {
    for await (const event of execution.eventLogs) options.onEvent?.(event as WorkflowEvent);
  })();
  const result = (async (): Promise<WorkflowResult> => {
    try {
      const output = await execution.result;
      return { status: 'SUCCEEDED', output };
    } catch (error) {
      if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' };
      if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
      if (error instanceof ExecutionError && error.cause instanceof Error) {
        return { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
      }
      throw error;
    } finally {
      localExecutionEnded(executionArn);
      await events;
    }
  })();
  return { executionArn, result };
}

/** Options of a local Lambda function. */
export interface LocalFunctionOptions {
  readonly functionName?: string;
  /** The function's timeout: `getRemainingTimeInMillis` counts down from it (default 15 minutes). */
  readonly timeoutMs?: number;
}

let invocations = 0;

/**
 * A Lambda handler as a local function: each call gets its own context, whose remaining time
 * counts down from the function's timeout as on Lambda.
 */
export function localFunction(
  handler: (event: unknown, context: Context) => Promise<unknown>,
  options: LocalFunctionOptions = {},
): LocalFunction {
  const functionName = options.functionName ?? 'sweep';
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;
  return (event) => {
    const started = Date.now();
    invocations += 1;
    const context: Context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArnOf(functionName),
      memoryLimitInMB: '1024',
      awsRequestId: `local-${started}-${invocations}`,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
    return handler(event, context);
  };
}

/** What the map's shard loops have done so far, by shard: for progress displays. */
export interface ShardProgress {
  parts: number;
  loansExamined: number;
  complete: boolean;
  durationMs: number;
}

/**
 * Reads an execution's events into per-shard progress: each shard part's answer (its state's
 * output) says the shard's loans so far and whether it is done.
 */
export function shardProgressTracker(
  onChange: (shards: ReadonlyMap<number, ShardProgress>) => void,
) {
  const shards = new Map<number, ShardProgress>();
  return (event: WorkflowEvent) => {
    if (event.type !== 'StateExited' || event.state?.name !== SWEEP_RUN_STATES.sweepShardPart)
      return;
    const answer = (event.state.output as { answer?: Record<string, unknown> } | undefined)?.answer;
    if (typeof answer?.shard !== 'number') return;
    const totals = answer.totals as { loansExamined?: number } | undefined;
    const previous = shards.get(answer.shard);
    shards.set(answer.shard, {
      parts: (previous?.parts ?? 0) + 1,
      loansExamined: totals?.loansExamined ?? 0,
      complete: answer.complete === true,
      durationMs: typeof answer.durationMs === 'number' ? answer.durationMs : 0,
    });
    onChange(shards);
  };
}

/** The instant a wall clock in `timeZone` shows `time` on business date `date`. */
function instantOfWallTime(date: BusinessDate, time: TimeOfDay, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(year, month - 1, day, time.hour, time.minute);
  // The zone's offset at the guess, then at the corrected instant (they differ around a DST change).
  let instant = wall - wallClockOf(wall, timeZone).offsetMinutes * MS_PER_MINUTE;
  instant = wall - wallClockOf(instant, timeZone).offsetMinutes * MS_PER_MINUTE;
  return new Date(instant);
}

/**
 * The execution input of business date `asOf`, as the daily schedule would send it (its
 * `scheduledTime` at the schedule's wall time) once that instant has passed — the function rejects
 * a scheduled time in the future; before then, an operator's `{"asOf"}`. A dry run is an
 * operator's request either way.
 */
export function dayExecutionInput(
  asOf: BusinessDate,
  options: { dryRun: boolean; timeZone: string; now: Date; scheduleTime?: TimeOfDay },
): Record<string, unknown> {
  if (options.dryRun) return { asOf, dryRun: true };
  const time = options.scheduleTime ?? parseTimeOfDay(DEFAULT_SCHEDULE_TIME);
  const scheduled = time && instantOfWallTime(asOf, time, options.timeZone);
  return scheduled && scheduled.getTime() <= options.now.getTime()
    ? { scheduledTime: scheduled.toISOString() }
    : { asOf };
}

/**
 * Where a workflow step comes from (docs/contract.md, Input): every plan, part and finish carries
 * the id of the execution that sends it (`execution`, the state machine's `$$.Execution.Id`), and
 * is refused unless that is an execution of the sweep-run state machine this function knows (its
 * `SWEEP_STATE_MACHINE_ARN`) and Step Functions says it is running. A step typed into the Lambda
 * console, or replayed after its execution ended, is thereby refused; an operator's payload (a
 * direct run) is not a step and needs none.
 */
import { EXECUTION_FIELD } from '../contract/workflow';
import { quoted } from '../core/values';

/** Longest execution ARN Step Functions makes, in characters. */
const MAX_EXECUTION_ARN_CHARS = 2048;

/** A workflow step split into the execution it names and the step itself. */
export interface SteppedEvent {
  readonly execution: unknown;
  readonly step: Record<string, unknown>;
}

/** Takes the `execution` field off a step's payload. */
export function splitExecution(event: Record<string, unknown>): SteppedEvent {
  const { [EXECUTION_FIELD]: execution, ...step } = event;
  return { execution, step };
}

/**
 * The problem with `execution` as an execution of `stateMachineArn`, if any, before Step
 * Functions is asked: its ARN must name that state machine (in its account and region), either
 * an execution of it or a child execution of its Distributed Map (`<name>/<map run>:<id>`).
 */
export function executionProblem(
  execution: unknown,
  stateMachineArn: string | undefined,
): string | undefined {
  const field = EXECUTION_FIELD;
  if (execution === undefined) return `${field}: missing; a workflow step names its execution`;
  if (typeof execution !== 'string' || execution.length > MAX_EXECUTION_ARN_CHARS) {
    return `${field}: not an execution ARN`;
  }
  if (stateMachineArn === undefined) {
    return `${field}: this function knows no sweep-run state machine to check it against`;
  }
  const prefix = stateMachineArn.replace(':stateMachine:', ':execution:');
  const rest = execution.startsWith(prefix) ? execution.slice(prefix.length) : '';
  if (!/^(\/[^\s:/]+)?:[^\s:/]+$/.test(rest)) {
    return `${field}: ${quoted(execution)} is not an execution of the sweep-run state machine`;
  }
  return undefined;
}

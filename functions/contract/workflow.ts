/**
 * What the sweep function and the sweep-run state machine both name: the workflow's states (the
 * console's graph, the local run's progress) and the errors the function throws that the state
 * machine's retriers and catchers match on (docs/contract.md, Workflow).
 */
import { SWEEP_SHARDS } from './tables';

/** Names of the workflow's states. */
export const SWEEP_RUN_STATES = {
  plan: 'Plan',
  namedLoans: 'Named loans?',
  sweepNamedLoans: 'Sweep named loans',
  namedLoansSwept: 'Named loans swept?',
  nextNamedLoansPart: 'Next named loans part',
  namedLoansFinished: 'Named loans finished',
  sweepShards: 'Sweep shards',
  sweepShardPart: 'Sweep shard part',
  shardSwept: 'Shard swept?',
  nextShardPart: 'Next shard part',
  shardFinished: 'Shard finished',
  finish: 'Finish',
} as const;

/**
 * The field of every workflow step's payload (plan, part, finish) that carries the id of the
 * execution sending it (`$$.Execution.Id`): the function checks with Step Functions that this
 * execution of the sweep-run state machine is running before it reads or writes anything.
 */
export const EXECUTION_FIELD = 'execution';

/** Error names (`Error.name`, Step Functions' `ErrorEquals`) of the sweep function. */
export const SWEEP_ERRORS = {
  /** An input the function rejects: retrying cannot help, so the workflow fails fast. */
  validation: 'ValidationError',
} as const;

/** Shards the workflow's map sweeps at once when the deployment does not say: all of them. */
export const DEFAULT_MAX_CONCURRENCY = SWEEP_SHARDS;

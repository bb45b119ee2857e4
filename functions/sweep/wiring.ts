/**
 * The one assembly of the sweep (STYLE: one wiring). The handler, `npm start`, the bench and the
 * tests all build the sweep here; they vary the clients and the configuration, never the assembly.
 * This is the only module of `functions/sweep/` that knows the adapters.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { documentClient } from '../adapters/dynamodb';
import { createLoanBook } from '../adapters/loan-book';
import type { RetryPolicy } from '../adapters/retry';
import {
  createStepFunctionsExecutionCheck,
  createStepFunctionsHandOff,
} from '../adapters/step-functions';
import type { SweepConfig } from './config';
import type { ExecutionCheck, RunHandOff } from './ports';
import type { SweepTuning } from './run';
import { createSweepService, type InvocationReport, type SweepService } from './service';
import type { SweepLog } from './sweep-loan';

/** The AWS clients the sweep talks through (endpoints from the SDK's own variables). */
export interface SweepClients {
  readonly dynamodb: DynamoDBClient;
  /** Step Functions: a direct run low on time starts a workflow execution with the rest. */
  readonly sfn?: SFNClient;
  /**
   * Starts workflow executions instead of `sfn` (the local run's interpreter); like `sfn`, used only
   * when the configuration names the state machine.
   */
  readonly handOff?: RunHandOff;
  /**
   * Answers whether a workflow execution is running instead of `sfn` (the local run's
   * interpreter); like `sfn`, used only when the configuration names the state machine.
   */
  readonly executions?: ExecutionCheck;
}

/** What callers may vary besides clients and configuration. */
export interface SweepOptions {
  readonly log?: SweepLog;
  readonly clock?: () => Date;
  readonly tuning?: Partial<SweepTuning>;
  /** Told what each invocation did (the handler emits metrics from it). */
  readonly report?: (report: InvocationReport) => void;
  /** Retries of BatchGet keys left unprocessed. */
  readonly batchRetry?: RetryPolicy;
}

const silent: SweepLog = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The AWS clients of a deployed sweep: one per service for the life of the execution
 * environment, their endpoints from the SDK's own AWS_ENDPOINT_URL_* variables.
 */
export function awsClients(): SweepClients {
  return { dynamodb: new DynamoDBClient({}), sfn: new SFNClient({}) };
}

/** Builds the sweep on `clients` for `config`. */
export function createSweep(
  clients: SweepClients,
  config: SweepConfig,
  options: SweepOptions = {},
): SweepService {
  const book = createLoanBook(
    documentClient(clients.dynamodb, { exactNumbers: true }),
    { loans: config.loansTableName, ledger: config.ledgerTableName },
    options.batchRetry ? { batchRetry: options.batchRetry } : {},
  );
  const { stateMachineArn } = config;
  const handOff =
    stateMachineArn === undefined
      ? undefined
      : (clients.handOff ??
        (clients.sfn && createStepFunctionsHandOff(clients.sfn, stateMachineArn)));
  const executions =
    stateMachineArn === undefined
      ? undefined
      : (clients.executions ?? (clients.sfn && createStepFunctionsExecutionCheck(clients.sfn)));
  return createSweepService({
    book,
    ...(handOff && { handOff }),
    ...(stateMachineArn && executions && { workflow: { stateMachineArn, executions } }),
    policyBook: config.policyBook,
    timeZone: config.businessTimeZone,
    log: options.log ?? silent,
    clock: options.clock ?? (() => new Date()),
    ...(options.tuning && { tuning: options.tuning }),
    ...(options.report && { report: options.report }),
  });
}

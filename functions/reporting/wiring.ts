/**
 * The one assembly of the reporting function (one wiring): the handler, the local run and the
 * tests all build it here; they vary the clients and the configuration, never the assembly. This is
 * the only module of `functions/reporting/` that knows the adapters.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../adapters/dynamodb';
import { createReportStore } from '../adapters/report-store';
import type { ReportingConfig } from './config';
import type { ReportingObserver } from './ports';
import { createReportingService, type ReportingService } from './service';

/** The AWS clients the reporting function talks through (endpoints from the SDK's variables). */
export interface ReportingClients {
  readonly dynamodb: DynamoDBClient;
}

/** What callers may vary besides clients and configuration. */
export interface ReportingOptions {
  /** Told what each batch came to (the handler logs it and emits metrics). */
  readonly observer?: ReportingObserver;
  readonly clock?: () => Date;
  /** Waits `ms` milliseconds between conflicting commits (tests pass one that does not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Commit attempts on write conflicts before the messages are failed. */
  readonly maxConflictAttempts?: number;
}

/** The AWS clients of a deployed reporting function: one for the life of the environment. */
export function awsClients(): ReportingClients {
  return { dynamodb: new DynamoDBClient({}) };
}

/** Builds the reporting function on `clients` for `config`. */
export function createReporting(
  clients: ReportingClients,
  config: ReportingConfig,
  options: ReportingOptions = {},
): ReportingService {
  // Report items hold counts and minor units only: plain numbers are exact here.
  const doc = documentClient(clients.dynamodb, { exactNumbers: false });
  return createReportingService({
    store: createReportStore(doc, config.reportsTableName, config.creditRecordsTableName),
    observer: options.observer ?? (() => {}),
    now: options.clock ?? (() => new Date()),
    ...(options.sleep && { sleep: options.sleep }),
    ...(options.maxConflictAttempts !== undefined && {
      maxConflictAttempts: options.maxConflictAttempts,
    }),
  });
}

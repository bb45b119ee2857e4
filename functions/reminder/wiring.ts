/**
 * The one assembly of the reminder function (one wiring): the handler, the local run, the bench
 * and the tests all build it here; they vary the clients and the configuration, never the
 * assembly. This is the only module of `functions/reminder/` that knows the adapters.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { coalescedBatchGet } from '../adapters/batch-get';
import { documentClient } from '../adapters/dynamodb';
import { createReminderLoanReader } from '../adapters/reminder-loans';
import { createReminderStore } from '../adapters/reminder-store';
import type { ReminderConfig } from './config';
import type { LoanReader, ReminderObserver, ReminderStore } from './ports';
import { createReminderService, type ReminderService } from './service';

/** The AWS clients the reminder function talks through (endpoints from the SDK's variables). */
export interface ReminderClients {
  readonly dynamodb: DynamoDBClient;
}

/** What callers may vary besides clients and configuration. */
export interface ReminderOptions {
  /** Told what each batch came to (the handler logs it and emits metrics). */
  readonly observer?: ReminderObserver;
  readonly clock?: () => Date;
  /** Waits `ms` milliseconds between conflicting writes (tests pass one that does not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Write attempts per borrower on conflicts before their messages are failed. */
  readonly maxConflictAttempts?: number;
  /** Wraps the adapters (fault injection in tests); identity by default. */
  readonly decorate?: {
    readonly loans?: (loans: LoanReader) => LoanReader;
    readonly store?: (store: ReminderStore) => ReminderStore;
  };
}

/** The AWS clients of a deployed reminder function: one for the life of the environment. */
export function awsClients(): ReminderClients {
  return { dynamodb: new DynamoDBClient({}) };
}

/** Builds the reminder function on `clients` for `config`. */
export function createReminder(
  clients: ReminderClients,
  config: ReminderConfig,
  options: ReminderOptions = {},
): ReminderService {
  // Loans are read with exact numbers (rates are decimals); reminders hold minor units and day
  // counts only, plain numbers. lib-dynamodb keeps these settings per document client. A batch's
  // loans and reminders are read in one BatchGetItem (exact numbers; the reminder codec reads
  // those too).
  const batchGet = coalescedBatchGet(documentClient(clients.dynamodb, { exactNumbers: true }));
  const loans = createReminderLoanReader(batchGet, config.loansTableName);
  const store = createReminderStore(
    documentClient(clients.dynamodb, { exactNumbers: false }),
    config.remindersTableName,
    batchGet,
  );
  return createReminderService({
    loans: options.decorate?.loans?.(loans) ?? loans,
    store: options.decorate?.store?.(store) ?? store,
    policyBook: config.policyBook,
    contactPolicy: config.contactPolicy,
    timeZone: config.businessTimeZone,
    now: options.clock ?? (() => new Date()),
    observer: options.observer ?? (() => {}),
    ...(options.sleep && { sleep: options.sleep }),
    ...(options.maxConflictAttempts !== undefined && {
      maxConflictAttempts: options.maxConflictAttempts,
    }),
  });
}

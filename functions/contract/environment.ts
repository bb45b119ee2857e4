/**
 * The environment variables of the product's functions: each name once, and the variables each
 * function reads (docs/contract.md, Infrastructure). A function's config loader reads exactly its
 * list; the stack sets exactly those, so the two cannot drift.
 */

/** Every environment variable a function of the product reads. */
export const ENV = {
  loansTable: 'LOANS_TABLE_NAME',
  ledgerTable: 'LEDGER_TABLE_NAME',
  remindersTable: 'REMINDERS_TABLE_NAME',
  reportsTable: 'REPORTS_TABLE_NAME',
  creditRecordsTable: 'CREDIT_RECORDS_TABLE_NAME',
  eventsTopicArn: 'EVENTS_TOPIC_ARN',
  businessTimeZone: 'BUSINESS_TIMEZONE',
  feePolicy: 'FEE_POLICY',
  /** The reminder's contact window and weekly cap (optional JSON). */
  contactPolicy: 'CONTACT_POLICY',
  stateMachineArn: 'SWEEP_STATE_MACHINE_ARN',
} as const;

/** The name of one of the product's environment variables. */
export type EnvVar = (typeof ENV)[keyof typeof ENV];

/** The variables that carry a table's name to the functions. */
export type TableEnvVar =
  | typeof ENV.loansTable
  | typeof ENV.ledgerTable
  | typeof ENV.remindersTable
  | typeof ENV.reportsTable
  | typeof ENV.creditRecordsTable;

/** The variables each function reads; optional ones may be left unset. */
export const FUNCTION_ENV = {
  // No topic: the sweep records its events (and sweep.completed) in the loans table.
  sweep: [
    ENV.loansTable,
    ENV.ledgerTable,
    ENV.businessTimeZone,
    ENV.feePolicy,
    ENV.stateMachineArn,
  ],
  // The fee policy's arrears tolerance says which instalments are unpaid (the unreachable-loan check).
  publisher: [ENV.eventsTopicArn, ENV.feePolicy],
  reminder: [
    ENV.loansTable,
    ENV.remindersTable,
    ENV.businessTimeZone,
    ENV.feePolicy,
    ENV.contactPolicy,
  ],
  reporting: [ENV.reportsTable, ENV.creditRecordsTable],
} as const satisfies Record<string, readonly EnvVar[]>;

/** One of the product's functions, by the name its environment list goes by. */
export type FunctionName = keyof typeof FUNCTION_ENV;

/** The variables function `F` reads. */
export type EnvVarOf<F extends FunctionName> = (typeof FUNCTION_ENV)[F][number];

/** A function's environment as the stack sets it: only variables the function reads. */
export type EnvironmentOf<F extends FunctionName> = Partial<Record<EnvVarOf<F>, string>>;

/**
 * The reminder function's configuration (SPEC §7, §9), read once at cold start: anything wrong
 * fails the cold start with a message naming each variable or FEE_POLICY field.
 */
import { ENV, FUNCTION_ENV } from '../contract/environment';
import type { PolicyBook } from '../core/types';
import { type Env, EnvironmentReader } from '../shared/environment';

export interface ReminderConfig {
  readonly loansTableName: string;
  readonly remindersTableName: string;
  /** IANA time zone of business dates and of the 09:00 send time. */
  readonly businessTimeZone: string;
  readonly policyBook: PolicyBook;
}

/**
 * Reads and validates the reminder configuration from `env` (usually `process.env`).
 * @throws ConfigError naming every missing or invalid variable and FEE_POLICY field.
 */
export function loadReminderConfig(env: Env): ReminderConfig {
  const reader = new EnvironmentReader('reminder', env);
  const loansTableName = reader.required(ENV.loansTable);
  const remindersTableName = reader.required(ENV.remindersTable);
  const businessTimeZone = reader.businessTimeZone();
  const policyBook = reader.policyBook();
  reader.assertValid();
  return { loansTableName, remindersTableName, businessTimeZone, policyBook };
}

/** The variables the reminder function reads. */
export const REMINDER_ENV_VARS = FUNCTION_ENV.reminder;

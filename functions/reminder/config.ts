/**
 * The reminder function's configuration (SPEC §7, §9), read once at cold start: anything wrong
 * fails the cold start with a message naming each variable or FEE_POLICY field.
 */
import { ENV_VARS, LOANS_TABLE, REMINDERS_TABLE } from '../../infra/definitions';
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
  const loansTableName = reader.required(LOANS_TABLE.envVar);
  const remindersTableName = reader.required(REMINDERS_TABLE.envVar);
  const businessTimeZone = reader.businessTimeZone();
  const policyBook = reader.policyBook();
  reader.assertValid();
  return { loansTableName, remindersTableName, businessTimeZone, policyBook };
}

/** The variables the reminder function reads (SPEC §9). */
export const REMINDER_ENV_VARS = [
  LOANS_TABLE.envVar,
  REMINDERS_TABLE.envVar,
  ENV_VARS.businessTimeZone,
  ENV_VARS.feePolicy,
] as const;

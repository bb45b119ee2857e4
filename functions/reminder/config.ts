/**
 * The reminder function's configuration (SPEC §7, §9), read once at cold start: anything wrong
 * fails the cold start with a message naming each variable or FEE_POLICY field.
 */
import { ENV_VARS, LOANS_TABLE, REMINDERS_TABLE } from '../../infra/definitions';
import { DEFAULT_BUSINESS_TIMEZONE, isValidTimeZone } from '../core/dates';
import { PolicyConfigError, parsePolicyBook } from '../core/policy';
import type { PolicyBook } from '../core/types';

export interface ReminderConfig {
  readonly loansTableName: string;
  readonly remindersTableName: string;
  /** IANA time zone of business dates and of the 09:00 send time. */
  readonly businessTimeZone: string;
  readonly policyBook: PolicyBook;
}

/**
 * Reads and validates the reminder configuration from `env` (usually `process.env`).
 * @throws Error whose message names every missing or invalid variable and FEE_POLICY field.
 */
export function loadReminderConfig(
  env: Readonly<Record<string, string | undefined>>,
): ReminderConfig {
  const problems: string[] = [];
  const required = (name: string) => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name}: missing`);
    return value ?? '';
  };
  const loansTableName = required(LOANS_TABLE.envVar);
  const remindersTableName = required(REMINDERS_TABLE.envVar);
  const businessTimeZone = env[ENV_VARS.businessTimeZone]?.trim() || DEFAULT_BUSINESS_TIMEZONE;
  if (!isValidTimeZone(businessTimeZone)) {
    problems.push(
      `${ENV_VARS.businessTimeZone}: ${JSON.stringify(businessTimeZone)} is not an IANA time zone`,
    );
  }
  let policyBook: PolicyBook | undefined;
  try {
    policyBook = parsePolicyBook(env[ENV_VARS.feePolicy]);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !policyBook) {
    throw new Error(`invalid reminder configuration: ${problems.join('; ')}`);
  }
  return { loansTableName, remindersTableName, businessTimeZone, policyBook };
}

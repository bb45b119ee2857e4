/**
 * The reminder function's configuration, read once at cold start: anything wrong fails the cold
 * start with a message naming each variable, `FEE_POLICY` field and `CONTACT_POLICY` field.
 */
import { ENV, FUNCTION_ENV } from '../contract/environment';
import {
  type ContactPolicy,
  ContactPolicyError,
  DEFAULT_CONTACT_POLICY,
  parseContactPolicy,
} from '../core/contact-policy';
import type { PolicyBook } from '../core/types';
import { type Env, EnvironmentReader } from '../shared/environment';

export interface ReminderConfig {
  readonly loansTableName: string;
  readonly remindersTableName: string;
  /** IANA time zone of business dates and of the contact window. */
  readonly businessTimeZone: string;
  readonly policyBook: PolicyBook;
  /** The contact window and the weekly cap (`CONTACT_POLICY`, defaults 09:00–21:00 and 3). */
  readonly contactPolicy: ContactPolicy;
}

/** `CONTACT_POLICY`, each bad field a problem of `reader` (the default stands in meanwhile). */
function readContactPolicy(reader: EnvironmentReader): ContactPolicy {
  try {
    return parseContactPolicy(reader.env[ENV.contactPolicy]);
  } catch (error) {
    if (!(error instanceof ContactPolicyError)) throw error;
    for (const problem of error.problems) reader.problem(problem);
    return DEFAULT_CONTACT_POLICY;
  }
}

/**
 * Reads and validates the reminder configuration from `env` (usually `process.env`).
 * @throws ConfigError naming every missing or invalid variable and policy field.
 */
export function loadReminderConfig(env: Env): ReminderConfig {
  const reader = new EnvironmentReader('reminder', env);
  const loansTableName = reader.required(ENV.loansTable);
  const remindersTableName = reader.required(ENV.remindersTable);
  const businessTimeZone = reader.businessTimeZone();
  const policyBook = reader.policyBook();
  const contactPolicy = readContactPolicy(reader);
  reader.assertValid();
  return { loansTableName, remindersTableName, businessTimeZone, policyBook, contactPolicy };
}

/** The variables the reminder function reads. */
export const REMINDER_ENV_VARS = FUNCTION_ENV.reminder;

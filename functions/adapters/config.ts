/**
 * The sweep's configuration from its environment (SPEC §4, §9), read once at cold start. Anything
 * wrong fails the cold start with a message naming the variable (or the FEE_POLICY field), so a
 * bad deployment is caught by the first invocation instead of producing a wrong sweep.
 */
import { ENV_VARS, LEDGER_TABLE, LOANS_TABLE } from '../../infra/definitions';
import { DEFAULT_BUSINESS_TIMEZONE, isValidTimeZone } from '../core/dates';
import { PolicyConfigError, parsePolicyBook } from '../core/policy';
import type { PolicyBook } from '../core/types';

/** Everything the sweep Lambda reads from its environment, validated. */
export interface SweepConfig {
  readonly loansTableName: string;
  readonly ledgerTableName: string;
  readonly eventsTopicArn: string;
  /** IANA time zone of business dates, e.g. `Asia/Shanghai`. */
  readonly businessTimeZone: string;
  readonly policyBook: PolicyBook;
}

/** The environment cannot be used; `.problems` lists each bad variable or field. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid sweep configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function requiredVariable(env: Env, name: string, problems: string[]): string {
  const value = env[name]?.trim();
  if (!value) {
    problems.push(`${name}: missing`);
    return '';
  }
  return value;
}

/**
 * Reads and validates the sweep's configuration from `env` (usually `process.env`).
 * @throws ConfigError naming every missing or invalid variable and FEE_POLICY field.
 */
export function loadSweepConfig(env: Env): SweepConfig {
  const problems: string[] = [];
  const loansTableName = requiredVariable(env, LOANS_TABLE.envVar, problems);
  const ledgerTableName = requiredVariable(env, LEDGER_TABLE.envVar, problems);
  const eventsTopicArn = requiredVariable(env, ENV_VARS.eventsTopicArn, problems);
  if (eventsTopicArn && !eventsTopicArn.startsWith('arn:')) {
    problems.push(`${ENV_VARS.eventsTopicArn}: ${JSON.stringify(eventsTopicArn)} is not an ARN`);
  }
  const zone = env[ENV_VARS.businessTimeZone]?.trim() || DEFAULT_BUSINESS_TIMEZONE;
  if (!isValidTimeZone(zone)) {
    problems.push(`${ENV_VARS.businessTimeZone}: ${JSON.stringify(zone)} is not an IANA time zone`);
  }
  let policyBook: PolicyBook | undefined;
  try {
    policyBook = parsePolicyBook(env[ENV_VARS.feePolicy]);
  } catch (error) {
    if (!(error instanceof PolicyConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !policyBook) throw new ConfigError(problems);
  return { loansTableName, ledgerTableName, eventsTopicArn, businessTimeZone: zone, policyBook };
}

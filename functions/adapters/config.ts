/**
 * The sweep's configuration from its environment (SPEC §4, §9), read once at cold start. Anything
 * wrong fails the cold start with a message naming the variable (or the FEE_POLICY field), so a
 * bad deployment is caught by the first invocation instead of producing a wrong sweep.
 */
import { ENV_VARS, LEDGER_TABLE, LOANS_TABLE } from '../../infra/definitions';
import type { PolicyBook } from '../core/types';
import { type Env, EnvironmentReader } from './environment';

/** Everything the sweep Lambda reads from its environment, validated. */
export interface SweepConfig {
  readonly loansTableName: string;
  readonly ledgerTableName: string;
  readonly eventsTopicArn: string;
  /** IANA time zone of business dates, e.g. `Asia/Shanghai`. */
  readonly businessTimeZone: string;
  readonly policyBook: PolicyBook;
}

export { ConfigError } from './environment';

/**
 * Reads and validates the sweep's configuration from `env` (usually `process.env`).
 * @throws ConfigError naming every missing or invalid variable and FEE_POLICY field.
 */
export function loadSweepConfig(env: Env): SweepConfig {
  const reader = new EnvironmentReader('sweep', env);
  const loansTableName = reader.required(LOANS_TABLE.envVar);
  const ledgerTableName = reader.required(LEDGER_TABLE.envVar);
  const eventsTopicArn = reader.required(ENV_VARS.eventsTopicArn);
  if (eventsTopicArn && !eventsTopicArn.startsWith('arn:')) {
    reader.problem(`${ENV_VARS.eventsTopicArn}: ${JSON.stringify(eventsTopicArn)} is not an ARN`);
  }
  const businessTimeZone = reader.businessTimeZone();
  const policyBook = reader.policyBook();
  reader.assertValid();
  return { loansTableName, ledgerTableName, eventsTopicArn, businessTimeZone, policyBook };
}

/** The variables the sweep reads (SPEC §9). */
export const SWEEP_ENV_VARS = [
  LOANS_TABLE.envVar,
  LEDGER_TABLE.envVar,
  ENV_VARS.eventsTopicArn,
  ENV_VARS.businessTimeZone,
  ENV_VARS.feePolicy,
] as const;

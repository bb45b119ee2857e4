/**
 * The sweep's configuration from its environment (docs/contract.md: Charges, Infrastructure), read once at cold start. Anything
 * wrong fails the cold start with a message naming the variable (or the FEE_POLICY field), so a
 * bad deployment is caught by the first invocation instead of producing a wrong sweep.
 */
import { ENV, FUNCTION_ENV } from '../contract/environment';
import type { PolicyBook } from '../core/types';
import { type Env, EnvironmentReader } from '../shared/environment';

/** Everything the sweep Lambda reads from its environment, validated. */
export interface SweepConfig {
  readonly loansTableName: string;
  readonly ledgerTableName: string;
  /** IANA time zone of business dates, e.g. `Asia/Shanghai`. */
  readonly businessTimeZone: string;
  readonly policyBook: PolicyBook;
  /**
   * The sweep-run workflow (`SWEEP_STATE_MACHINE_ARN`, optional): a direct run that runs low on
   * time hands the rest to a new execution of it; without it, the run returns the resume payload.
   */
  readonly stateMachineArn?: string;
}

export { ConfigError } from '../shared/environment';

/**
 * Reads and validates the sweep's configuration from `env` (usually `process.env`).
 * @throws ConfigError naming every missing or invalid variable and FEE_POLICY field.
 */
export function loadSweepConfig(env: Env): SweepConfig {
  const reader = new EnvironmentReader('sweep', env);
  const loansTableName = reader.required(ENV.loansTable);
  const ledgerTableName = reader.required(ENV.ledgerTable);
  const stateMachineArn = reader.env[ENV.stateMachineArn]?.trim() || undefined;
  if (stateMachineArn && !/^arn:[^:]+:states:/.test(stateMachineArn)) {
    reader.problem(`${ENV.stateMachineArn}: not a state machine ARN`);
  }
  const businessTimeZone = reader.businessTimeZone();
  const policyBook = reader.policyBook();
  reader.assertValid();
  return {
    loansTableName,
    ledgerTableName,
    businessTimeZone,
    policyBook,
    ...(stateMachineArn && { stateMachineArn }),
  };
}

/** The variables the sweep reads. */
export const SWEEP_ENV_VARS = FUNCTION_ENV.sweep;

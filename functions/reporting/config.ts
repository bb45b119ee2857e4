/**
 * The reporting function's configuration: the reports and credit records tables. Read once at
 * cold start; a missing variable fails the cold start with a message naming it.
 */
import { ENV, FUNCTION_ENV } from '../contract/environment';
import { type Env, EnvironmentReader } from '../shared/environment';

export interface ReportingConfig {
  readonly reportsTableName: string;
  readonly creditRecordsTableName: string;
}

/**
 * Reads the reporting configuration from `env` (usually `process.env`).
 * @throws ConfigError naming each missing variable.
 */
export function loadReportingConfig(env: Env): ReportingConfig {
  const reader = new EnvironmentReader('reporting', env);
  const reportsTableName = reader.required(ENV.reportsTable);
  const creditRecordsTableName = reader.required(ENV.creditRecordsTable);
  reader.assertValid();
  return { reportsTableName, creditRecordsTableName };
}

/** The variables the reporting function reads. */
export const REPORTING_ENV_VARS = FUNCTION_ENV.reporting;

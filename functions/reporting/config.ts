/**
 * The reporting function's configuration (SPEC §9): only the reports table. Read once at cold
 * start; a missing variable fails the cold start with a message naming it.
 */
import { REPORTS_TABLE } from '../../infra/definitions';

export interface ReportingConfig {
  readonly reportsTableName: string;
}

/**
 * Reads the reporting configuration from `env` (usually `process.env`).
 * @throws Error naming the missing variable.
 */
export function loadReportingConfig(
  env: Readonly<Record<string, string | undefined>>,
): ReportingConfig {
  const reportsTableName = env[REPORTS_TABLE.envVar]?.trim();
  if (!reportsTableName) {
    throw new Error(`invalid reporting configuration: ${REPORTS_TABLE.envVar}: missing`);
  }
  return { reportsTableName };
}

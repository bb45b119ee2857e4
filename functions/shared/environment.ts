/**
 * Configuration from the Lambda environment, shared by the three handlers.
 *
 * On Lambda the environment is fixed for the life of an execution environment, so the
 * configuration is read and validated at cold start: a bad deployment fails the first
 * invocation's init with a message naming each variable or FEE_POLICY field. A module imported
 * where none of the function's variables is set yet (a tool, a test harness that sets them after
 * importing) defers that check to the first invocation instead of failing the import, and a
 * changed environment is re-read, so the same module serves any environment it is invoked in.
 */

import { ENV } from '../contract/environment';
import { DEFAULT_BUSINESS_TIMEZONE, isValidTimeZone } from '../core/dates';
import { PolicyConfigError, parsePolicyBook } from '../core/policy';
import type { PolicyBook } from '../core/types';

/** Environment variables as Lambda passes them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The configuration for the current `process.env`, validated once per distinct environment;
 * throws the loader's error if it is invalid.
 */
export type EnvironmentConfig<T> = () => T;

/**
 * Builds the configuration accessor for a function whose environment variables are `names`, and
 * validates it right away (cold start) unless none of them is set.
 * @param load validates `env` and throws an error naming every problem.
 */
export function environmentConfig<T>(
  names: readonly string[],
  load: (env: Env) => T,
): EnvironmentConfig<T> {
  let cached: { readonly key: string; readonly config: T } | undefined;
  const current = () => {
    const key = JSON.stringify(names.map((name) => process.env[name] ?? null));
    if (cached?.key !== key) cached = { key, config: load(process.env) };
    return cached.config;
  };
  if (names.some((name) => process.env[name] !== undefined)) current();
  return current;
}

/** A function's environment cannot be used; `.problems` lists each bad variable or field. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(component: string, problems: readonly string[]) {
    super(`invalid ${component} configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Collects every problem of one environment before failing, so one error names them all. */
export class EnvironmentReader {
  private readonly problems: string[] = [];

  constructor(
    private readonly component: string,
    readonly env: Env,
  ) {}

  /** A variable that must be set and non-blank. */
  required(name: string): string {
    const value = this.env[name]?.trim();
    if (!value) this.problems.push(`${name}: missing`);
    return value ?? '';
  }

  /** Records a problem found by the caller. */
  problem(description: string): void {
    this.problems.push(description);
  }

  /** `BUSINESS_TIMEZONE`: an IANA zone, `Asia/Shanghai` when unset. */
  businessTimeZone(): string {
    const zone = this.env[ENV.businessTimeZone]?.trim() || DEFAULT_BUSINESS_TIMEZONE;
    if (!isValidTimeZone(zone)) {
      this.problems.push(
        `${ENV.businessTimeZone}: ${JSON.stringify(zone)} is not an IANA time zone`,
      );
    }
    return zone;
  }

  /**
   * `FEE_POLICY` (optional JSON) layered over the built-in policy; each bad field is a problem
   * (and the built-in book stands in until `assertValid` throws).
   */
  policyBook(): PolicyBook {
    try {
      return parsePolicyBook(this.env[ENV.feePolicy]);
    } catch (error) {
      if (!(error instanceof PolicyConfigError)) throw error;
      this.problems.push(...error.problems);
      return parsePolicyBook(undefined);
    }
  }

  /** Throws a ConfigError naming every recorded problem, if there is any. */
  assertValid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.component, this.problems);
  }
}

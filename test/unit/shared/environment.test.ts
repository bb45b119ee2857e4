import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  EnvironmentReader,
  environmentConfig,
} from '../../../functions/shared/environment';

const NAMES = ['OS_TEST_TABLE', 'FEE_POLICY'] as const;

function load(env: Readonly<Record<string, string | undefined>>) {
  const reader = new EnvironmentReader('test', env);
  const table = reader.required('OS_TEST_TABLE');
  const policyBook = reader.policyBook();
  reader.assertValid();
  return { table, graceDays: policyBook.default.graceDays };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('environmentConfig', () => {
  it('fails at once (cold start) when the environment carries an invalid fee policy', () => {
    vi.stubEnv('OS_TEST_TABLE', 'loans');
    vi.stubEnv('FEE_POLICY', '{"default":{"graceDays":-1}}');
    expect(() => environmentConfig(NAMES, load)).toThrow(/FEE_POLICY\.default\.graceDays/);
  });

  it('defers validation while none of the variables is set, then reads them when invoked', () => {
    vi.stubEnv('OS_TEST_TABLE', undefined);
    vi.stubEnv('FEE_POLICY', undefined);
    const config = environmentConfig(NAMES, load);
    expect(() => config()).toThrow(ConfigError);
    expect(() => config()).toThrow('invalid test configuration: OS_TEST_TABLE: missing');
    vi.stubEnv('OS_TEST_TABLE', 'loans');
    expect(config()).toEqual({ table: 'loans', graceDays: 3 });
  });

  it('loads once per environment and again when it changes', () => {
    vi.stubEnv('OS_TEST_TABLE', 'a');
    const loader = vi.fn(load);
    const config = environmentConfig(NAMES, loader);
    expect(config()).toBe(config());
    expect(loader).toHaveBeenCalledTimes(1);
    vi.stubEnv('FEE_POLICY', '{"default":{"graceDays":5}}');
    expect(config().graceDays).toBe(5);
    expect(loader).toHaveBeenCalledTimes(2);
  });
});

describe('EnvironmentReader', () => {
  it('names every problem in one error', () => {
    const reader = new EnvironmentReader('sweep', {
      BUSINESS_TIMEZONE: 'Mars/Olympus',
      FEE_POLICY: '{"default":{"rounding":"UP"}}',
    });
    reader.required('LOANS_TABLE_NAME');
    reader.businessTimeZone();
    reader.policyBook();
    expect(() => reader.assertValid()).toThrow(
      /LOANS_TABLE_NAME: missing; BUSINESS_TIMEZONE: "Mars\/Olympus" is not an IANA time zone; FEE_POLICY\.default\.rounding/,
    );
  });
});

/**
 * cdk.json carries the pinned aws-cdk-lib's recommended feature flags (what `cdk init` writes), so
 * `cdk synth` has no "feature flags are not configured" warning. The check applies the CLI's own
 * rule to the feature-flag report that synthesis writes into the cloud assembly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readStackConfig } from '../../infra/config';
import { OverdueSweepStack } from '../../infra/stack';
import { synthesize } from './synth';

const require = createRequire(import.meta.url);

/** The flags `cdk init` writes for this aws-cdk-lib version. */
const recommended = require('aws-cdk-lib/recommended-feature-flags.json') as Record<
  string,
  unknown
>;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/**
 * Flags set on purpose to something other than the recommended value (each one explained in
 * docs/decisions.md). Empty today: every recommended value suits this stack.
 */
const DELIBERATE_DEVIATIONS: Readonly<Record<string, unknown>> = {};

interface ReportedFlag {
  readonly userValue?: unknown;
  readonly recommendedValue?: unknown;
  readonly unconfiguredBehavesLike?: { readonly v2?: unknown };
}

/**
 * The flags `cdk synth` warns about: not set by the user, and behaving differently from the
 * recommended value when unset (the CLI's `FlagOperations.filterNeedsAttention`).
 */
function flagsNeedingAttention(app: App): string[] {
  const assembly = app.synth();
  const report = assembly.manifest.artifacts?.['aws-cdk-lib/feature-flag-report'];
  const flags = (report?.properties as { flags?: Record<string, ReportedFlag> } | undefined)?.flags;
  if (!flags) throw new Error('the cloud assembly has no feature-flag report');
  return Object.entries(flags)
    .filter(([, flag]) => flag.userValue === undefined)
    .filter(([, flag]) => (flag.unconfiguredBehavesLike?.v2 ?? false) !== flag.recommendedValue)
    .map(([name]) => name);
}

describe('CDK feature flags', () => {
  it('cdk.json sets every recommended flag to its recommended value', () => {
    expect(Object.keys(recommended).length).toBeGreaterThan(50);
    for (const [flag, value] of Object.entries(recommended)) {
      const expected = flag in DELIBERATE_DEVIATIONS ? DELIBERATE_DEVIATIONS[flag] : value;
      expect(cdkJson.context[flag], flag).toEqual(expected);
    }
  });

  it('synthesis leaves no flag for `cdk synth` to warn about', () => {
    expect(flagsNeedingAttention(synthesize().app)).toEqual([]);
  });

  it('would warn: the same stack without cdk.json context has unconfigured flags', () => {
    const bare = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new OverdueSweepStack(bare, 'OverdueSweep', { config: readStackConfig(bare.node) });
    expect(flagsNeedingAttention(bare).length).toBeGreaterThan(10);
  });
});

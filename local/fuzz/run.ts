/**
 * Runs one fuzz property outside vitest (`npm run fuzz`): every input is checked and counted, and
 * the run goes on past a violation so the figures cover the whole run; each kind of violation is
 * then shown with the first input that showed it.
 */
import fc from 'fast-check';
import { NOW } from '../fixtures/sweep';
import type { LocalResources } from '../local-resources';
import { createConsumersFuzz } from './consumer-fuzz';
import { itemsRunCase } from './items';
import { knownDefectOf } from './known-defects';
import { batchCase } from './records';
import { requestCase } from './requests';
import { createStreamFuzz } from './stream-fuzz';
import { streamBatchCase } from './stream-records';
import { createItemsFuzz, createRequestFuzz, REQUEST_LOAN_IDS } from './sweep-fuzz';
import { Tally, type Violation, watchUnhandledRejections } from './tally';
import { type FuzzScale, LARGE_SCALE } from './values';

export interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  readonly scale?: FuzzScale;
  readonly progress?: (done: number, total: number) => void;
}

export interface PropertyOutcome {
  readonly figures: ReadonlyMap<string, number>;
  readonly violations: readonly Violation[];
  /** Inputs tried: sweep inputs, loan items, SQS records or stream records. */
  readonly tried: number;
  /** Of those, rejected: inputs refused, items skipped, records failed or on the failure path. */
  readonly rejected: number;
}

/** Which figure counts the inputs tried and which the rejected ones, per property. */
const TRIED_AND_REJECTED = {
  inputs: ['inputs tried', 'rejected'],
  items: ['items tried', 'skipped'],
  consumers: ['records tried', 'reporting failures'],
  stream: ['records tried', 'failure path'],
} as const;

/** Figures each property prints, zero or not. */
const ALWAYS_SHOWN = {
  inputs: ['crashes', 'half-writes', 'unhandled rejections'],
  items: ['crashes', 'half-writes', 'unhandled rejections'],
  consumers: ['crashes', 'unhandled rejections'],
  stream: ['crashes', 'unhandled rejections'],
} as const;

/** Runs property `name` (`inputs`, `items`, `consumers` or `stream`) `runs` times on `resources`. */
export async function runProperty(
  name: 'inputs' | 'items' | 'consumers' | 'stream',
  resources: LocalResources,
  options: RunOptions,
): Promise<PropertyOutcome> {
  const scale = options.scale ?? LARGE_SCALE;
  const tally = new Tally(name);
  for (const figure of ALWAYS_SHOWN[name]) tally.count(figure, 0);
  const unhandled = watchUnhandledRejections();
  let done = 0;
  const step = () => options.progress?.(++done, options.runs);
  const settings = { numRuns: options.runs, seed: options.seed, endOnFailure: true };
  /** Checks every generated case; the checks count and record, they throw only on a harness fault. */
  const each = async <T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<unknown>) => {
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (value) => {
        await check(value);
        step();
      }),
      settings,
    );
    if (details.failed) {
      // The harness itself threw: a fault of the fuzz or of the emulators, not a finding.
      const fault = tally.begin(details.counterexample);
      fault.violate('harness-error', String(details.errorInstance));
      fault.done();
    }
  };
  try {
    if (name === 'inputs') {
      const fuzz = await createRequestFuzz(resources, tally);
      await each(requestCase(scale, { now: NOW }, REQUEST_LOAN_IDS), fuzz.check);
      await fuzz.finish();
    } else if (name === 'items') {
      const fuzz = await createItemsFuzz(resources, tally);
      await each(itemsRunCase(scale), fuzz.check);
    } else if (name === 'consumers') {
      const fuzz = await createConsumersFuzz(resources, tally);
      await each(batchCase(scale), fuzz.check);
    } else {
      const fuzz = await createStreamFuzz(resources, tally);
      await each(streamBatchCase(scale), fuzz.check);
    }
  } finally {
    unhandled.stop();
  }
  tally.count('unhandled rejections', unhandled.count);
  if (unhandled.count > 0) {
    const check = tally.begin('(whole run)');
    check.violate('unhandled-rejection', `${unhandled.count} unhandled rejections`);
    check.done();
  }
  const [tried, rejected] = TRIED_AND_REJECTED[name];
  return {
    figures: tally.figures,
    violations: tally.violations,
    tried: tally.figure(tried),
    rejected: tally.figure(rejected),
  };
}

/** Each kind of violation once: how often, the first input, and the known defect it is, if any. */
export function describeViolations(violations: readonly Violation[]): string[] {
  const byKind = new Map<string, Violation[]>();
  for (const violation of violations) {
    const known = knownDefectOf(violation);
    const key = `${violation.property} · ${violation.kind}${known ? ` (known defect: ${known})` : ''}`;
    byKind.set(key, [...(byKind.get(key) ?? []), violation]);
  }
  return [...byKind].map(([key, all]) => {
    const first = all[0] as Violation;
    return [
      `✗ ${key}: ${all.length} time${all.length === 1 ? '' : 's'}`,
      `  ${first.detail}`,
      `  input: ${first.input}`,
    ].join('\n');
  });
}

/** How many of the violations are known defects. */
export function knownDefectCount(violations: readonly Violation[]): number {
  return violations.filter((violation) => knownDefectOf(violation) !== undefined).length;
}

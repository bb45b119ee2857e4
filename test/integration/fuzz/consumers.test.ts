/**
 * Fuzz of the consumers' SQS batches (docs/contract.md: Events, Reminders, Reports, issue 14): the real reminder and reporting
 * handlers get the same random batches of good envelopes, duplicates, hostile records and poison
 * events that pass the envelope check but cannot be stored. Bounded for `npm test`; `npm run fuzz`
 * delivers many more batches.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import { clients } from '../../../local/fixtures/sweep';
import { createConsumersFuzz } from '../../../local/fuzz/consumer-fuzz';
import { unknownViolations } from '../../../local/fuzz/known-defects';
import { batchCase } from '../../../local/fuzz/records';
import { assertNone, watchUnhandledRejections } from '../../../local/fuzz/tally';
import { testFuzzSettings } from '../../../local/fuzz/test-settings';
import { TEST_SCALE } from '../../../local/fuzz/values';
import type { LocalResources } from '../../../local/local-resources';

// The handlers' Powertools logger and metrics stay quiet (set before the handlers are imported);
// in dev mode Metrics warns through the global console, muted below, that a batch had no metric.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_DEV = 'true';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-consumers');
});

describe('random SQS batches for both consumers (fuzz)', () => {
  it('never make a handler throw; a bad record fails alone; every good record is counted once and decided', async () => {
    const fuzz = await createConsumersFuzz(resources);
    const unhandled = watchUnhandledRejections();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await fc.assert(
        fc.asyncProperty(batchCase(TEST_SCALE), async (build) =>
          assertNone(unknownViolations(await fuzz.check(build))),
        ),
        testFuzzSettings(20),
      );
    } finally {
      warn.mockRestore();
      unhandled.stop();
    }
    expect(unhandled.count).toBe(0);
    expect(fuzz.tally.figure('hostile records')).toBeGreaterThan(0);
    expect(fuzz.tally.figure('good records counted')).toBeGreaterThan(0);
    expect(fuzz.tally.figure('reminder lines given')).toBeGreaterThan(0);
  });
});

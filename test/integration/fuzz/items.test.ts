/**
 * Fuzz of the loan items the sweep reads (docs/contract.md: Loans table, Sweep, Summary, issue 14): good items as upstream
 * writes them mixed with malformed ones (missing attributes, wrong types, impossible values, huge
 * strings, broken instalments), personal data in `borrowerId` and in attributes the contract does
 * not know, swept by index or by id, sometimes dry-run first. Bounded for `npm test`; `npm run
 * fuzz` sweeps up to 150 items at a time.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import { clients } from '../../../local/fixtures/sweep';
import { itemsRunCase } from '../../../local/fuzz/items';
import { unknownViolations } from '../../../local/fuzz/known-defects';
import { createItemsFuzz } from '../../../local/fuzz/sweep-fuzz';
import { assertNone, watchUnhandledRejections } from '../../../local/fuzz/tally';
import { testFuzzSettings } from '../../../local/fuzz/test-settings';
import { TEST_SCALE } from '../../../local/fuzz/values';
import type { LocalResources } from '../../../local/local-resources';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-items');
});

describe('good and malformed loan items mixed (fuzz)', () => {
  it('sweep every good item and skip every malformed one with a bounded reason naming an attribute, leaving no half-write and no personal value in logs, summary or messages', async () => {
    const fuzz = await createItemsFuzz(resources);
    const unhandled = watchUnhandledRejections();
    try {
      await fc.assert(
        fc.asyncProperty(itemsRunCase(TEST_SCALE), async (c) =>
          assertNone(unknownViolations(await fuzz.check(c))),
        ),
        testFuzzSettings(12),
      );
    } finally {
      unhandled.stop();
    }
    expect(unhandled.count).toBe(0);
    expect(fuzz.tally.figure('malformed items')).toBeGreaterThan(0);
    expect(fuzz.tally.figure('good items swept')).toBeGreaterThan(0);
  });
});

/**
 * Fuzz of the sweep's inputs on the emulators (docs/contract.md, Inputs, issue 14): random operator, scheduled,
 * rule and part payloads and stray ones, valid-looking and hostile (wrong types, huge strings and
 * lists, unknown fields, strange unicode, lenient, future and impossible timestamps, cursors of the
 * wrong shape, nested junk). Sizes are bounded for `npm test`; `npm run fuzz` runs the same
 * property with many more and larger inputs.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import { clients, NOW } from '../../../local/fixtures/sweep';
import { unknownViolations } from '../../../local/fuzz/known-defects';
import { requestCase } from '../../../local/fuzz/requests';
import { createRequestFuzz, REQUEST_LOAN_IDS } from '../../../local/fuzz/sweep-fuzz';
import { assertNone, watchUnhandledRejections } from '../../../local/fuzz/tally';
import { testFuzzSettings } from '../../../local/fuzz/test-settings';
import { TEST_SCALE } from '../../../local/fuzz/values';
import type { LocalResources } from '../../../local/local-resources';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-requests');
});

describe('any sweep input (fuzz)', () => {
  it('is rejected by a bounded ValidationError naming each problem that writes and publishes nothing, or run as the contract says', async () => {
    const fuzz = await createRequestFuzz(resources);
    const unhandled = watchUnhandledRejections();
    try {
      await fc.assert(
        fc.asyncProperty(requestCase(TEST_SCALE, { now: NOW }, REQUEST_LOAN_IDS), async (c) =>
          assertNone(unknownViolations(await fuzz.check(c))),
        ),
        testFuzzSettings(60),
      );
      assertNone(await fuzz.finish());
    } finally {
      unhandled.stop();
    }
    expect(unhandled.count).toBe(0);
    // The run saw both outcomes, and dry runs among the accepted.
    expect(fuzz.tally.figure('rejected')).toBeGreaterThan(20);
    expect(fuzz.tally.figure('accepted')).toBeGreaterThan(0);
  });
});

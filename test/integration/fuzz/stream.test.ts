/**
 * Fuzz of the stream publisher's batches: random loans-table stream records with hostile outboxes
 * (events too large for SNS, text that is no outbox, attribute types no reader knows), unreachable
 * loans and odd records, mixed with good writes, handed to the publisher on the emulators. Bounded
 * for `npm test`; `npm run fuzz` hands it many more and larger batches.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import { clients } from '../../../local/fixtures/sweep';
import { unknownViolations } from '../../../local/fuzz/known-defects';
import { createStreamFuzz } from '../../../local/fuzz/stream-fuzz';
import { streamBatchCase } from '../../../local/fuzz/stream-records';
import { assertNone, watchUnhandledRejections } from '../../../local/fuzz/tally';
import { testFuzzSettings } from '../../../local/fuzz/test-settings';
import { TEST_SCALE } from '../../../local/fuzz/values';
import type { LocalResources } from '../../../local/local-resources';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-stream');
});

describe('random stream batches for the publisher (fuzz)', () => {
  it('never throw or retry; each added event goes out once; every bad record and unreachable loan is reported alone', async () => {
    const fuzz = await createStreamFuzz(resources);
    const unhandled = watchUnhandledRejections();
    try {
      await fc.assert(
        fc.asyncProperty(streamBatchCase(TEST_SCALE), async (build) =>
          assertNone(unknownViolations(await fuzz.check(build))),
        ),
        testFuzzSettings(15),
      );
    } finally {
      unhandled.stop();
    }
    expect(unhandled.count).toBe(0);
    expect(fuzz.tally.figure('events published')).toBeGreaterThan(0);
    expect(fuzz.tally.figure('failure path')).toBeGreaterThan(0);
    expect(fuzz.tally.figure('unreachable loans')).toBeGreaterThan(0);
  });
});

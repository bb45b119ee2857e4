/**
 * Defects the fuzz found and that are fixed, each pinned by the input that showed it (issue 14).
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRecord } from '../../../functions/core/values';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { freshResources } from '../../support/aws';
import { installmentItem as inst, loanItem } from '../../support/loans';
import { clients, ledgerOf, putItems, storedLoan, sweeper } from '../../support/sweep';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-found');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    loanItem('Z-1', [inst(1, '2026-11-10')], { sweepShard: 3 }),
    // The second instalment is a DynamoDB number, not a map.
    loanItem('Z-2', [inst(1, '2026-11-10'), 5 as unknown as Record<string, unknown>], {
      sweepShard: 4,
    }),
  ]);
});

describe('a shard part whose cursor lies beyond the run’s horizon', () => {
  it('is done, reading and writing nothing, instead of failing with a DynamoDB ValidationException', async () => {
    // Horizon: 2026-11-28 + 3 days of reminder offsets. DynamoDB rejects a start key outside the
    // key condition, which failed the part (and so, after retries, the whole execution).
    const sweep = sweeper(resources);
    const answer = await sweep.part({
      part: {
        runId: 'sweep-2026-11-28',
        asOf: '2026-11-28',
        dryRun: false,
        shard: 3,
        cursor: { nextDueDate: '2026-12-31', loanId: 'Z-1' },
      },
    });
    expect(answer).toMatchObject({ complete: true, shard: 3, totals: { loansExamined: 0 } });
    expect(await ledgerOf(resources, 'Z-1')).toEqual([]);
  });
});

describe('an instalment stored as a number', () => {
  it('is skipped as "not a map", not as a map missing its fields', async () => {
    // The exact-number client reads an N as a NumberValue object, which passed for a map.
    const summary = await sweeper(resources).run({ loanIds: ['Z-2'], dryRun: true });
    expect(summary.skipped.loans).toEqual([
      { loanId: 'Z-2', reason: 'installments[1]: not a map' },
    ]);
    expect((await storedLoan(resources, 'Z-2')).version).toBeUndefined();
  });

  it('is no record, nor is a set or binary; plain and prototype-less objects are', () => {
    expect(isRecord(NumberValue.from('5'))).toBe(false);
    expect(isRecord(new Set(['a']))).toBe(false);
    expect(isRecord(new Uint8Array([1]))).toBe(false);
    expect(isRecord({ value: '5' })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
  });
});

/**
 * Defects the fuzz found and that are fixed, each pinned by the input that showed it (issue 14).
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRecord } from '../../../functions/core/values';
import { ValidationError } from '../../../functions/sweep/request';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import { clients, ledgerOf, putItems, storedLoan, sweeper } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-found');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    loanItem('Z-1', [inst(1, '2026-11-10')], { sweepShard: 3 }),
    // The second instalment is a DynamoDB number, not a map.
    loanItem('Z-2', [inst(1, '2026-11-10'), 5 as unknown as Record<string, unknown>], {
      sweepShard: 4,
    }),
    // Shard 7, in due-date order: three good loans, one whose nextDueDate is no date, one more.
    loanItem('K-1', [inst(1, '2026-11-01')], { sweepShard: 7 }),
    loanItem('K-2', [inst(1, '2026-11-02')], { sweepShard: 7 }),
    loanItem('K-3', [inst(1, '2026-11-03')], { sweepShard: 7 }),
    loanItem('K-4', [inst(1, '2026-11-04')], { sweepShard: 7, nextDueDate: '2026-11-03T12:00' }),
    loanItem('K-5', [inst(1, '2026-11-05')], { sweepShard: 7 }),
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

describe('a loan in the due index whose nextDueDate is no date ', () => {
  it('is skipped and reported with a reason naming nextDueDate', async () => {
    const summary = await sweeper(resources, { tuning: { pageSize: 10 } }).run({ dryRun: true });
    expect(summary.skipped.loans.filter((s) => s.loanId.startsWith('K-'))).toEqual([
      { loanId: 'K-4', reason: expect.stringMatching(/^nextDueDate: /) },
    ]);
  });

  it('does not end its shard’s walk when it is the last loan of a page', async () => {
    // Page size 4: K-4 is the page's last item, so its key is the page's LastEvaluatedKey, which
    // the book cannot turn into a cursor and takes for the end of the shard; K-5 is never read.
    const summary = await sweeper(resources, { tuning: { pageSize: 4 } }).run({});
    expect(summary.skipped.loans.map((s) => s.loanId)).toContain('K-4');
    expect((await storedLoan(resources, 'K-5')).accruedThrough).toBe('2026-11-28');
  });
});

const part = (fields: Record<string, unknown>) => ({
  part: { runId: 'sweep-2026-11-28', asOf: '2026-11-28', dryRun: true, shard: 1, ...fields },
});

async function rejection(payload: unknown): Promise<ValidationError> {
  const error = await sweeper(resources)
    .run(payload)
    .then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('a part that fits neither of its forms', () => {
  it('is rejected with a message that names its problem (runId), not just "part: Invalid input"', async () => {
    const error = await rejection(part({ runId: 5 }));
    expect(error.message).toContain('part.runId');
    expect(error.message).not.toContain('part: Invalid input');
  });

  it('naming loans, is judged as named loans (loanIds, runId)', async () => {
    const error = await rejection(part({ shard: undefined, loanIds: [], runId: '' }));
    expect(error.message).toContain('part.loanIds');
    expect(error.message).toContain('part.runId');
  });
});

describe('a part with an unknown key', () => {
  it('is rejected with a bounded message that does not quote the key whole', async () => {
    const key = `张伟 13812345678 ${'x'.repeat(5_000)}`;
    const error = await rejection(part({ [key]: 1 }));
    expect(error.message.length).toBeLessThanOrEqual(4_096);
    expect(error.message).not.toContain('张伟 13812345678');
  });
});

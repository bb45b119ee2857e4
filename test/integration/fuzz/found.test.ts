/**
 * Defects the fuzz found and that are fixed, each pinned by the input that showed it (issue 14).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { freshResources } from '../../support/aws';
import { installmentItem as inst, loanItem } from '../../support/loans';
import { clients, ledgerOf, putItems, sweeper } from '../../support/sweep';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'fuzz-found');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    loanItem('Z-1', [inst(1, '2026-11-10')], { sweepShard: 3 }),
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

/**
 * Totals a workflow step carries (docs/contract.md, Input) on the emulators, through the real
 * wiring: the findings of issue 24 reproduced — the largest safe integer carried into a part that
 * then charges a loan, figures added past 2^53, a part's run id not the one its date and dry-run
 * flag determine — each refused with a ValidationError naming the problem, before anything is read
 * or written; a part carrying large but possible figures still adds its own exactly.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CARRIED_FIGURE_LIMIT,
  emptyTotals,
  type SweepTotals,
} from '../../../functions/sweep/summary';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import { clients, putItems, sweepEndState, sweeper } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

/** 09:00 on 2026-12-02 in Shanghai. */
const CLOCK = new Date('2026-12-02T01:00:00.000Z');
const ASOF = '2026-12-02';
const header = { runId: `sweep-${ASOF}`, asOf: ASOF, dryRun: false };
const MAX = Number.MAX_SAFE_INTEGER;

let resources: LocalResources;
let count = 0;

beforeEach(async () => {
  resources = await freshResources(clients, `carried-${count++}`);
  // Overdue since 2026-11-20 on shard 3: a part of shard 3 charges it.
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    JSON.parse(JSON.stringify(loanItem('C-1', [inst(1, '2026-11-20')], { sweepShard: 3 }))),
  ]);
});

const totals = (fields: Partial<SweepTotals>): SweepTotals => ({ ...emptyTotals(), ...fields });

/** Runs `event` through the sweep and expects it refused, naming `problem`, with nothing written. */
async function refused(event: unknown, problem: RegExp) {
  const before = await sweepEndState(resources);
  const sweep = sweeper(resources, { clock: () => CLOCK });
  const error = await sweep.part(event).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'ValidationError' });
  expect(String(error)).toMatch(problem);
  expect(await sweepEndState(resources)).toEqual(before);
  expect(sweep.reads).toEqual([]);
}

describe('a part whose carried totals cannot be added to exactly', () => {
  it('carrying the largest safe integer is refused before it charges the loan (the finding)', async () => {
    await refused(
      { part: { ...header, shard: 3, totals: totals({ loansExamined: MAX }) } },
      /part\.totals\.loansExamined: more than a run can carry/,
    );
  });

  it('carrying the largest safe amount is refused too', async () => {
    const carried = totals({
      loansExamined: 1,
      loansCharged: 1,
      eventsRecorded: 1,
      charges: { CNY: { lateFees: MAX, penaltyInterest: 0 } },
    });
    await refused(
      { part: { ...header, shard: 3, totals: carried } },
      /part\.totals\.charges\.CNY\.lateFees: more than a run can carry/,
    );
  });

  it('carrying large but possible figures adds its own exactly', async () => {
    const carried = totals({ loansExamined: CARRIED_FIGURE_LIMIT, loansOverdue: 7 });
    const answer = await sweeper(resources, { clock: () => CLOCK }).part({
      part: { ...header, shard: 3, totals: carried },
    });
    expect(answer.totals).toMatchObject({
      loansExamined: CARRIED_FIGURE_LIMIT + 1,
      loansOverdue: 8,
      loansCharged: 1,
    });
  });
});

describe('a part whose totals one run could not have counted', () => {
  it.each([
    [
      'more loans charged than examined',
      totals({ loansExamined: 2, loansCharged: 5, eventsRecorded: 5 }),
      /part\.totals\.loansCharged: 5 is more than loansExamined 2/,
    ],
    [
      'loans charged with no charge',
      totals({ loansExamined: 3, loansCharged: 3, eventsRecorded: 3 }),
      /part\.totals\.charges: 0 minor units for 3 loans charged/,
    ],
    [
      'more skipped loans listed than counted',
      totals({ skipped: { count: 0, loans: [{ loanId: 'X', reason: 'made up' }] } }),
      /part\.totals\.skipped: lists 1 loans of a count of 0/,
    ],
    [
      'a preview in a real run',
      totals({
        loansExamined: 1,
        preview: [
          {
            loanId: 'X',
            currency: 'CNY',
            dpd: 1,
            bucket: 'M1',
            previousBucket: 'M0',
            lateFee: 0,
            penaltyInterest: 0,
            capped: false,
            chargedOff: false,
            lateFeeReversed: 0,
            penaltyReversed: 0,
          },
        ],
      }),
      /part\.totals\.preview: only a dry run previews/,
    ],
  ])('%s is refused, nothing read or written', async (_name, carried, problem) => {
    await refused({ part: { ...header, shard: 3, totals: carried } }, problem);
  });
});

describe("a part's run id", () => {
  it('sweep-2026-01-01 on a 2026-12-02 part is refused (the finding)', async () => {
    await refused(
      { part: { ...header, runId: 'sweep-2026-01-01', shard: 3 } },
      /part\.runId: must be sweep-2026-12-02, the run id of 2026-12-02/,
    );
  });

  it('a dry run id on a real part is refused (the finding)', async () => {
    await refused(
      { part: { ...header, runId: `dryrun-${ASOF}`, shard: 3 } },
      /part\.runId: must be sweep-2026-12-02/,
    );
  });

  it('a whole run id on a named-loans part is refused', async () => {
    await refused(
      { part: { ...header, loanIds: ['C-1'] } },
      /part\.runId: must be sweep-2026-12-02-<10 hex digits>, the run id of named loans/,
    );
  });

  it('the run id its date and flag determine sweeps as before', async () => {
    const answer = await sweeper(resources, { clock: () => CLOCK }).part({
      part: { ...header, shard: 3 },
    });
    expect(answer).toMatchObject({ complete: true, totals: { loansCharged: 1 } });
  });
});

describe('a finish', () => {
  const answer = (shard: number, loansExamined: number) => ({
    complete: true,
    shard,
    totals: totals({ loansExamined }),
    durationMs: 1,
  });

  it('whose shards add up past 2^53 is refused, never summed imprecisely (the finding)', async () => {
    const sweep = sweeper(resources, { clock: () => CLOCK });
    const error = await sweep
      .run({
        finish: {
          ...header,
          shards: [answer(0, CARRIED_FIGURE_LIMIT), answer(1, CARRIED_FIGURE_LIMIT)],
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError' });
    expect(String(error)).toMatch(/finish\.loansExamined: adds up past the safe range/);
    expect((await sweepEndState(resources)).runs).toEqual([]);
  });

  it('whose run id is not its date and flag records no run', async () => {
    const sweep = sweeper(resources, { clock: () => CLOCK });
    const error = await sweep
      .run({ finish: { ...header, runId: 'sweep-2026-01-01', shards: [answer(0, 1)] } })
      .catch((e: unknown) => e);
    expect(String(error)).toMatch(/finish\.runId: must be sweep-2026-12-02/);
    expect((await sweepEndState(resources)).runs).toEqual([]);
  });
});

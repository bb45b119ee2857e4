/**
 * The sweep's guarantees (docs/contract.md, Sweep) on the emulators: concurrent runs and catch-up charge exactly
 * once, SNS failures lose no event (the stream publisher retries until SNS is back), a run split
 * into shard parts equals an uninterrupted one, and dry runs and invalid requests write nothing.
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../functions/core/types';
import type { PartResponse } from '../../../functions/sweep/wire';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  faultySns,
  publishRecorded,
  putItems,
  receivedEvents,
  scanAll,
  sweepEndState,
  sweeper,
} from '../../../local/fixtures/sweep';

const loans = () =>
  [
    loanItem('G-1', [inst(1, '2026-11-10'), inst(2, '2026-12-10')]),
    loanItem('G-2', [inst(1, '2026-10-20')]),
    loanItem('G-3', [inst(1, '2026-11-20')]),
    loanItem('G-4', [inst(1, '2026-11-29')]),
    loanItem('G-5', [inst(1, '2026-06-01')]),
    loanItem('G-6', [inst(1, '2026-09-01'), inst(2, '2026-10-01')]),
  ].map((item) => JSON.parse(JSON.stringify(item)) as Record<string, unknown>);

async function portfolio(label: string, extra: Record<string, unknown> = {}) {
  const resources = await freshResources(clients, label);
  await putItems(
    resources.tables.LOANS_TABLE_NAME,
    loans().map((loan) => ({ ...loan, ...extra })),
  );
  return resources;
}

const endState = (resources: Awaited<ReturnType<typeof portfolio>>) =>
  sweepEndState(resources, { ignoreRunIds: true });

const ids = (events: EventEnvelope[]) => events.map((e) => e.id).sort();

describe('idempotency and catch-up', () => {
  it('two runs started at once charge once and publish no extra event id', async () => {
    const once = await portfolio('sweep-once');
    await sweeper(once).run({ asOf: '2026-11-28' });
    const twice = await portfolio('sweep-twice');
    const [a, b] = await Promise.all([
      sweeper(twice).run({ asOf: '2026-11-28' }),
      sweeper(twice).run({ asOf: '2026-11-28' }),
    ]);
    expect((await endState(twice)).ledger).toEqual((await endState(once)).ledger);
    expect((await endState(twice)).loans).toEqual((await endState(once)).loans);
    const charged = (s: typeof a) => s.charges.CNY?.penaltyInterest ?? 0;
    expect(charged(a) + charged(b)).toBe(
      (await endState(once)).ledger
        .filter((e) => e.kind === 'PENALTY_INTEREST')
        .reduce((sum, e) => sum + Number(e.amount), 0),
    );
    expect(new Set(ids(await receivedEvents(twice)))).toEqual(
      new Set(ids(await receivedEvents(once))),
    );
  });

  it('missing three days then running once charges what three daily runs would', async () => {
    const daily = await portfolio('sweep-daily');
    for (const asOf of ['2026-11-26', '2026-11-27', '2026-11-28']) {
      await sweeper(daily).run({ asOf });
    }
    const catchUp = await portfolio('sweep-catchup');
    await sweeper(catchUp).run({ asOf: '2026-11-25' });
    await sweeper(catchUp).run({ asOf: '2026-11-28' });
    const dailyRun = await portfolio('sweep-daily-from-25');
    for (const asOf of ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28']) {
      await sweeper(dailyRun).run({ asOf });
    }
    // Loans only: each run has its run record (its id is its date).
    const total = (state: Awaited<ReturnType<typeof endState>>) =>
      state.loans.map((l) => [l.loanId, l.penaltyCharged, l.lateFeesCharged, l.status, l.bucket]);
    expect(total(await endState(catchUp))).toEqual(total(await endState(dailyRun)));
    expect(total(await endState(daily)).length).toBe(6);
  });
});

describe('no lost events', () => {
  it('SNS failing some entries, then down for all of them, loses nothing: once it is back, every event goes out with its id', async () => {
    const reference = await portfolio('sweep-sns-ref');
    await sweeper(reference).run({ asOf: '2026-11-28' });
    const wanted = ids(await receivedEvents(reference)).filter((id) => !id.startsWith('sweep.'));

    const resources = await portfolio('sweep-sns');
    const run = await sweeper(resources).run({ asOf: '2026-11-28' });
    expect(run.eventsRecorded).toBe(wanted.length);
    const faults = {
      failIds: (id: string) => id.includes('overdue') || id.startsWith('G-5'),
      outage: false,
    };
    const sns = faultySns(faults);
    const partly = await publishRecorded(resources, sns);
    expect(partly.failing.length).toBeGreaterThan(0);

    faults.outage = true;
    const down = await publishRecorded(resources, sns);
    expect(down.failing.length).toBeGreaterThan(0);

    faults.outage = false;
    faults.failIds = () => false;
    const back = await publishRecorded(resources, sns);
    expect(back.failing).toEqual([]);

    // Delivered at least once: every id, and nothing that was not recorded.
    const delivered = ids(await receivedEvents(resources));
    expect([...new Set(delivered.filter((id) => !id.startsWith('sweep.')))].sort()).toEqual(wanted);
    // The charge-off left the index in the write that recorded its events.
    const items = await scanAll(resources.tables.LOANS_TABLE_NAME);
    expect(items.find((l) => l.loanId === 'G-5')).toMatchObject({ status: 'CHARGED_OFF' });
    expect(items.find((l) => l.loanId === 'G-5')?.nextDueDate).toBeUndefined();
  });

  it('an upstream write to a swept loan publishes nothing new; a re-run publishes nothing new', async () => {
    const resources = await portfolio('sweep-quiet');
    await sweeper(resources).run({ asOf: '2026-11-28' });
    expect((await receivedEvents(resources)).length).toBeGreaterThan(0);
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      {
        ...(await scanAll(resources.tables.LOANS_TABLE_NAME)).find((l) => l.loanId === 'G-1'),
        locale: 'en',
      },
    ]);
    const again = await sweeper(resources).run({ asOf: '2026-11-28' });
    expect(again.eventsRecorded).toBe(0);
    // Its run record stands from the first run: not even sweep.completed is sent again.
    expect(again.sweepCompleted?.runRecord).toBe('kept');
    expect(await receivedEvents(resources)).toEqual([]);
  });
});

describe('time budget', () => {
  it('a run split into shard parts on their cursors ends exactly as one run does', async () => {
    // One shard holds them all, so it takes several parts.
    const whole = await portfolio('sweep-whole', { sweepShard: 5 });
    await sweeper(whole).run({ asOf: '2026-11-28' });

    const split = await portfolio('sweep-split', { sweepShard: 5 });
    const sweep = sweeper(split);
    let checks = 0;
    // Exhausted on every second check: each part sweeps a loan or two, then answers its cursor.
    const budget = { exhausted: () => ++checks % 2 === 0 };
    const header = { runId: 'sweep-2026-11-28', asOf: '2026-11-28', dryRun: false };
    let parts = 0;
    for (let shard = 0; shard < 16; shard++) {
      let answer: PartResponse | undefined;
      let next: Record<string, unknown> = {};
      while (!answer?.complete) {
        // Through JSON, as the workflow passes it on.
        const input = JSON.parse(JSON.stringify({ part: { ...header, shard, ...next } }));
        answer = await sweep.part(input, budget);
        parts++;
        expect(parts).toBeLessThan(100);
        if (!answer.complete) {
          next = {
            totals: answer.totals,
            durationMs: answer.durationMs,
            ...('cursor' in answer && answer.cursor && { cursor: answer.cursor }),
          };
        }
      }
    }
    expect(parts).toBeGreaterThan(16);
    const [byParts, inOne] = [await endState(split), await endState(whole)];
    expect(byParts.loans).toEqual(inOne.loans);
    expect(byParts.ledger).toEqual(inOne.ledger);
    // Parts alone finish no run: only the whole run recorded its sweep.completed.
    expect(byParts.runs).toEqual([]);
    expect(inOne.runs).toEqual(['sweep-2026-11-28']);
    expect(ids((await receivedEvents(split)).filter((e) => e.type !== 'sweep.completed'))).toEqual(
      ids((await receivedEvents(whole)).filter((e) => e.type !== 'sweep.completed')),
    );
  });
});

describe('dry runs and invalid requests', () => {
  it('a dry run writes and publishes nothing and previews the charges', async () => {
    const resources = await portfolio('sweep-dry');
    const before = await endState(resources);
    const summary = await sweeper(resources).run({ asOf: '2026-11-28', dryRun: true });
    expect(await endState(resources)).toEqual(before);
    expect(await receivedEvents(resources)).toEqual([]);
    expect(summary.runId).toBe('dryrun-2026-11-28');
    expect(summary.loansCharged).toBeGreaterThan(0);
    expect(summary.preview?.length).toBeGreaterThan(0);
    expect(summary.sweepCompleted).toBeUndefined();
  });

  it('an invalid operator payload is rejected before any read or write', async () => {
    const resources = await portfolio('sweep-invalid');
    const sweep = sweeper(resources);
    await expect(sweep.run({ asOf: '2026-02-30', loanIds: [] })).rejects.toThrow(
      /asOf: "2026-02-30" is not a YYYY-MM-DD date; loanIds: must not be empty/,
    );
    expect(sweep.reads).toEqual([]);
  });

  it('a loanIds run sweeps just those loans and reports an unknown id as not found', async () => {
    const resources = await portfolio('sweep-ids');
    const sweep = sweeper(resources);
    const summary = await sweep.run({ asOf: '2026-11-28', loanIds: ['G-1', 'G-404'] });
    expect(summary.runId).toMatch(/^sweep-2026-11-28-[0-9a-f]{10}$/);
    expect(summary.loansExamined).toBe(1);
    expect(summary.skipped.loans).toEqual([{ loanId: 'G-404', reason: 'not found' }]);
    const items = await scanAll(resources.tables.LOANS_TABLE_NAME);
    expect(items.filter((i) => i.accruedThrough !== undefined).map((i) => i.loanId)).toEqual([
      'G-1',
    ]);
  });
});

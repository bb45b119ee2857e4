/**
 * The sweep's guarantees (SPEC §5) on the emulators: concurrent runs and catch-up charge exactly
 * once, SNS failures lose no event, a split run equals an uninterrupted one, and dry runs and
 * invalid requests write nothing.
 */
import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../../functions/core/types';
import type { ContinuationPayload } from '../../../functions/sweep/request';
import { runSweep } from '../../../functions/sweep/run-sweep';
import { freshResources } from '../../support/aws';
import {
  clients,
  faultySns,
  inst,
  loanItem,
  putItems,
  receivedEvents,
  scanAll,
  sweeper,
} from './support';

const loans = () =>
  [
    loanItem('G-1', [inst(1, '2026-11-10'), inst(2, '2026-12-10')]),
    loanItem('G-2', [inst(1, '2026-10-20')]),
    loanItem('G-3', [inst(1, '2026-11-20')]),
    loanItem('G-4', [inst(1, '2026-11-29')]),
    loanItem('G-5', [inst(1, '2026-06-01')]),
    loanItem('G-6', [inst(1, '2026-09-01'), inst(2, '2026-10-01')]),
  ].map((item) => JSON.parse(JSON.stringify(item)) as Record<string, unknown>);

async function portfolio(label: string) {
  const resources = await freshResources(clients, label);
  await putItems(clients.doc, resources.tables.LOANS_TABLE_NAME, loans());
  return resources;
}

/** The sweep state of every loan, without the version counter (which clearing steps bump). */
async function endState(resources: Awaited<ReturnType<typeof portfolio>>) {
  const items = await scanAll(clients.doc, resources.tables.LOANS_TABLE_NAME);
  const ledger = await scanAll(clients.doc, resources.tables.LEDGER_TABLE_NAME);
  return {
    loans: items
      .map(({ version: _v, ...rest }) => rest)
      .sort((a, b) => String(a.loanId).localeCompare(String(b.loanId))),
    ledger: ledger
      .map(({ runId: _r, ...rest }) => rest)
      .sort((a, b) => `${a.loanId}${a.entryId}`.localeCompare(`${b.loanId}${b.entryId}`)),
  };
}

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
    const charged = (s: typeof a) => s.summary.charges.CNY?.penaltyInterest ?? 0;
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
    const total = (state: Awaited<ReturnType<typeof endState>>) =>
      state.loans.map((l) => [l.loanId, l.penaltyCharged, l.lateFeesCharged, l.status, l.bucket]);
    expect(total(await endState(catchUp))).toEqual(total(await endState(dailyRun)));
    expect(total(await endState(daily)).length).toBe(6);
  });
});

describe('no lost events', () => {
  it('SNS failing some entries, then an outage, loses nothing: the next run delivers the same ids and charges nothing twice', async () => {
    const reference = await portfolio('sweep-sns-ref');
    await sweeper(reference).run({ asOf: '2026-11-28' });
    const wanted = ids(await receivedEvents(reference)).filter((id) => !id.startsWith('sweep.'));

    const resources = await portfolio('sweep-sns');
    const faults = {
      failIds: (id: string) => id.includes('overdue') || id.startsWith('G-5'),
      outage: false,
    };
    const sns = faultySns(faults);
    const first = await sweeper(resources, { sns }).run({ asOf: '2026-11-28' });
    expect(first.summary.eventsPending).toBeGreaterThan(0);
    const ledgerAfterFirst = await scanAll(clients.doc, resources.tables.LEDGER_TABLE_NAME);
    const chargedOff = (await scanAll(clients.doc, resources.tables.LOANS_TABLE_NAME)).find(
      (l) => l.loanId === 'G-5',
    );
    // Charged off, yet still in the index because its events are pending.
    expect(chargedOff).toMatchObject({ status: 'CHARGED_OFF', nextDueDate: '2026-06-01' });
    expect(Object.keys(chargedOff?.outbox as object).length).toBeGreaterThan(0);

    faults.outage = true;
    const second = await sweeper(resources, { sns }).run({ asOf: '2026-11-28' });
    expect(second.summary).toMatchObject({ eventsPublished: 0, loansCharged: 0 });
    expect(second.summary.sweepCompleted?.published).toBe(false);

    faults.outage = false;
    faults.failIds = () => false;
    const third = await sweeper(resources, { sns }).run({ asOf: '2026-11-28' });
    expect(third.summary).toMatchObject({ eventsPending: 0, loansCharged: 0 });

    const delivered = ids(await receivedEvents(resources));
    expect([...new Set(delivered.filter((id) => !id.startsWith('sweep.')))].sort()).toEqual(wanted);
    expect(await scanAll(clients.doc, resources.tables.LEDGER_TABLE_NAME)).toHaveLength(
      ledgerAfterFirst.length,
    );
    const items = await scanAll(clients.doc, resources.tables.LOANS_TABLE_NAME);
    for (const item of items) expect(item.outbox, String(item.loanId)).toBeUndefined();
    expect(items.find((l) => l.loanId === 'G-5')?.nextDueDate).toBeUndefined();
  });
});

describe('time budget', () => {
  it('a tiny budget splits the run into continuations whose end state equals one run', async () => {
    const whole = await portfolio('sweep-whole');
    await sweeper(whole).run({ asOf: '2026-11-28' });

    const split = await portfolio('sweep-split');
    const sweep = sweeper(split);
    let started = 0;
    // Exhausted after every second check: each part sweeps a loan or two, then hands on.
    const budget = { exhausted: () => ++started % 2 === 0 };
    let result = await runSweep(sweep.job({ asOf: '2026-11-28' }), { ...sweep.deps, budget });
    const parts = [result.summary];
    while (!result.summary.complete) {
      const payload = sweep.continuations.at(-1) as ContinuationPayload;
      // Through JSON, as Lambda would deliver it.
      result = await runSweep(sweep.job(JSON.parse(JSON.stringify(payload))), {
        ...sweep.deps,
        budget,
      });
      parts.push(result.summary);
      expect(parts.length).toBeLessThan(30);
    }
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.slice(0, -1).every((p) => !p.complete)).toBe(true);
    expect(result.summary.part).toBe(parts.length);
    expect(await endState(split)).toEqual(await endState(whole));
    expect(result.summary.loansExamined).toBe(6);
    const completed = (await receivedEvents(split)).filter((e) => e.type === 'sweep.completed');
    expect(completed).toHaveLength(1);
  });
});

describe('dry runs and invalid requests', () => {
  it('a dry run writes and publishes nothing and previews the charges', async () => {
    const resources = await portfolio('sweep-dry');
    const before = await endState(resources);
    const { summary } = await sweeper(resources).run({ asOf: '2026-11-28', dryRun: true });
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
    const { summary } = await sweep.run({ asOf: '2026-11-28', loanIds: ['G-1', 'G-404'] });
    expect(summary.runId).toMatch(/^sweep-2026-11-28-[0-9a-f]{10}$/);
    expect(summary.loansExamined).toBe(1);
    expect(summary.skipped.loans).toEqual([{ loanId: 'G-404', reason: 'not found' }]);
    const items = await scanAll(clients.doc, resources.tables.LOANS_TABLE_NAME);
    expect(items.filter((i) => i.accruedThrough !== undefined).map((i) => i.loanId)).toEqual([
      'G-1',
    ]);
  });
});

/**
 * A mixed portfolio swept on DynamoDB Local and the SNS/SQS emulator: every loan ends exactly as
 * the core engine says, closed loans are never read, and re-runs change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsOfStoredOutbox } from '../../../functions/adapters/outbox-text';
import { assess } from '../../../functions/core/assess';
import { messageBodyOf } from '../../../functions/core/events';
import { isChargeEntry } from '../../../functions/core/ledger';
import { parseLoanItem } from '../../../functions/core/loan';
import { policyFor } from '../../../functions/core/policy';
import type { Assessment, EventEnvelope } from '../../../functions/core/types';
import { freshResources } from '../../../local/fixtures/aws';
import { d, installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  BOOK,
  clients,
  ledgerOf,
  NOW,
  putItems,
  receivedEvents,
  scanAll,
  sweeper,
} from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

const ASOF = d('2026-11-28');

const PORTFOLIO = [
  loanItem('L-beyond', [inst(1, '2026-12-20')]),
  loanItem('L-due-soon', [inst(1, '2026-12-01')]),
  loanItem('L-grace', [inst(1, '2026-11-26')]),
  loanItem('L-m1', [inst(1, '2026-11-10'), inst(2, '2026-12-10')]),
  loanItem('L-m3', [inst(1, '2026-09-10'), inst(2, '2026-10-10'), inst(3, '2026-11-10')]),
  loanItem('L-capped', [inst(1, '2026-10-01')], { productCode: 'CAPPED' }),
  loanItem('L-forbearance', [inst(1, '2026-11-01')], { forbearanceUntil: '2026-12-31' }),
  loanItem('L-charge-off', [inst(1, '2026-06-01'), inst(2, '2026-07-01')]),
  loanItem('L-paid-stale', [inst(1, '2026-11-01', true)], { nextDueDate: '2026-11-01' }),
  loanItem('L-paid-off', [inst(1, '2026-10-01', true)], { status: 'PAID_OFF' }),
  loanItem('L-cancelled', [inst(1, '2026-10-01')], { status: 'CANCELLED', nextDueDate: undefined }),
  loanItem('L-malformed', [inst(1, '2026-11-01')], { principal: undefined }),
].map((item) => JSON.parse(JSON.stringify(item)) as Record<string, unknown>);

const CLOSED = ['L-paid-off', 'L-cancelled'];
const NOT_CANDIDATES = ['L-beyond', ...CLOSED];

let resources: LocalResources;
let expected: Map<string, Assessment>;

beforeAll(async () => {
  resources = await freshResources(clients, 'sweep-portfolio');
  await putItems(resources.tables.LOANS_TABLE_NAME, PORTFOLIO);
  expected = new Map();
  for (const item of PORTFOLIO) {
    const parsed = parseLoanItem(item);
    if (!parsed.ok) continue;
    const policy = policyFor(BOOK, parsed.loan.productCode);
    const run = { runId: `sweep-${ASOF}`, occurredAt: NOW.toISOString() };
    expected.set(parsed.loan.loanId, assess(parsed.loan, policy, ASOF, run));
  }
});

function change(loanId: string) {
  const a = expected.get(loanId);
  if (a?.kind !== 'change') throw new Error(`${loanId} is expected to change`);
  return a;
}

describe('a full sweep of a mixed portfolio', () => {
  let firstEvents: EventEnvelope[];
  let summary: Awaited<ReturnType<ReturnType<typeof sweeper>['run']>>;
  let reads: string[];

  beforeAll(async () => {
    const sweep = sweeper(resources);
    reads = sweep.reads;
    summary = await sweep.run({ asOf: ASOF });
    firstEvents = await receivedEvents(resources);
  });

  it('never reads a closed loan or one due beyond the horizon', () => {
    for (const loanId of NOT_CANDIDATES) expect(reads).not.toContain(loanId);
    expect(new Set(reads)).toEqual(
      new Set(PORTFOLIO.map((i) => String(i.loanId)).filter((id) => !NOT_CANDIDATES.includes(id))),
    );
  });

  it('leaves every loan exactly as the core engine decided', async () => {
    const items = new Map(
      (await scanAll(resources.tables.LOANS_TABLE_NAME)).map((i) => [i.loanId, i]),
    );
    for (const [loanId, assessment] of expected) {
      const item = items.get(loanId);
      if (assessment.kind !== 'change') {
        expect(item?.version, loanId).toBeUndefined();
        continue;
      }
      const { update } = assessment;
      expect(item, loanId).toMatchObject({
        accruedThrough: update.accruedThrough,
        dpd: update.dpd,
        bucket: update.bucket,
        lateFeesCharged: update.lateFeesCharged,
        penaltyCharged: update.penaltyCharged,
        status: update.status ?? 'ACTIVE',
      });
      // The events are recorded with the write, exactly as the engine built them.
      const recorded = eventsOfStoredOutbox(item?.outbox, loanId);
      expect(recorded.ok && recorded.events, `${loanId} outbox`).toEqual(assessment.events);
      expect(item?.nextDueDate, `${loanId} index key`).toBe(update.nextDueDate ?? undefined);
      const installments = item?.installments as Record<string, unknown>[];
      for (const change of update.installments) {
        expect(installments.find((inst) => inst.seq === change.seq)).toMatchObject({
          seq: change.seq,
          lateFeeCharged: change.lateFeeCharged,
          ...(change.penaltyThrough && { penaltyThrough: change.penaltyThrough }),
        });
      }
    }
  });

  it('writes exactly the ledger entries the engine computed, rates as exact numbers', async () => {
    for (const [loanId, assessment] of expected) {
      const entries = await ledgerOf(resources, loanId);
      const want = assessment.kind === 'change' ? assessment.ledgerEntries : [];
      expect(entries.map((e) => e.entryId).sort(), loanId).toEqual(
        want.map((e) => e.entryId).sort(),
      );
      for (const entry of want) {
        const { lines, ...head } = entry;
        const got = entries.find((e) => e.entryId === entry.entryId);
        expect(got).toMatchObject(head);
        const gotLines = got?.lines as Record<string, unknown>[];
        expect(gotLines).toHaveLength(lines.length);
        lines.forEach(({ rate, ...line }, index) => {
          expect(gotLines[index]).toMatchObject(line);
          // Written as a DynamoDB number from the exact decimal text.
          if (rate !== undefined) expect(String(gotLines[index]?.rate)).toBe(rate);
        });
      }
    }
    expect(change('L-m1').ledgerEntries.length).toBeGreaterThan(0);
    const cappedLine = change('L-capped')
      .ledgerEntries.filter(isChargeEntry)
      .some((e) => e.lines.some((line) => line.capped));
    expect(cappedLine).toBe(true);
  });

  it('publishes every event the engine built, once, and sweep.completed', () => {
    const want = [...expected.values()].flatMap((a) => (a.kind === 'change' ? a.events : []));
    const loanEvents = firstEvents.filter((e) => e.type !== 'sweep.completed');
    expect(loanEvents.map((e) => e.id).sort()).toEqual(want.map((e) => e.id).sort());
    for (const event of want) {
      expect(loanEvents.find((e) => e.id === event.id)).toEqual(JSON.parse(messageBodyOf(event)));
    }
    const completed = firstEvents.filter((e) => e.type === 'sweep.completed');
    expect(completed.map((e) => e.id)).toEqual([`sweep.completed:${ASOF}:sweep-${ASOF}`]);
    expect(completed[0]?.data).toMatchObject({ loansCharged: summary.loansCharged });
  });

  it('summarises charges per currency, charge-offs and the malformed loan', () => {
    const changes = [...expected.values()].flatMap((a) => (a.kind === 'change' ? [a] : []));
    const sum = (pick: (a: (typeof changes)[number]) => number) =>
      changes.reduce((total, a) => total + pick(a), 0);
    expect(summary).toMatchObject({
      runId: `sweep-${ASOF}`,
      asOf: ASOF,
      dryRun: false,
      complete: true,
      loansExamined: expected.size - NOT_CANDIDATES.length,
      loansOverdue: changes.filter((a) => a.outcome.overdue).length,
      loansCharged: changes.filter((a) => a.outcome.lateFee + a.outcome.penaltyInterest > 0).length,
      chargedOff: 1,
      charges: {
        CNY: {
          lateFees: sum((a) => a.outcome.lateFee),
          penaltyInterest: sum((a) => a.outcome.penaltyInterest),
        },
      },
      eventsRecorded: sum((a) => a.events.length),
      eventsPublished: sum((a) => a.events.length),
      sweepCompleted: { runRecord: 'recorded' },
    });
    expect(summary.skipped).toEqual({
      count: 1,
      loans: [{ loanId: 'L-malformed', reason: 'principal: missing' }],
    });
    expect(change('L-charge-off').update.status).toBe('CHARGED_OFF');
  });

  it('a re-run for the same date charges nothing and publishes no new event id', async () => {
    const before = await scanAll(resources.tables.LEDGER_TABLE_NAME);
    const again = await sweeper(resources).run({ asOf: ASOF });
    const events = await receivedEvents(resources);
    expect(await scanAll(resources.tables.LEDGER_TABLE_NAME)).toHaveLength(before.length);
    const firstIds = new Set(firstEvents.map((e) => e.id));
    expect(events.filter((e) => !firstIds.has(e.id))).toEqual([]);
    expect(again).toMatchObject({ loansCharged: 0, charges: {}, eventsRecorded: 0 });
  });
});

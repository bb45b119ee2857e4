/**
 * Delinquency episodes on the emulators (docs/contract.md, Delinquency episodes): a book swept day
 * by day through November 2026 by the product's wiring, upstream posting payments, promises and a
 * payoff in between. Each transition on its threshold (the defaults and a product's own), forbearance
 * and a pending promise holding the notice or the offer back, promises kept and broken, a cure and
 * a second episode with new ids, a charge-off (LOSS, no release), a loan paid off upstream
 * mid-episode, a malformed promise, and a re-run that changes nothing.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../functions/contract/events';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate, EventEnvelope } from '../../../functions/core/types';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  postPayment,
  putItems,
  receivedEvents,
  storedLoan,
  sweepEndState,
  sweeper,
} from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

type Item = Record<string, unknown>;

/** The built-in thresholds, and a product with its own. */
const POLICY = JSON.stringify({
  default: { lateFee: 500 },
  products: {
    CUSTOM: {
      riskClassDpd: { SPECIAL_MENTION: 10, SUBSTANDARD: 20, DOUBTFUL: 30, LOSS: 40 },
      creditHoldDpd: 5,
      creditNoticeDpd: 3,
      hardshipOfferDpd: 0,
    },
  },
});

const FIRST = '2026-11-01' as BusinessDate;
const LAST = '2026-11-28' as BusinessDate;
const day = (n: number) => addDays(FIRST, n - 1);

/** What upstream writes before the run of a date. */
const upstream: Record<string, (resources: LocalResources) => Promise<void>> = {
  '2026-11-05': (r) =>
    setAttributes(r, 'E-paidoff', {
      promiseToPay: {
        promiseId: 'PTP-P',
        madeOn: '2026-11-05',
        until: '2026-11-30',
        amount: 99_999,
      },
    }),
  // Instalment 1 paid on the 5th (seen by the run of the 6th): the only overdue one, a cure.
  '2026-11-06': (r) =>
    postPayment(r, 'E-cure', 0, {
      paymentId: 'PAY-C1',
      valueDate: '2026-11-05',
      principal: 10_000,
      interest: 300,
    }),
  '2026-11-10': async (r) => {
    await setAttributes(r, 'E-pending', {
      promiseToPay: {
        promiseId: 'PTP-1',
        madeOn: '2026-11-10',
        until: '2026-11-25',
        amount: 50_000,
      },
    });
    await setAttributes(r, 'E-kept', {
      promiseToPay: {
        promiseId: 'PTP-2',
        madeOn: '2026-11-10',
        until: '2026-11-20',
        amount: 10_300,
      },
    });
    // Paid in full and closed upstream; the index key left behind.
    await postPayment(
      r,
      'E-paidoff',
      0,
      { paymentId: 'PAY-P1', valueDate: '2026-11-09', principal: 10_000, interest: 300 },
      'PAID_OFF',
    );
  },
  // Instalment 1 of two overdue paid on the 11th: the promise's amount, the episode goes on.
  '2026-11-12': (r) =>
    postPayment(r, 'E-kept', 0, {
      paymentId: 'PAY-K1',
      valueDate: '2026-11-11',
      principal: 10_000,
      interest: 300,
    }),
};

async function setAttributes(resources: LocalResources, loanId: string, attributes: Item) {
  const names = Object.keys(attributes);
  await clients.doc.send(
    new UpdateCommand({
      TableName: resources.tables.LOANS_TABLE_NAME,
      Key: { loanId },
      UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(
        names.map((name, i) => [`:v${i}`, attributes[name]]),
      ),
    }),
  );
}

const EPISODE_ATTRIBUTES = [
  'riskClass',
  'delinquentSince',
  'creditHold',
  'creditNoticeOn',
  'hardshipOfferId',
  'promiseOutcome',
] as const;

/** A loan's episode attributes as stored. */
function episodeOf(item: Item): Item {
  return Object.fromEntries(
    EPISODE_ATTRIBUTES.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]),
  );
}

let resources: LocalResources;
/** loanId → date → the loan's episode attributes after that date's run. */
const after = new Map<string, Map<string, Item>>();
const skippedOn = new Map<string, readonly { loanId: string; reason: string }[]>();
const events: EventEnvelope[] = [];
const seen = new Set<string>();

const TRACKED = [
  'E-1',
  'E-custom',
  'E-91',
  'E-121',
  'E-forbear',
  'E-pending',
  'E-kept',
  'E-cure',
  'E-chargeoff',
  'E-paidoff',
  'E-current',
];

const state = (loanId: string, date: string) => after.get(loanId)?.get(date) ?? {};
/** A loan's events (of `type`), in the contract's order within a date: SQS delivers in any order. */
const eventsOf = (loanId: string, type?: string) =>
  events
    .filter((e) => e.loanId === loanId && (type === undefined || e.type === type))
    .sort(
      (a, b) =>
        a.asOf.localeCompare(b.asOf) || EVENT_TYPES.indexOf(a.type) - EVENT_TYPES.indexOf(b.type),
    );
const idsOf = (loanId: string, type: string) => eventsOf(loanId, type).map((e) => e.id);

beforeAll(async () => {
  resources = await freshResources(clients, 'episodes');
  const due = (dpdOn: number, date: string) => addDays(date as BusinessDate, -dpdOn);
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    loanItem('E-1', [inst(1, '2026-11-01')]),
    loanItem('E-custom', [inst(1, '2026-11-01')], { productCode: 'CUSTOM' }),
    loanItem('E-91', [inst(1, due(91, '2026-11-02'))]),
    loanItem('E-121', [inst(1, due(121, '2026-11-02'))]),
    loanItem('E-forbear', [inst(1, '2026-11-01')], { forbearanceUntil: '2026-11-20' }),
    loanItem('E-pending', [inst(1, '2026-11-01')]),
    loanItem('E-kept', [inst(1, '2026-11-01'), inst(2, '2026-11-05')]),
    loanItem('E-cure', [inst(1, '2026-11-01'), inst(2, '2026-11-10')]),
    loanItem('E-chargeoff', [inst(1, due(180, '2026-11-27'))]),
    loanItem('E-paidoff', [inst(1, '2026-11-01')]),
    loanItem('E-badpromise', [inst(1, '2026-11-01')], {
      promiseToPay: { promiseId: 'PTP-X', madeOn: '2026-11-05', until: '2026-11-01', amount: 100 },
    }),
    // Due on the 30th: read for its due-soon reminders, never overdue.
    loanItem('E-current', [inst(1, '2026-11-30')]),
  ]);
  for (let n = 1; day(n) <= LAST; n++) {
    const asOf = day(n);
    await upstream[asOf]?.(resources);
    const summary = await sweeper(resources, { env: { FEE_POLICY: POLICY } }).run({ asOf });
    skippedOn.set(asOf, summary.skipped.loans);
    for (const loanId of TRACKED) {
      const byDate = after.get(loanId) ?? new Map<string, Item>();
      const item = await storedLoan(resources, loanId);
      byDate.set(asOf, { ...episodeOf(item), status: item.status, dpd: item.dpd });
      after.set(loanId, byDate);
    }
    // Drained day by day until every event the run recorded has arrived; delivery is at least
    // once, so a message seen again after its visibility timeout is counted once, by its id.
    const deadline = Date.now() + 30_000;
    let arrived = 0;
    while (arrived < summary.eventsRecorded && Date.now() < deadline) {
      for (const event of await receivedEvents(resources)) {
        if (!seen.has(event.id)) events.push(event);
        seen.add(event.id);
      }
      arrived = events.filter((e) => e.asOf === asOf && e.type !== 'sweep.completed').length;
    }
    expect(arrived, asOf).toBe(summary.eventsRecorded);
  }
}, 300_000);

describe('the default thresholds', () => {
  it('dpd 1 begins the episode: SPECIAL_MENTION, the hold and the notice, written on the item', () => {
    expect(state('E-1', '2026-11-01')).toEqual({ status: 'ACTIVE', dpd: 0 });
    expect(state('E-1', '2026-11-02')).toEqual({
      status: 'ACTIVE',
      dpd: 1,
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-11-02',
      creditHold: true,
      creditNoticeOn: '2026-11-02',
    });
    expect(idsOf('E-1', 'loan.credit_hold')).toEqual(['E-1:loan.credit_hold:2026-11-02']);
    expect(eventsOf('E-1', 'loan.credit_report_notice').map((e) => [e.id, e.data])).toEqual([
      [
        'E-1:loan.credit_report_notice:2026-11-02',
        {
          dpd: 1,
          amountOverdue: 10_300,
          currency: 'CNY',
          settlementDate: '2026-11-30',
          delinquentSince: '2026-11-02',
        },
      ],
    ]);
    expect(idsOf('E-1', 'loan.risk_class_changed')).toEqual([
      'E-1:loan.risk_class_changed:2026-11-02',
    ]);
  });

  it('the offer comes on dpd 15, not 14, once, with the episode’s id', () => {
    expect(state('E-1', '2026-11-15').hardshipOfferId).toBeUndefined();
    expect(state('E-1', '2026-11-16').hardshipOfferId).toBe('E-1:hardship:2026-11-02');
    expect(eventsOf('E-1', 'loan.hardship_offer').map((e) => [e.id, e.data])).toEqual([
      [
        'E-1:loan.hardship_offer:2026-11-16',
        { offerId: 'E-1:hardship:2026-11-02', dpd: 15, amountOverdue: 10_300, currency: 'CNY' },
      ],
    ]);
  });

  it('loan.overdue carries the episode every day', () => {
    const overdue = eventsOf('E-1', 'loan.overdue');
    expect(overdue).toHaveLength(27);
    expect(overdue.find((e) => e.asOf === '2026-11-28')?.data).toMatchObject({
      dpd: 27,
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-11-02',
      creditHold: true,
      creditNoticeOn: '2026-11-02',
      promisePending: false,
    });
  });

  it('SUBSTANDARD from dpd 91 and DOUBTFUL from dpd 121', () => {
    expect(state('E-91', '2026-11-01').riskClass).toBe('SPECIAL_MENTION');
    expect(state('E-91', '2026-11-02').riskClass).toBe('SUBSTANDARD');
    expect(state('E-121', '2026-11-01').riskClass).toBe('SUBSTANDARD');
    expect(state('E-121', '2026-11-02').riskClass).toBe('DOUBTFUL');
    expect(eventsOf('E-121', 'loan.risk_class_changed').map((e) => [e.asOf, e.data])).toEqual([
      ['2026-11-01', { from: 'NORMAL', to: 'SUBSTANDARD', dpd: 120 }],
      ['2026-11-02', { from: 'SUBSTANDARD', to: 'DOUBTFUL', dpd: 121 }],
    ]);
  });

  it('a loan never overdue carries no episode attribute', () => {
    expect(state('E-current', '2026-11-28')).toEqual({ status: 'ACTIVE', dpd: 0 });
    expect(eventsOf('E-current').map((e) => e.type)).toContain('loan.payment_due_soon');
  });
});

describe('a product’s own thresholds', () => {
  it('notice on dpd 3, hold on dpd 5, classes from 10 and 20, no offer (0 = never)', () => {
    expect(idsOf('E-custom', 'loan.credit_report_notice')).toEqual([
      'E-custom:loan.credit_report_notice:2026-11-04',
    ]);
    expect(idsOf('E-custom', 'loan.credit_hold')).toEqual(['E-custom:loan.credit_hold:2026-11-06']);
    expect(eventsOf('E-custom', 'loan.risk_class_changed').map((e) => [e.asOf, e.data])).toEqual([
      ['2026-11-11', { from: 'NORMAL', to: 'SPECIAL_MENTION', dpd: 10 }],
      ['2026-11-21', { from: 'SPECIAL_MENTION', to: 'SUBSTANDARD', dpd: 20 }],
    ]);
    const fifth = state('E-custom', '2026-11-05');
    expect(fifth.creditNoticeOn).toBe('2026-11-04');
    expect(fifth.riskClass).toBeUndefined(); // NORMAL below dpd 10: never written
    expect(fifth.creditHold).toBeUndefined(); // not held below dpd 5
    expect(eventsOf('E-custom', 'loan.hardship_offer')).toEqual([]);
    expect(state('E-custom', '2026-11-28').hardshipOfferId).toBeUndefined();
  });
});

describe('forbearance and a pending promise', () => {
  it('forbearance holds back the notice and the offer until it ends, not the hold', () => {
    expect(idsOf('E-forbear', 'loan.credit_hold')).toEqual([
      'E-forbear:loan.credit_hold:2026-11-02',
    ]);
    expect(idsOf('E-forbear', 'loan.credit_report_notice')).toEqual([
      'E-forbear:loan.credit_report_notice:2026-11-21',
    ]);
    expect(idsOf('E-forbear', 'loan.hardship_offer')).toEqual([
      'E-forbear:loan.hardship_offer:2026-11-21',
    ]);
  });

  it('a pending promise holds back the offer; broken the day after until, the offer follows', () => {
    const overdue16 = eventsOf('E-pending', 'loan.overdue').find((e) => e.asOf === '2026-11-16');
    expect(overdue16?.data).toMatchObject({ promisePending: true, dpd: 15 });
    expect(idsOf('E-pending', 'loan.hardship_offer')).toEqual([
      'E-pending:loan.hardship_offer:2026-11-26',
    ]);
    expect(eventsOf('E-pending', 'loan.promise_broken').map((e) => [e.id, e.data])).toEqual([
      [
        'E-pending:loan.promise_broken:2026-11-26',
        { promiseId: 'PTP-1', until: '2026-11-25', amount: 50_000, paid: 0, currency: 'CNY' },
      ],
    ]);
    expect(state('E-pending', '2026-11-26').promiseOutcome).toEqual({
      promiseId: 'PTP-1',
      outcome: 'BROKEN',
      asOf: '2026-11-26',
    });
  });

  it('a promise is kept by a payment value-dated within its dates that reaches the amount', () => {
    expect(eventsOf('E-kept', 'loan.promise_kept').map((e) => [e.id, e.data])).toEqual([
      [
        'E-kept:loan.promise_kept:2026-11-12',
        { promiseId: 'PTP-2', until: '2026-11-20', amount: 10_300, paid: 10_300, currency: 'CNY' },
      ],
    ]);
    // Instalment 2 is still overdue: the same episode goes on.
    expect(state('E-kept', '2026-11-12')).toMatchObject({
      delinquentSince: '2026-11-02',
      creditHold: true,
      promiseOutcome: { promiseId: 'PTP-2', outcome: 'KEPT', asOf: '2026-11-12' },
    });
    expect(eventsOf('E-kept', 'loan.credit_released')).toEqual([]);
  });
});

describe('a cure and a second episode', () => {
  it('the cure releases the hold, goes back to NORMAL and removes the episode’s attributes', () => {
    expect(state('E-cure', '2026-11-06')).toEqual({
      status: 'ACTIVE',
      dpd: 0,
      riskClass: 'NORMAL',
      creditHold: false,
    });
    expect(
      eventsOf('E-cure')
        .filter((e) => e.asOf === '2026-11-06')
        .map((e) => [e.type, e.data]),
    ).toEqual([
      ['loan.delinquency_changed', { from: 'M1', to: 'M0', dpd: 0 }],
      ['loan.risk_class_changed', { from: 'SPECIAL_MENTION', to: 'NORMAL', dpd: 0 }],
      ['loan.credit_released', { dpd: 0, delinquentSince: '2026-11-02' }],
    ]);
  });

  it('the next overdue begins a new episode with new ids for the hold, the notice and the offer', () => {
    expect(idsOf('E-cure', 'loan.credit_hold')).toEqual([
      'E-cure:loan.credit_hold:2026-11-02',
      'E-cure:loan.credit_hold:2026-11-11',
    ]);
    expect(idsOf('E-cure', 'loan.credit_report_notice')).toEqual([
      'E-cure:loan.credit_report_notice:2026-11-02',
      'E-cure:loan.credit_report_notice:2026-11-11',
    ]);
    expect(eventsOf('E-cure', 'loan.hardship_offer').map((e) => e.data.offerId)).toEqual([
      'E-cure:hardship:2026-11-11',
    ]);
    expect(state('E-cure', '2026-11-28')).toMatchObject({
      delinquentSince: '2026-11-11',
      creditNoticeOn: '2026-11-11',
      hardshipOfferId: 'E-cure:hardship:2026-11-11',
    });
  });
});

describe('a charge-off', () => {
  it('stays on hold and becomes LOSS, with no release, the episode’s attributes removed', () => {
    expect(state('E-chargeoff', '2026-11-27')).toEqual({
      status: 'CHARGED_OFF',
      dpd: 180,
      riskClass: 'LOSS',
      creditHold: true,
    });
    expect(eventsOf('E-chargeoff', 'loan.credit_released')).toEqual([]);
    const last = eventsOf('E-chargeoff').filter((e) => e.asOf === '2026-11-27');
    expect(last.map((e) => e.type)).toEqual([
      'loan.overdue',
      'loan.fee_applied',
      'loan.risk_class_changed',
      'loan.charged_off',
    ]);
    // The ending write's events carry the episode as it was.
    expect(last[0]?.data).toMatchObject({
      riskClass: 'LOSS',
      creditHold: true,
      delinquentSince: addDays(addDays('2026-11-27' as BusinessDate, -180), 1),
      creditNoticeOn: '2026-11-01',
    });
    expect(eventsOf('E-chargeoff').filter((e) => e.asOf === '2026-11-28')).toEqual([]);
  });
});

describe('a loan paid off upstream mid-episode', () => {
  it('the write that takes it out of the index ends the episode and decides the promise', () => {
    expect(state('E-paidoff', '2026-11-10')).toEqual({
      status: 'PAID_OFF',
      dpd: 0,
      riskClass: 'NORMAL',
      creditHold: false,
      promiseOutcome: { promiseId: 'PTP-P', outcome: 'KEPT', asOf: '2026-11-10' },
    });
    expect(
      eventsOf('E-paidoff')
        .filter((e) => e.asOf === '2026-11-10')
        .map((e) => [e.type, e.data]),
    ).toEqual([
      ['loan.delinquency_changed', { from: 'M1', to: 'M0', dpd: 0 }],
      ['loan.risk_class_changed', { from: 'SPECIAL_MENTION', to: 'NORMAL', dpd: 0 }],
      ['loan.credit_released', { dpd: 0, delinquentSince: '2026-11-02' }],
      [
        'loan.promise_kept',
        { promiseId: 'PTP-P', until: '2026-11-30', amount: 99_999, paid: 10_300, currency: 'CNY' },
      ],
    ]);
    expect(eventsOf('E-paidoff').filter((e) => e.asOf > '2026-11-10')).toEqual([]);
  });
});

describe('a malformed promise', () => {
  it('skips the loan every run with a reason naming it', () => {
    for (const asOf of ['2026-11-02', '2026-11-28']) {
      expect(skippedOn.get(asOf)).toContainEqual({
        loanId: 'E-badpromise',
        reason: 'promiseToPay.until: 2026-11-01 is before madeOn 2026-11-05',
      });
    }
    expect(eventsOf('E-badpromise')).toEqual([]);
  });
});

describe('each once-per-episode event once, and re-runs', () => {
  it('at most one event of a type a day, and each once-per-episode event once', () => {
    for (const loanId of TRACKED) {
      for (const type of ['loan.credit_hold', 'loan.credit_report_notice', 'loan.hardship_offer']) {
        const episodes = eventsOf(loanId, type).map((e) => {
          const data = e.data as { delinquentSince?: string; offerId?: string };
          return data.delinquentSince ?? data.offerId;
        });
        expect(new Set(episodes).size, `${loanId} ${type}`).toBe(episodes.length);
      }
    }
  });

  it('a re-run of the last date changes nothing and publishes no new event id', async () => {
    const before = await sweepEndState(resources);
    const summary = await sweeper(resources, { env: { FEE_POLICY: POLICY } }).run({ asOf: LAST });
    expect(summary.loansCharged).toBe(0);
    expect(await sweepEndState(resources)).toEqual(before);
    const again = await receivedEvents(resources);
    const known = new Set(events.map((e) => e.id));
    expect(again.filter((e) => !known.has(e.id))).toEqual([]);
  });

  it('a dry run of the next date previews and writes nothing', async () => {
    const before = await sweepEndState(resources);
    const preview = await sweeper(resources, { env: { FEE_POLICY: POLICY } }).run({
      asOf: '2026-11-29',
      dryRun: true,
    });
    expect(preview).toMatchObject({ dryRun: true, complete: true });
    expect(preview.loansOverdue).toBeGreaterThan(0);
    expect(await sweepEndState(resources)).toEqual(before);
    // Nothing new (a message seen before may come again after its visibility timeout).
    const known = new Set(events.map((e) => e.id));
    expect((await receivedEvents(resources)).filter((e) => !known.has(e.id))).toEqual([]);
  });
});

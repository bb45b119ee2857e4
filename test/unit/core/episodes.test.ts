/**
 * Delinquency episodes, hand-computed (docs/contract.md, Delinquency episodes): each transition on
 * its threshold, custom thresholds, forbearance and a pending promise holding back what they
 * hold back, promises kept and broken, a cure and a second episode, a charge-off, a loan closed
 * upstream mid-episode, catch-up runs and re-runs.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { addDays } from '../../../functions/core/dates';
import { riskClassOf } from '../../../functions/core/episodes';
import type {
  Assessment,
  BusinessDate,
  EventEnvelope,
  FeePolicy,
  Loan,
  PromiseToPay,
} from '../../../functions/core/types';
import {
  d,
  installment,
  ledgerBook,
  loan,
  policy,
  postPayments,
  RUN,
} from '../../../local/fixtures/loans';

/** The built-in thresholds: SPECIAL_MENTION 1, SUBSTANDARD 91, DOUBTFUL 121, LOSS 181; hold,
 * notice at 1, offer at 15, charge-off at 180. */
const POLICY = policy();

function change(result: Assessment) {
  if (result.kind !== 'change') throw new Error(`expected a change, got ${result.kind}`);
  return result;
}

const typesOf = (events: readonly EventEnvelope[]) => events.map((e) => e.type);
const dataOf = (events: readonly EventEnvelope[], type: string) =>
  events.find((e) => e.type === type)?.data;

/** The loan (one instalment due 2026-01-10) swept daily from 01-11 through `through`. */
function sweptDaily(through: string, p: FeePolicy = POLICY, start: Loan = loan()) {
  const book = ledgerBook(start);
  const events: EventEnvelope[] = [];
  for (let day = d('2026-01-11'); day <= through; day = addDays(day, 1)) {
    const result = book.run(p, day);
    if (result.kind === 'skip') throw new Error(result.reason);
    if (result.kind === 'change') events.push(...result.events);
  }
  return { book, events };
}

/** The instalment paid in full, value-dated `valueDate`, as a payment system posts it. */
const paidOn = (current: Loan, valueDate: string) =>
  postPayments(current, 1, [[`P-${valueDate}`, valueDate, 10_000, 300]]);

const promise = (overrides: Partial<PromiseToPay> = {}): PromiseToPay => ({
  promiseId: 'PTP-1',
  madeOn: d('2026-01-20'),
  until: d('2026-01-25'),
  amount: 10_300,
  ...overrides,
});

describe('risk class (五级分类)', () => {
  it.each([
    [0, 'NORMAL'],
    [1, 'SPECIAL_MENTION'],
    [90, 'SPECIAL_MENTION'],
    [91, 'SUBSTANDARD'],
    [120, 'SUBSTANDARD'],
    [121, 'DOUBTFUL'],
    [180, 'DOUBTFUL'],
    [181, 'LOSS'],
  ] as const)('at dpd %i is %s', (dpd, riskClass) => {
    expect(riskClassOf(dpd, POLICY)).toBe(riskClass);
  });

  it('a charged-off loan is LOSS whatever its dpd; below the first class a loan is NORMAL', () => {
    expect(riskClassOf(30, POLICY, true)).toBe('LOSS');
    const custom = policy({
      riskClassDpd: { SPECIAL_MENTION: 5, SUBSTANDARD: 31, DOUBTFUL: 61, LOSS: 91 },
    });
    expect(riskClassOf(4, custom)).toBe('NORMAL');
    expect(riskClassOf(5, custom)).toBe('SPECIAL_MENTION');
    expect(riskClassOf(61, custom)).toBe('DOUBTFUL');
    expect(riskClassOf(91, custom)).toBe('LOSS');
  });
});

describe('the episode begins on the first overdue day', () => {
  const result = change(assess(loan(), POLICY, d('2026-01-11'), RUN));

  it('sets delinquentSince the day after the due date, the class, the hold and the notice', () => {
    expect(result.update.episode).toEqual({
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-01-11',
      creditHold: true,
      creditNoticeOn: '2026-01-11',
    });
    expect(result.outcome).toMatchObject({
      riskClass: 'SPECIAL_MENTION',
      previousRiskClass: 'NORMAL',
      actions: {
        creditHoldPlaced: true,
        creditHoldReleased: false,
        creditNoticeRaised: true,
        hardshipOffered: false,
        promiseKept: false,
        promiseBroken: false,
      },
    });
  });

  it('raises each event once, in the contract order, with ids loanId:type:asOf', () => {
    expect(result.events.map((e) => e.id)).toEqual([
      'L-1:loan.overdue:2026-01-11',
      'L-1:loan.delinquency_changed:2026-01-11',
      'L-1:loan.risk_class_changed:2026-01-11',
      'L-1:loan.credit_hold:2026-01-11',
      'L-1:loan.credit_report_notice:2026-01-11',
    ]);
    expect(dataOf(result.events, 'loan.risk_class_changed')).toEqual({
      from: 'NORMAL',
      to: 'SPECIAL_MENTION',
      dpd: 1,
    });
    expect(dataOf(result.events, 'loan.credit_hold')).toEqual({
      dpd: 1,
      bucket: 'M1',
      delinquentSince: '2026-01-11',
    });
    // Reported at the month's settlement date unless repaid: the last day of January.
    expect(dataOf(result.events, 'loan.credit_report_notice')).toEqual({
      dpd: 1,
      amountOverdue: 10_300,
      currency: 'CNY',
      settlementDate: '2026-01-31',
      delinquentSince: '2026-01-11',
    });
    expect(dataOf(result.events, 'loan.overdue')).toMatchObject({
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-01-11',
      creditHold: true,
      creditNoticeOn: '2026-01-11',
      promisePending: false,
    });
  });

  it('the next days raise only loan.overdue, until the offer on dpd 15', () => {
    const { events } = sweptDaily('2026-01-25');
    const episodeEvents = events.filter((e) => e.type !== 'loan.overdue');
    expect(episodeEvents.map((e) => e.id)).toEqual([
      'L-1:loan.delinquency_changed:2026-01-11',
      'L-1:loan.risk_class_changed:2026-01-11',
      'L-1:loan.credit_hold:2026-01-11',
      'L-1:loan.credit_report_notice:2026-01-11',
      'L-1:loan.fee_applied:2026-01-14',
      'L-1:loan.fee_applied:2026-01-15',
      ...['16', '17', '18', '19', '20', '21', '22', '23', '24', '25'].map(
        (day) => `L-1:loan.fee_applied:2026-01-${day}`,
      ),
      'L-1:loan.hardship_offer:2026-01-25',
    ]);
    expect(dataOf(events, 'loan.hardship_offer')).toEqual({
      offerId: 'L-1:hardship:2026-01-11',
      dpd: 15,
      amountOverdue: 10_300,
      currency: 'CNY',
    });
  });

  it('the class steps on 91 and 121 and the offer is made once', () => {
    const { book, events } = sweptDaily('2026-05-11');
    const steps = events
      .filter((e) => e.type === 'loan.risk_class_changed')
      .map((e) => [e.asOf, e.data]);
    expect(steps).toEqual([
      ['2026-01-11', { from: 'NORMAL', to: 'SPECIAL_MENTION', dpd: 1 }],
      ['2026-04-11', { from: 'SPECIAL_MENTION', to: 'SUBSTANDARD', dpd: 91 }],
      ['2026-05-11', { from: 'SUBSTANDARD', to: 'DOUBTFUL', dpd: 121 }],
    ]);
    expect(events.filter((e) => e.type === 'loan.hardship_offer')).toHaveLength(1);
    expect(book.loan.episode).toMatchObject({ riskClass: 'DOUBTFUL', creditHold: true });
  });
});

describe('custom thresholds', () => {
  const custom = policy({ creditHoldDpd: 5, creditNoticeDpd: 3, hardshipOfferDpd: 0 });

  it('holds on dpd 5, notifies on dpd 3 and never offers when hardshipOfferDpd is 0', () => {
    const { book, events } = sweptDaily('2026-03-01', custom);
    const once = events.filter((e) =>
      ['loan.credit_hold', 'loan.credit_report_notice', 'loan.hardship_offer'].includes(e.type),
    );
    expect(once.map((e) => [e.type, e.dpd])).toEqual([
      ['loan.credit_report_notice', 3],
      ['loan.credit_hold', 5],
    ]);
    expect(book.loan.episode.hardshipOfferId).toBeUndefined();
  });

  it('raises the offer from its own threshold', () => {
    const { events } = sweptDaily('2026-01-25', policy({ hardshipOfferDpd: 7 }));
    expect(events.filter((e) => e.type === 'loan.hardship_offer').map((e) => e.dpd)).toEqual([7]);
  });
});

describe('forbearance', () => {
  const inForbearance = loan({ forbearanceUntil: d('2026-01-30') });

  it('holds the credit line but raises no notice and no offer while it lasts', () => {
    const { book, events } = sweptDaily('2026-01-30', POLICY, inForbearance);
    expect(typesOf(events)).toContain('loan.credit_hold');
    expect(typesOf(events)).not.toContain('loan.credit_report_notice');
    expect(typesOf(events)).not.toContain('loan.hardship_offer');
    expect(book.loan.episode).toMatchObject({ creditHold: true, delinquentSince: '2026-01-11' });
    expect(book.loan.episode.creditNoticeOn).toBeUndefined();
  });

  it('the first run after it raises the notice and the offer', () => {
    const { book } = sweptDaily('2026-01-30', POLICY, inForbearance);
    const next = change(book.run(POLICY, d('2026-01-31')));
    expect(typesOf(next.events)).toEqual(
      expect.arrayContaining(['loan.credit_report_notice', 'loan.hardship_offer']),
    );
    expect(next.update.episode).toMatchObject({
      creditNoticeOn: '2026-01-31',
      hardshipOfferId: 'L-1:hardship:2026-01-11',
    });
  });
});

describe('promises to pay', () => {
  it('a pending promise holds the offer back; once broken the offer is made on the same write', () => {
    const start = loan({ promiseToPay: promise({ madeOn: d('2026-01-12'), amount: 5_000 }) });
    const { book, events } = sweptDaily('2026-01-25', POLICY, start);
    expect(typesOf(events)).not.toContain('loan.hardship_offer');
    expect(dataOf(events, 'loan.overdue')).toMatchObject({ promisePending: false });
    expect(events.filter((e) => e.type === 'loan.overdue').at(-1)?.data).toMatchObject({
      promisePending: true,
    });
    const broken = change(book.run(POLICY, d('2026-01-26')));
    expect(typesOf(broken.events).slice(-2)).toEqual([
      'loan.hardship_offer',
      'loan.promise_broken',
    ]);
    expect(dataOf(broken.events, 'loan.promise_broken')).toEqual({
      promiseId: 'PTP-1',
      until: '2026-01-25',
      amount: 5_000,
      paid: 0,
      currency: 'CNY',
    });
    expect(broken.update.episode.promiseOutcome).toEqual({
      promiseId: 'PTP-1',
      outcome: 'BROKEN',
      asOf: '2026-01-26',
    });
    expect(broken.outcome.actions).toMatchObject({ promiseBroken: true, hardshipOffered: true });
    // Decided once: the next days raise nothing of the episode again.
    const next = change(book.run(POLICY, d('2026-01-27')));
    expect(typesOf(next.events)).toEqual(['loan.overdue', 'loan.fee_applied']);
    expect(dataOf(next.events, 'loan.overdue')).toMatchObject({ promisePending: false });
  });

  it('is kept by payments value-dated within its dates that reach the amount', () => {
    const two = loan({
      installments: [
        installment({ seq: 1, dueDate: d('2026-01-10') }),
        installment({ seq: 2, dueDate: d('2026-01-15') }),
      ],
      promiseToPay: promise({ madeOn: d('2026-01-18'), until: d('2026-01-31'), amount: 10_300 }),
    });
    const { book } = sweptDaily('2026-01-20', POLICY, two);
    book.loan = paidOn(book.loan, '2026-01-20');
    const kept = change(book.run(POLICY, d('2026-01-21')));
    expect(dataOf(kept.events, 'loan.promise_kept')).toMatchObject({ paid: 10_300 });
    // Still overdue on instalment 2: the episode goes on.
    expect(kept.update.episode).toMatchObject({
      delinquentSince: '2026-01-11',
      promiseOutcome: { promiseId: 'PTP-1', outcome: 'KEPT', asOf: '2026-01-21' },
    });
    expect(kept.outcome.actions.promiseKept).toBe(true);
  });

  it('is kept when the loan is no longer overdue on a run up to the day after until', () => {
    const start = loan({ promiseToPay: promise({ amount: 50_000 }) });
    const { book } = sweptDaily('2026-01-25', POLICY, start);
    book.loan = paidOn(book.loan, '2026-01-25');
    const cured = change(book.run(POLICY, d('2026-01-26')));
    expect(typesOf(cured.events)).toContain('loan.promise_kept');
    expect(dataOf(cured.events, 'loan.promise_kept')).toMatchObject({ paid: 10_300 });
  });

  it('a cure the sweep first sees two days after until decides the promise BROKEN', () => {
    const start = loan({ promiseToPay: promise({ amount: 50_000 }) });
    const { book } = sweptDaily('2026-01-21', POLICY, start);
    book.loan = paidOn(book.loan, '2026-01-22');
    const late = change(book.run(POLICY, d('2026-01-27')));
    expect(typesOf(late.events)).toContain('loan.promise_broken');
  });

  it('a promise made after asOf is neither pending nor decided', () => {
    const start = loan({
      promiseToPay: promise({ madeOn: d('2026-02-01'), until: d('2026-02-05') }),
    });
    const { book, events } = sweptDaily('2026-01-25', POLICY, start);
    expect(typesOf(events)).toContain('loan.hardship_offer');
    expect(book.loan.episode.promiseOutcome).toBeUndefined();
  });
});

describe('a cure ends the episode; the next one has new ids', () => {
  const two = loan({
    installments: [
      installment({ seq: 1, dueDate: d('2026-01-10') }),
      installment({ seq: 2, dueDate: d('2026-02-10') }),
    ],
  });

  it('releases the hold, goes back to NORMAL and M0, and removes the episode attributes', () => {
    const { book } = sweptDaily('2026-01-30', POLICY, two);
    book.loan = paidOn(book.loan, '2026-01-30');
    const cured = change(book.run(POLICY, d('2026-01-31')));
    expect(typesOf(cured.events)).toEqual([
      'loan.delinquency_changed',
      'loan.risk_class_changed',
      'loan.credit_released',
    ]);
    expect(dataOf(cured.events, 'loan.credit_released')).toEqual({
      dpd: 0,
      delinquentSince: '2026-01-11',
    });
    expect(cured.update.episode).toEqual({ riskClass: 'NORMAL', creditHold: false });
    expect(cured.outcome.actions).toMatchObject({ creditHoldReleased: true });
  });

  it('a second episode begins with a new delinquentSince, hold, notice and offer id', () => {
    const { book } = sweptDaily('2026-01-30', POLICY, two);
    book.loan = paidOn(book.loan, '2026-01-30');
    const events: EventEnvelope[] = [];
    for (let day = d('2026-01-31'); day <= '2026-02-25'; day = addDays(day, 1)) {
      const result = book.run(POLICY, day);
      if (result.kind === 'change') events.push(...result.events);
    }
    const once = events.filter((e) =>
      ['loan.credit_hold', 'loan.credit_report_notice', 'loan.hardship_offer'].includes(e.type),
    );
    expect(once.map((e) => e.id)).toEqual([
      'L-1:loan.credit_hold:2026-02-11',
      'L-1:loan.credit_report_notice:2026-02-11',
      'L-1:loan.hardship_offer:2026-02-25',
    ]);
    expect(book.loan.episode).toMatchObject({
      delinquentSince: '2026-02-11',
      creditNoticeOn: '2026-02-11',
      hardshipOfferId: 'L-1:hardship:2026-02-11',
    });
  });
});

describe('a charge-off ends the episode on hold and LOSS', () => {
  const { book } = sweptDaily('2026-07-08');
  const last = change(book.run(POLICY, d('2026-07-09')));

  it('is LOSS, keeps the hold, releases nothing and removes the episode attributes', () => {
    expect(last.update.status).toBe('CHARGED_OFF');
    // Still M6 at dpd 180 (M7 from 181): no bucket change.
    expect(typesOf(last.events)).toEqual([
      'loan.overdue',
      'loan.fee_applied',
      'loan.risk_class_changed',
      'loan.charged_off',
    ]);
    expect(dataOf(last.events, 'loan.risk_class_changed')).toEqual({
      from: 'DOUBTFUL',
      to: 'LOSS',
      dpd: 180,
    });
    expect(last.update.episode).toEqual({ riskClass: 'LOSS', creditHold: true });
    expect(last.outcome.actions.creditHoldReleased).toBe(false);
  });

  it('its events carry the episode as it was', () => {
    expect(dataOf(last.events, 'loan.overdue')).toMatchObject({
      riskClass: 'LOSS',
      delinquentSince: '2026-01-11',
      creditHold: true,
      creditNoticeOn: '2026-01-11',
    });
  });

  it('a later payment (reversals only) leaves it on hold and LOSS', () => {
    book.loan = paidOn(book.loan, '2026-01-12');
    const after = change(book.run(POLICY, d('2026-07-20')));
    expect(typesOf(after.events)).toEqual(['loan.charges_reversed']);
    expect(after.update.episode).toEqual({ riskClass: 'LOSS', creditHold: true });
  });
});

describe('a loan paid off upstream mid-episode', () => {
  const start = loan({
    promiseToPay: promise({ madeOn: d('2026-01-18'), until: d('2026-01-31') }),
  });
  const { book } = sweptDaily('2026-01-20', POLICY, start);
  // Paid without value dates (no payments list), then closed upstream; nextDueDate left stale.
  book.loan = {
    ...book.loan,
    status: 'PAID_OFF',
    installments: book.loan.installments.map((inst) => ({
      ...inst,
      principalPaid: inst.principalDue,
      interestPaid: inst.interestDue,
    })),
  };

  it('a re-run of a date it was already swept for leaves it to the next run', () => {
    expect(book.run(POLICY, d('2026-01-20'))).toEqual({
      kind: 'unchanged',
      reason: 'already-swept',
    });
  });

  it('the write that takes it out of the index ends the episode and decides the promise', () => {
    const out = change(book.run(POLICY, d('2026-01-21')));
    expect(out.update).toMatchObject({ nextDueDate: null, dpd: 0, bucket: 'M0' });
    expect(out.update.status).toBeUndefined();
    expect(out.events.map((e) => [e.type, e.data])).toEqual([
      ['loan.delinquency_changed', { from: 'M1', to: 'M0', dpd: 0 }],
      ['loan.risk_class_changed', { from: 'SPECIAL_MENTION', to: 'NORMAL', dpd: 0 }],
      ['loan.credit_released', { dpd: 0, delinquentSince: '2026-01-11' }],
      [
        'loan.promise_kept',
        { promiseId: 'PTP-1', until: '2026-01-31', amount: 10_300, paid: 0, currency: 'CNY' },
      ],
    ]);
    expect(out.update.episode).toEqual({
      riskClass: 'NORMAL',
      creditHold: false,
      promiseOutcome: { promiseId: 'PTP-1', outcome: 'KEPT', asOf: '2026-01-21' },
    });
    expect(book.run(POLICY, d('2026-01-22'))).toEqual({ kind: 'unchanged', reason: 'not-active' });
  });
});

describe('catch-up and re-runs', () => {
  it('one run at dpd 20 raises the hold, the notice and the offer once each, as of its asOf', () => {
    const once = change(assess(loan(), POLICY, d('2026-01-30'), RUN));
    expect(
      once.events.filter((e) => e.type !== 'loan.overdue' && e.type !== 'loan.fee_applied'),
    ).toHaveLength(5);
    expect(once.update.episode).toEqual({
      riskClass: 'SPECIAL_MENTION',
      delinquentSince: '2026-01-11',
      creditHold: true,
      creditNoticeOn: '2026-01-30',
      hardshipOfferId: 'L-1:hardship:2026-01-11',
    });
    expect(dataOf(once.events, 'loan.credit_report_notice')).toMatchObject({ dpd: 20 });
  });

  it('a catch-up charge-off inside a forbearance that has since ended raises no notice or offer', () => {
    const forborne = loan({ forbearanceUntil: d('2026-07-15') });
    const late = change(assess(forborne, POLICY, d('2026-07-20'), RUN));
    expect(late.update.status).toBe('CHARGED_OFF');
    expect(typesOf(late.events)).not.toContain('loan.credit_report_notice');
    expect(typesOf(late.events)).not.toContain('loan.hardship_offer');
    const daily = sweptDaily('2026-07-20', POLICY, forborne);
    expect(typesOf(daily.events)).not.toContain('loan.credit_report_notice');
  });

  it('a re-run for the same date changes nothing', () => {
    const { book } = sweptDaily('2026-01-26');
    expect(book.run(POLICY, d('2026-01-26'))).toEqual({
      kind: 'unchanged',
      reason: 'already-swept',
    });
  });
});

describe('episode attributes written only by a write the run makes', () => {
  it('a loan never overdue keeps the defaults and no episode event', () => {
    const current = loan({ installments: [installment({ dueDate: d('2026-01-13') })] });
    const result = assess(current, POLICY, d('2026-01-10' as BusinessDate), RUN);
    expect(result.kind).toBe('change'); // the due-soon reminder
    expect(change(result).update.episode).toEqual({ riskClass: 'NORMAL', creditHold: false });
    expect(typesOf(change(result).events)).toEqual(['loan.payment_due_soon']);
  });
});

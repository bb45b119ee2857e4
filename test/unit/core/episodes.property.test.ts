/**
 * Delinquency episodes over generated paths (docs/contract.md, Delinquency episodes): loans whose
 * days past due rise, fall and reset as upstream posts payments (cures), forbearance, promises to
 * pay and closures, swept daily, and the same path with a stretch of missed days and one catch-up
 * run. Both end with the same episode, and the same once-per-episode events: the catch-up run's ids
 * carry its own `asOf`, so an event is compared by its type and the episode (or promise) it belongs
 * to. Within a path each such event is raised at most once; a re-run changes nothing.
 *
 * The missed days see no upstream change (none is posted on them or on the catch-up day): a run
 * cannot know what it never read, e.g. a cure and a new episode within the missed days.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../functions/core/dates';
import type {
  BusinessDate,
  EventEnvelope,
  FeePolicy,
  Loan,
  PromiseToPay,
} from '../../../functions/core/types';
import { ledgerBook, postPayments, withPayments } from '../../../local/fixtures/loans';
import { BASE, loanArb, policyArb } from '../../support/arbitraries';

/** Policies with random episode thresholds, the hold and the notice no later than the charge-off. */
const episodePolicyArb: fc.Arbitrary<FeePolicy> = fc
  .record({
    base: policyArb,
    first: fc.integer({ min: 1, max: 10 }),
    steps: fc.tuple(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 40 }),
    ),
    hold: fc.integer({ min: 1, max: 10 }),
    notice: fc.integer({ min: 1, max: 10 }),
    offer: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })),
    longLived: fc.boolean(),
  })
  .map(({ base, first, steps, hold, notice, offer, longLived }) => {
    // Half the paths never charge off, so cures and second episodes have room.
    const chargeOffDpd = longLived ? 10_000 : base.chargeOffDpd;
    const substandard = first + steps[0];
    const doubtful = substandard + steps[1];
    return {
      ...base,
      chargeOffDpd,
      riskClassDpd: {
        SPECIAL_MENTION: first,
        SUBSTANDARD: substandard,
        DOUBTFUL: doubtful,
        LOSS: doubtful + steps[2],
      },
      creditHoldDpd: Math.min(hold, chargeOffDpd),
      creditNoticeDpd: Math.min(notice, chargeOffDpd),
      hardshipOfferDpd: offer,
    };
  });

/** What upstream writes on the loan, visible from the run of `day` on. */
type Posting =
  | { readonly day: number; readonly kind: 'pay'; readonly installment: number }
  | {
      readonly day: number;
      readonly kind: 'promise';
      readonly length: number;
      readonly share: number;
    }
  | { readonly day: number; readonly kind: 'forbear'; readonly days: number }
  | { readonly day: number; readonly kind: 'close' };

/** Payments most often (they make cures and second episodes), closures seldom. */
const postingArb = (days: number): fc.Arbitrary<Posting> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        day: fc.integer({ min: 2, max: days }),
        kind: fc.constant('pay' as const),
        installment: fc.oneof(fc.constant(0), fc.nat({ max: 3 })),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        day: fc.integer({ min: 2, max: days }),
        kind: fc.constant('promise' as const),
        length: fc.integer({ min: 0, max: 10 }),
        share: fc.integer({ min: 1, max: 150 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        day: fc.integer({ min: 2, max: days }),
        kind: fc.constant('forbear' as const),
        days: fc.integer({ min: 0, max: 15 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        day: fc.integer({ min: 2, max: days }),
        kind: fc.constant('close' as const),
      }),
    },
  );

/** The loan with every instalment's payments recorded with value dates (an opening payment). */
function valueDated(generated: Loan): Loan {
  return {
    ...generated,
    installments: generated.installments.map((inst) =>
      withPayments(
        inst,
        inst.principalPaid + inst.interestPaid > 0
          ? [[`P0-${inst.seq}`, BASE, inst.principalPaid, inst.interestPaid]]
          : [],
      ),
    ),
  };
}

const owed = (loan: Loan, seq: number) => {
  const inst = loan.installments.find((i) => i.seq === seq);
  return inst
    ? {
        principal: inst.principalDue - inst.principalPaid,
        interest: inst.interestDue - inst.interestPaid,
      }
    : { principal: 0, interest: 0 };
};

/** `current` after `posting` reached it before the run of `asOf` (payments value-dated the day before). */
function post(current: Loan, posting: Posting, asOf: BusinessDate, index: number): Loan {
  const valueDate = addDays(asOf, -1);
  switch (posting.kind) {
    case 'pay': {
      // Mostly the oldest unpaid instalment (a cure when it is the only one overdue).
      const unpaid = current.installments.filter((i) => {
        const left = owed(current, i.seq);
        return left.principal + left.interest > 0;
      });
      const inst =
        posting.installment === 0 ? unpaid[0] : unpaid[posting.installment % unpaid.length];
      if (!inst) return current;
      const left = owed(current, inst.seq);
      return postPayments(current, inst.seq, [
        [`P${index}`, valueDate, left.principal, left.interest],
      ]);
    }
    case 'promise': {
      const overdue = current.installments
        .map((inst) => owed(current, inst.seq))
        .reduce((sum, left) => sum + left.principal + left.interest, 0);
      const promiseToPay: PromiseToPay = {
        promiseId: `PTP-${index}`,
        madeOn: asOf,
        until: addDays(asOf, posting.length),
        amount: Math.max(1, Math.floor((overdue * posting.share) / 100)),
      };
      return { ...current, promiseToPay };
    }
    case 'forbear':
      return { ...current, forbearanceUntil: addDays(asOf, posting.days) };
    case 'close': {
      let paid = current;
      for (const inst of current.installments) {
        const left = owed(paid, inst.seq);
        if (left.principal + left.interest > 0) {
          paid = postPayments(paid, inst.seq, [
            [`P${index}-${inst.seq}`, valueDate, left.principal, left.interest],
          ]);
        }
      }
      return { ...paid, status: current.status === 'ACTIVE' ? 'PAID_OFF' : current.status };
    }
  }
}

interface Path {
  readonly final: Loan;
  readonly events: readonly EventEnvelope[];
  readonly last: BusinessDate;
}

/** Sweeps on day 1 … `days` except the `missed` ones, posting each change before its day's run. */
function sweep(
  start: Loan,
  p: FeePolicy,
  postings: readonly Posting[],
  days: number,
  missed: ReadonlySet<number>,
): Path & { readonly book: ReturnType<typeof ledgerBook> } {
  const book = ledgerBook(start);
  const events: EventEnvelope[] = [];
  let last = BASE;
  for (let day = 1; day <= days; day++) {
    const asOf = addDays(BASE, day);
    postings.forEach((posting, index) => {
      if (posting.day === day) book.loan = post(book.loan, posting, asOf, index);
    });
    if (missed.has(day)) continue;
    const result = book.run(p, asOf);
    if (result.kind === 'skip') throw new Error(result.reason);
    if (result.kind === 'change') events.push(...result.events);
    last = asOf;
  }
  return { final: book.loan, events, last, book };
}

/** The once-per-episode (or per-promise) events, by type and the episode or promise they belong to. */
const ONCE = new Set([
  'loan.credit_hold',
  'loan.credit_released',
  'loan.credit_report_notice',
  'loan.hardship_offer',
  'loan.promise_kept',
  'loan.promise_broken',
]);

function onceKeys(events: readonly EventEnvelope[]): string[] {
  return events
    .filter((event) => ONCE.has(event.type))
    .map((event) => {
      const data = event.data as { delinquentSince?: string; offerId?: string; promiseId?: string };
      return `${event.type}@${data.promiseId ?? data.offerId ?? data.delinquentSince}`;
    });
}

/**
 * The episode as compared: dates of raising (the notice's, the decision's) differ by design, and
 * so does a charged-off loan's last dpd (the catch-up run's `asOf` is later than the charge-off).
 */
function comparable(loan: Loan) {
  const { creditNoticeOn, promiseOutcome, ...rest } = loan.episode;
  const open = loan.status !== 'CHARGED_OFF';
  return {
    status: loan.status,
    ...(open && { dpd: loan.dpd, bucket: loan.bucket }),
    ...rest,
    noticed: creditNoticeOn !== undefined,
    promise: promiseOutcome && [promiseOutcome.promiseId, promiseOutcome.outcome],
  };
}

/** Forbearance comes from postings on these paths. */
function withoutForbearance(generated: Loan): Loan {
  const { forbearanceUntil: _none, ...rest } = generated;
  return rest;
}

const scenario = fc
  .tuple(loanArb, episodePolicyArb, fc.integer({ min: 20, max: 120 }))
  .chain(([generated, p, days]) =>
    fc.record({
      start: fc.constant(valueDated(withoutForbearance(generated))),
      p: fc.constant(p),
      days: fc.constant(days),
      postings: fc.array(postingArb(days), { maxLength: 12 }),
      gapStart: fc.integer({ min: 1, max: days - 1 }),
      gapLength: fc.integer({ min: 1, max: 60 }),
    }),
  )
  .map((s) => {
    const gapEnd = Math.min(s.days - 1, s.gapStart + s.gapLength - 1);
    const missed = new Set<number>();
    for (let day = s.gapStart; day <= gapEnd; day++) missed.add(day);
    // Nothing reaches the loan on a missed day or on the catch-up run's day.
    const postings = s.postings.filter((x) => x.day < s.gapStart || x.day > gapEnd + 1);
    return { ...s, postings, missed };
  });

describe('daily runs and a catch-up run over the same path', () => {
  it('end with the same episode and the same once-per-episode events', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, days, postings, missed }) => {
        const daily = sweep(start, p, postings, days, new Set());
        const caughtUp = sweep(start, p, postings, days, missed);
        expect(comparable(caughtUp.final)).toEqual(comparable(daily.final));
        expect(new Set(onceKeys(caughtUp.events))).toEqual(new Set(onceKeys(daily.events)));
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('raise each once-per-episode event at most once, and no event id twice', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, days, postings, missed }) => {
        for (const path of [
          sweep(start, p, postings, days, new Set()),
          sweep(start, p, postings, days, missed),
        ]) {
          const keys = onceKeys(path.events);
          expect(new Set(keys).size).toBe(keys.length);
          const ids = path.events.map((e) => e.id);
          expect(new Set(ids).size).toBe(ids.length);
        }
      }),
    );
  }, 120_000);

  it('keep the episode consistent: attributes only while overdue, the offer id its own', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, days, postings }) => {
        const { final } = sweep(start, p, postings, days, new Set());
        const { episode } = final;
        if (final.status !== 'ACTIVE' || final.dpd === 0) {
          expect(episode.delinquentSince).toBeUndefined();
          expect(episode.creditNoticeOn).toBeUndefined();
          expect(episode.hardshipOfferId).toBeUndefined();
        }
        if (final.status === 'CHARGED_OFF') expect(episode.riskClass).toBe('LOSS');
        if (final.status === 'ACTIVE' && final.dpd === 0) {
          expect(episode).toMatchObject({ riskClass: 'NORMAL', creditHold: false });
        }
        if (episode.hardshipOfferId !== undefined) {
          expect(episode.hardshipOfferId).toBe(
            `${final.loanId}:hardship:${episode.delinquentSince}`,
          );
        }
      }),
    );
  }, 120_000);

  it('a re-run for the last date changes nothing', () => {
    fc.assert(
      fc.property(scenario, ({ start, p, days, postings, missed }) => {
        const { book, last } = sweep(start, p, postings, days, missed);
        expect(book.run(p, last).kind).toBe('unchanged');
      }),
    );
  }, 120_000);
});

describe('a catch-up run from a fresh loan', () => {
  it('raises what the daily runs raise, once each', () => {
    fc.assert(
      fc.property(
        loanArb,
        episodePolicyArb,
        fc.integer({ min: 1, max: 120 }),
        (generated, p, n) => {
          const start = valueDated(generated);
          const missed = new Set(Array.from({ length: n - 1 }, (_, i) => i + 1));
          const daily = sweep(start, p, [], n, new Set());
          const once = sweep(start, p, [], n, missed);
          expect(comparable(once.final)).toEqual(comparable(daily.final));
          expect(new Set(onceKeys(once.events))).toEqual(new Set(onceKeys(daily.events)));
          expect(once.last).toBe(addDays(BASE, n));
        },
      ),
    );
  }, 120_000);
});

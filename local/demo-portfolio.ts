/**
 * The demo portfolio of `npm start`: a deterministic (seeded) book that looks like a consumer
 * micro-loan portfolio and shows every part of the product on day one — mostly closed and current
 * loans, some due in 0–3 days, about 5% overdue (some in grace, a long tail from M1 down to M6, a
 * handful about to charge off, some in forbearance, capped micro-loans, opted out of reminders),
 * both locales, two products, a few malformed items the sweep must skip and report, and loans in
 * the middle of a delinquency episode (as yesterday's sweep left them) that cross a threshold,
 * keep or break a promise, are cured or paid off today.
 * Items follow docs/contract.md, Loans table exactly; amounts are CNY fen.
 */

import { SWEEP_SHARDS } from '../functions/contract/tables';
import { addDays } from '../functions/core/dates';
import { bucketOf } from '../functions/core/delinquency';
import { hardshipOfferIdOf, riskClassOf } from '../functions/core/episodes';
import { BUILT_IN_POLICY } from '../functions/core/policy';
import type { BusinessDate } from '../functions/core/types';

/** The fee policy the local run deploys: a late fee, and a micro-loan product with a low cap. */
export const DEMO_FEE_POLICY = JSON.stringify({
  default: { lateFee: 1500 },
  products: { MICRO: { graceDays: 1, maxChargesRatio: 0.05 } },
});

/** mulberry32: a tiny, well-known seeded PRNG; the same seed gives the same portfolio. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind =
  | 'closed'
  | 'current'
  | 'due-soon'
  | 'in-grace'
  | 'delinquent'
  | 'charge-off'
  | 'forbearance'
  | 'capped'
  | 'opted-out'
  | 'malformed';

/**
 * The book, in per mille: mostly closed and current loans, a few due in the next days, and a few
 * percent overdue (in grace, then the delinquent tail below), as a consumer micro-loan book looks.
 */
const MIX: readonly [Kind, number][] = [
  ['closed', 435],
  ['current', 470],
  ['due-soon', 62],
  ['in-grace', 8],
  ['delinquent', 25],
];

/**
 * The delinquent tail by bucket, in per cent: most loans a few weeks late, fewer at each step
 * (dpd 4–30 for M1: 1–3 is grace; M6 stops short of the charge-off loans).
 */
const TAIL: readonly [low: number, high: number, percent: number][] = [
  [4, 30, 50],
  [31, 60, 20],
  [61, 90, 12],
  [91, 120, 8],
  [121, 150, 7],
  [151, 177, 3],
];

/**
 * Every SHOWCASE_EVERY-th loan is one of the cases the demo must always show, in this order, so
 * even a 200-loan portfolio has a malformed item, a loan about to charge off, a capped micro-loan
 * and a forbearance (0.25% of the book are malformed or about to charge off, 0.5% each of the rest).
 */
const SHOWCASE_EVERY = 50;
const SHOWCASE: readonly Kind[] = [
  'malformed',
  'charge-off',
  'capped',
  'forbearance',
  'opted-out',
  'capped',
  'forbearance',
  'opted-out',
];

/** The showcase kind of loan `index`, if it is a showcase slot. */
function showcaseKindOf(index: number): Kind | undefined {
  if (index % SHOWCASE_EVERY !== SHOWCASE_EVERY / 2 - 1) return undefined;
  return SHOWCASE[Math.floor(index / SHOWCASE_EVERY) % SHOWCASE.length];
}

/**
 * What the episode showcase loans show on the first day (docs/contract.md, Delinquency episodes):
 * each is overdue as yesterday's sweep left it (its episode under way) and steps over one threshold
 * today, or keeps or breaks a promise, or is cured or paid off upstream.
 */
export const EPISODE_SHOWCASE = {
  'first-overdue': 'due yesterday: the episode begins (SPECIAL_MENTION, hold, notice)',
  'crosses-offer': 'dpd 14 → 15: the repayment-plan offer',
  'crosses-substandard': 'dpd 90 → 91: SUBSTANDARD',
  'crosses-doubtful': 'dpd 120 → 121: DOUBTFUL',
  'crosses-charge-off': 'dpd 179 → 180: charged off, LOSS, still on hold',
  'promise-kept': 'paid the promised amount yesterday: promise kept, still overdue',
  'promise-broken': 'promise ran out yesterday unpaid: broken, then the offer',
  'promise-pending': 'dpd 16 with a promise pending: no offer yet',
  cure: 'paid its overdue instalment yesterday: cured, hold released',
  'paid-off-upstream': 'paid off and closed upstream mid-episode: the episode ends',
} as const;

/** A step of a delinquency episode the demo shows. */
export type EpisodeShowcase = keyof typeof EPISODE_SHOWCASE;

const EPISODE_KINDS = Object.keys(EPISODE_SHOWCASE) as EpisodeShowcase[];

/** Every EPISODE_EVERY-th loan, from the 50th, cycles through the episode showcase. */
const EPISODE_EVERY = 100;

/** The episode showcase of loan `index`, if it is one of those slots. */
export function episodeShowcaseOf(index: number): EpisodeShowcase | undefined {
  if (index % EPISODE_EVERY !== EPISODE_EVERY / 2 - 1) return undefined;
  return EPISODE_KINDS[Math.floor(index / EPISODE_EVERY) % EPISODE_KINDS.length];
}

/** The id of loan `index` (0-based). */
export function demoLoanId(index: number): string {
  return `L-${String(index + 1).padStart(6, '0')}`;
}

/** The first loan of each episode showcase in a portfolio of `count` loans. */
export function episodeShowcaseLoans(
  count: number,
): { readonly loanId: string; readonly showcase: EpisodeShowcase }[] {
  const found = new Map<EpisodeShowcase, string>();
  for (let index = EPISODE_EVERY / 2 - 1; index < count; index += EPISODE_EVERY) {
    const showcase = episodeShowcaseOf(index);
    if (showcase !== undefined && !found.has(showcase)) found.set(showcase, demoLoanId(index));
  }
  return EPISODE_KINDS.flatMap((showcase) => {
    const loanId = found.get(showcase);
    return loanId === undefined ? [] : [{ loanId, showcase }];
  });
}

/**
 * What yesterday's sweep left on a loan `dpd` days past due yesterday, under the built-in episode
 * thresholds the demo policy keeps: its dpd, bucket, class, hold, notice and (from dpd 15) offer.
 */
function sweptYesterday(
  loanId: string,
  asOf: BusinessDate,
  dpd: number,
  offer: boolean = dpd >= BUILT_IN_POLICY.hardshipOfferDpd,
) {
  const yesterday = addDays(asOf, -1);
  const delinquentSince = addDays(yesterday, 1 - dpd);
  return {
    accruedThrough: yesterday,
    version: 1,
    dpd,
    bucket: bucketOf(dpd),
    riskClass: riskClassOf(dpd, BUILT_IN_POLICY),
    delinquentSince,
    creditHold: true,
    creditNoticeOn: delinquentSince,
    ...(offer && { hardshipOfferId: hardshipOfferIdOf(loanId, delinquentSince) }),
  };
}

function pick<T>(roll: number, table: readonly (readonly [T, number])[], total: number): T {
  let threshold = 0;
  for (const [value, share] of table) {
    threshold += share / total;
    if (roll < threshold) return value;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

const between = (random: () => number, low: number, high: number) =>
  low + Math.floor(random() * (high - low + 1));

/**
 * Instalments of a monthly loan whose oldest unpaid instalment is due on `firstUnpaid`; `paidBefore`
 * earlier instalments are fully paid.
 */
function schedule(principal: number, count: number, firstUnpaid: BusinessDate, paidBefore: number) {
  const principalDue = Math.floor(principal / count);
  const interestDue = Math.round(principalDue * 0.018);
  return Array.from({ length: count }, (_, index) => {
    const seq = index + 1;
    const paid = index < paidBefore;
    return {
      seq,
      dueDate: addDays(firstUnpaid, (index - paidBefore) * 30),
      principalDue,
      interestDue,
      principalPaid: paid ? principalDue : 0,
      interestPaid: paid ? interestDue : 0,
    };
  });
}

/** Loan `index` of the portfolio generated from `seed`, as the item upstream would write. */
export function demoLoan(index: number, asOf: BusinessDate, random: () => number) {
  const roll = random();
  const kind = showcaseKindOf(index) ?? pick(roll, MIX, 1000);
  const loanId = demoLoanId(index);
  const principal = between(random, 20, 300) * 10_000;
  const count = between(random, 3, 12);
  const paidBefore = Math.min(count - 1, between(random, 0, 2));
  const base = {
    loanId,
    borrowerId: `B-${String(index + 1).padStart(6, '0')}`,
    productCode: random() < 0.3 ? 'MICRO' : 'STANDARD',
    currency: 'CNY',
    principal,
    dailyInterestRate: [0.0002, 0.0003, 0.0005][between(random, 0, 2)],
    status: 'ACTIVE',
    locale: random() < 0.25 ? 'en' : 'zh-CN',
    sweepShard: index % SWEEP_SHARDS,
  };
  const active = (dpd: number, extra: Record<string, unknown> = {}) => {
    const firstUnpaid = addDays(asOf, -dpd);
    return {
      ...base,
      installments: schedule(principal, count, firstUnpaid, paidBefore),
      nextDueDate: firstUnpaid,
      ...extra,
    };
  };
  const episode = episodeShowcaseOf(index);
  if (episode !== undefined) return episodeLoan(episode, active, asOf);
  switch (kind) {
    case 'closed': {
      const installments = schedule(principal, count, addDays(asOf, -400), count);
      return { ...base, status: 'PAID_OFF', installments };
    }
    case 'current':
      return active(-between(random, 4, 28));
    case 'due-soon':
      return active(-between(random, 0, 3));
    case 'in-grace':
      return active(between(random, 1, 3));
    case 'delinquent': {
      const [low, high] = pick(
        random(),
        TAIL.map(([lo, hi, percent]) => [[lo, hi] as const, percent] as const),
        100,
      );
      return active(between(random, low, high));
    }
    case 'charge-off':
      return active(between(random, 178, 180));
    case 'forbearance':
      return active(between(random, 10, 60), { forbearanceUntil: addDays(asOf, 14) });
    case 'capped': {
      // A small, expensive micro-loan long overdue: its charges hit the product's cap.
      const firstUnpaid = addDays(asOf, -between(random, 40, 150));
      return {
        ...base,
        productCode: 'MICRO',
        principal: 50_000,
        dailyInterestRate: 0.001,
        installments: schedule(50_000, 3, firstUnpaid, 0),
        nextDueDate: firstUnpaid,
      };
    }
    case 'opted-out':
      return active(between(random, 1, 60), { remindersOptOut: true });
    case 'malformed': {
      const broken = active(between(random, 5, 40));
      // Each malformed showcase loan breaks the item differently, in turn.
      const variant = Math.floor(index / (SHOWCASE_EVERY * SHOWCASE.length)) % 3;
      if (variant === 0) {
        const { borrowerId: _missing, ...rest } = broken;
        return rest;
      }
      if (variant === 1) return { ...broken, principal: String(principal) };
      return {
        ...broken,
        installments: broken.installments.map((inst, i) =>
          i === 0 ? { ...inst, dueDate: '2026-02-30' } : inst,
        ),
      };
    }
  }
}

type Installment = ReturnType<typeof schedule>[number];

type Active = (
  dpd: number,
  extra?: Record<string, unknown>,
) => Record<string, unknown> & { readonly loanId: string; readonly installments: Installment[] };

const isUnpaid = (inst: Installment) => inst.principalPaid < inst.principalDue;

/** Every unpaid instalment (up to index `last`, when given) paid in full on `valueDate`. */
function paidUp(loanId: string, installments: Installment[], valueDate: BusinessDate, last = -1) {
  return installments.map((inst, index) =>
    !isUnpaid(inst) || (last >= 0 && index > last)
      ? inst
      : {
          ...inst,
          principalPaid: inst.principalDue,
          interestPaid: inst.interestDue,
          payments: [
            {
              paymentId: `PAY-${loanId}-${inst.seq}`,
              valueDate,
              principal: inst.principalDue,
              interest: inst.interestDue,
            },
          ],
        },
  );
}

/**
 * A loan of the episode showcase, as upstream and yesterday's sweep left it. Its instalments fall
 * due every 30 days from the oldest unpaid one, so paying that one alone cures a loan up to 30 days
 * overdue.
 */
function episodeLoan(showcase: EpisodeShowcase, active: Active, asOf: BusinessDate) {
  const yesterday = addDays(asOf, -1);
  const at = (dpdToday: number, offered?: boolean) => {
    const loan = active(dpdToday);
    return { ...loan, ...sweptYesterday(loan.loanId, asOf, dpdToday - 1, offered) };
  };
  const promise = (loanId: string, madeOn: BusinessDate, until: BusinessDate, amount: number) => ({
    promiseToPay: { promiseId: `PTP-${loanId}`, madeOn, until, amount },
  });
  const oldestUnpaid = (loan: { installments: Installment[] }) =>
    loan.installments.findIndex(isUnpaid);
  switch (showcase) {
    case 'first-overdue':
      return active(1);
    case 'crosses-offer':
      return at(15);
    case 'crosses-substandard':
      return at(91);
    case 'crosses-doubtful':
      return at(121);
    case 'crosses-charge-off':
      return at(180);
    case 'promise-kept': {
      // Two instalments overdue (40 and 10 days); the older one paid yesterday, as promised.
      const loan = at(40);
      const first = oldestUnpaid(loan);
      const owed = loan.installments[first];
      const amount = owed ? owed.principalDue + owed.interestDue : 1;
      return {
        ...loan,
        installments: paidUp(loan.loanId, loan.installments, yesterday, first),
        ...promise(loan.loanId, addDays(asOf, -5), addDays(asOf, 2), amount),
      };
    }
    case 'promise-broken': {
      // Promised on dpd 10 until yesterday, nothing paid: the offer of dpd 15 was held back.
      const loan = at(20, false);
      return { ...loan, ...promise(loan.loanId, addDays(asOf, -10), yesterday, 5_000) };
    }
    case 'promise-pending': {
      const loan = at(16, false);
      return { ...loan, ...promise(loan.loanId, addDays(asOf, -3), addDays(asOf, 3), 5_000) };
    }
    case 'cure': {
      // The overdue instalment paid yesterday; the next one falls due in 10 days.
      const loan = at(20);
      return {
        ...loan,
        installments: paidUp(loan.loanId, loan.installments, yesterday, oldestUnpaid(loan)),
      };
    }
    case 'paid-off-upstream': {
      // Paid in full yesterday and closed; the stale index key left for the sweep to remove.
      const loan = at(30);
      return {
        ...loan,
        status: 'PAID_OFF',
        installments: paidUp(loan.loanId, loan.installments, yesterday),
      };
    }
  }
}
/**
 * Draws of a credit line: every three consecutive loans due in the next three days belong to one
 * borrower, so the demo's reminders include borrowers named with several loans at once.
 */
const DRAWS_PER_BORROWER = 3;

/** The whole portfolio for `seed`, generated lazily (no array of every loan). */
export function* demoPortfolio(
  count: number,
  asOf: BusinessDate,
  seed: number,
): Generator<Record<string, unknown>> {
  const random = seededRandom(seed);
  const soon = addDays(asOf, 3);
  let dueSoon = 0;
  let borrower: unknown;
  for (let index = 0; index < count; index++) {
    const loan: Record<string, unknown> = demoLoan(index, asOf, random);
    const next = loan.nextDueDate;
    if (typeof next === 'string' && next >= asOf && next <= soon && 'borrowerId' in loan) {
      if (dueSoon++ % DRAWS_PER_BORROWER === 0) borrower = loan.borrowerId;
      else loan.borrowerId = borrower;
    }
    yield loan;
  }
}

/**
 * The demo portfolio of `npm start`: a deterministic (seeded) book that looks like a consumer
 * micro-loan portfolio and shows every part of the product on day one — mostly closed and current
 * loans, some due in 0–3 days, about 5% overdue (some in grace, a long tail from M1 down to M6, a
 * handful about to charge off, some in forbearance, capped micro-loans, opted out of reminders),
 * both locales, two products, and a few malformed items the sweep must skip and report.
 * Items follow SPEC §3 exactly; amounts are CNY fen.
 */

import { SWEEP_SHARDS } from '../../functions/contract/tables';
import { addDays } from '../../functions/core/dates';
import type { BusinessDate } from '../../functions/core/types';

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
  const loanId = `L-${String(index + 1).padStart(6, '0')}`;
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

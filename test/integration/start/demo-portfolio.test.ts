/**
 * The demo portfolio of `npm start`: the same seed gives the same loans, every item is a docs/contract.md, Loans table
 * item (or one of the deliberately malformed few), the book looks like a micro-loan portfolio (a
 * few percent overdue, a long tail of buckets) and still shows every case the demo promises.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { addDays, parseBusinessDate } from '../../../functions/core/dates';
import { parseLoanItem } from '../../../functions/core/loan';
import { parsePolicyBook, policyFor } from '../../../functions/core/policy';
import type { BusinessDate } from '../../../functions/core/types';
import {
  DEMO_FEE_POLICY,
  demoPortfolio,
  EPISODE_SHOWCASE,
  type EpisodeShowcase,
  episodeShowcaseLoans,
} from '../../../local/demo-portfolio';

const AS_OF = parseBusinessDate('2026-11-20') as BusinessDate;

interface DemoInstallment {
  dueDate: string;
  principalDue: number;
  interestDue: number;
  principalPaid: number;
  interestPaid: number;
}

const unpaid = (inst: DemoInstallment) =>
  inst.principalPaid + inst.interestPaid < inst.principalDue + inst.interestDue;

/** Days past due of an active item's index key on AS_OF (negative: due in that many days). */
function dpdOf(item: Record<string, unknown>): number | undefined {
  for (let dpd = -30; dpd <= 200; dpd++) {
    if (addDays(AS_OF, -dpd) === item.nextDueDate) return dpd;
  }
  return undefined;
}

const isMalformed = (item: Record<string, unknown>) =>
  item.borrowerId === undefined ||
  typeof item.principal !== 'number' ||
  (item.installments as DemoInstallment[]).some((inst) => !parseBusinessDate(inst.dueDate));

/** M1 … M6 (dpd 1–30, 31–60, …) of the overdue, well-formed, active loans. */
function bucketCounts(items: readonly Record<string, unknown>[]): number[] {
  const counts = [0, 0, 0, 0, 0, 0, 0];
  for (const item of items) {
    const dpd = item.status === 'ACTIVE' && !isMalformed(item) ? dpdOf(item) : undefined;
    if (dpd === undefined || dpd < 1) continue;
    const index = Math.min(Math.ceil(dpd / 30), 7) - 1;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

describe('the demo portfolio', () => {
  it('is the same for the same seed and different for another', () => {
    const a = [...demoPortfolio(300, AS_OF, 7)];
    expect([...demoPortfolio(300, AS_OF, 7)]).toEqual(a);
    expect([...demoPortfolio(300, AS_OF, 8)]).not.toEqual(a);
  });

  it('indexes exactly the active loans, at their oldest unpaid instalment, in fen and shards 0–15', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        for (const item of demoPortfolio(200, AS_OF, seed)) {
          expect(item.sweepShard).toBeGreaterThanOrEqual(0);
          expect(item.sweepShard).toBeLessThanOrEqual(15);
          expect(item.currency).toBe('CNY');
          const installments = item.installments as DemoInstallment[];
          for (const inst of installments) {
            expect(Number.isSafeInteger(inst.principalDue + inst.interestDue)).toBe(true);
          }
          if (item.status !== 'ACTIVE') {
            expect(item.nextDueDate).toBeUndefined();
            expect(installments.some(unpaid)).toBe(false);
            continue;
          }
          const malformed =
            item.borrowerId === undefined ||
            typeof item.principal !== 'number' ||
            installments.some((inst) => parseBusinessDate(inst.dueDate) === undefined);
          if (malformed) continue; // one of the few the sweep must skip and report
          expect(Number.isSafeInteger(item.principal)).toBe(true);
          expect(item.nextDueDate).toBe(installments.find(unpaid)?.dueDate);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('shows every part of the product: closed, due soon, every bucket, charge-off, malformed', () => {
    const items = [...demoPortfolio(2000, AS_OF, 42)];
    const dpds = new Set(items.filter((item) => item.status === 'ACTIVE').map(dpdOf));
    const has = (predicate: (dpd: number) => boolean) =>
      [...dpds].some((dpd) => dpd !== undefined && predicate(dpd));
    expect(items.filter((item) => item.status === 'PAID_OFF').length).toBeGreaterThan(600);
    for (let daysUntilDue = 0; daysUntilDue <= 3; daysUntilDue++) {
      expect(dpds.has(-daysUntilDue)).toBe(true);
    }
    // In grace (dpd 1–3), M1 … M6 (dpd 1–30, 31–60, …, 151–180) and the edge of charge-off.
    expect(has((dpd) => dpd >= 1 && dpd <= 3)).toBe(true);
    for (let bucket = 1; bucket <= 6; bucket++) {
      expect(has((dpd) => dpd > (bucket - 1) * 30 && dpd <= bucket * 30)).toBe(true);
    }
    expect(dpds.has(179) || dpds.has(180)).toBe(true);
    expect(items.some((item) => item.forbearanceUntil !== undefined)).toBe(true);
    expect(items.some((item) => item.remindersOptOut === true)).toBe(true);
    expect(items.some((item) => item.productCode === 'MICRO' && item.principal === 50_000)).toBe(
      true,
    );
    expect(new Set(items.map((item) => item.locale))).toEqual(new Set(['zh-CN', 'en']));
    expect(items.some((item) => item.borrowerId === undefined)).toBe(true);
    expect(items.some((item) => typeof item.principal === 'string')).toBe(true);
  });

  it('looks like a micro-loan book: a few percent overdue, most in M1, a long thin tail', () => {
    const items = [...demoPortfolio(2000, AS_OF, 42)];
    const buckets = bucketCounts(items);
    const [m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0] = buckets;
    const overdue = buckets.reduce((a, b) => a + b, 0);
    expect(overdue / items.length).toBeGreaterThan(0.03);
    expect(overdue / items.length).toBeLessThan(0.07);
    expect(m1 / overdue).toBeGreaterThan(0.4);
    expect(m1).toBeGreaterThan(2 * m2);
    expect(m2).toBeGreaterThan(m3);
    for (const deep of [m4, m5, m6]) expect(deep).toBeLessThan(m2);
    expect(m7).toBe(0); // charged off on the first run, before M7
    const aboutToChargeOff = items.filter((item) => (dpdOf(item) ?? 0) >= 178).length;
    expect(aboutToChargeOff).toBeGreaterThanOrEqual(3);
    expect(aboutToChargeOff).toBeLessThanOrEqual(10);
    expect(items.filter(isMalformed).length).toBeLessThanOrEqual(10);
  });

  it('even a 200-loan portfolio has a malformed item, a charge-off, a capped loan and a forbearance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const items = [...demoPortfolio(200, AS_OF, seed)];
        expect(items.some(isMalformed)).toBe(true);
        expect(items.some((item) => (dpdOf(item) ?? 0) >= 178)).toBe(true);
        expect(items.some((item) => item.principal === 50_000 && (dpdOf(item) ?? 0) >= 40)).toBe(
          true,
        );
        expect(items.some((item) => item.forbearanceUntil !== undefined)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});

describe('the episode showcase', () => {
  const policies = parsePolicyBook(DEMO_FEE_POLICY);
  const items = new Map(
    [...demoPortfolio(2000, AS_OF, 42)].map((item) => [String(item.loanId), item]),
  );
  const run = { runId: 'demo', occurredAt: '2026-11-19T16:30:00.000Z' };

  /** What the first day's sweep does to the showcase loan of `showcase`. */
  function firstDay(showcase: EpisodeShowcase) {
    const found = episodeShowcaseLoans(2000).find((entry) => entry.showcase === showcase);
    const item = found && items.get(found.loanId);
    if (!item) throw new Error(`no ${showcase} loan`);
    const parsed = parseLoanItem(item);
    if (!parsed.ok) throw new Error(parsed.reason);
    const result = assess(parsed.loan, policyFor(policies, parsed.loan.productCode), AS_OF, run);
    if (result.kind !== 'change') throw new Error(`${showcase}: ${result.kind}`);
    const types = result.events.map((e) => e.type);
    const data = (type: string) => result.events.find((e) => e.type === type)?.data;
    return { types, data, update: result.update };
  }

  it('has one loan of each step in 2,000 loans, each a well-formed item', () => {
    expect(episodeShowcaseLoans(2000).map((entry) => entry.showcase)).toEqual(
      Object.keys(EPISODE_SHOWCASE),
    );
  });

  it('crosses each threshold on the first day', () => {
    expect(firstDay('first-overdue').types).toEqual(
      expect.arrayContaining([
        'loan.risk_class_changed',
        'loan.credit_hold',
        'loan.credit_report_notice',
      ]),
    );
    const offer = firstDay('crosses-offer');
    expect(offer.types).toContain('loan.hardship_offer');
    expect(offer.types).not.toContain('loan.credit_hold');
    expect(firstDay('crosses-substandard').data('loan.risk_class_changed')).toMatchObject({
      from: 'SPECIAL_MENTION',
      to: 'SUBSTANDARD',
    });
    expect(firstDay('crosses-doubtful').data('loan.risk_class_changed')).toMatchObject({
      from: 'SUBSTANDARD',
      to: 'DOUBTFUL',
    });
    const chargedOff = firstDay('crosses-charge-off');
    expect(chargedOff.types).toContain('loan.charged_off');
    expect(chargedOff.types).not.toContain('loan.credit_released');
    expect(chargedOff.update.episode).toEqual({ riskClass: 'LOSS', creditHold: true });
  });

  it('keeps one promise and breaks another, holds an offer back for a pending one', () => {
    const kept = firstDay('promise-kept');
    expect(kept.types).toContain('loan.promise_kept');
    expect(kept.types).toContain('loan.overdue');
    expect(firstDay('promise-broken').types).toEqual(
      expect.arrayContaining(['loan.promise_broken', 'loan.hardship_offer']),
    );
    const pending = firstDay('promise-pending');
    expect(pending.types).not.toContain('loan.hardship_offer');
    expect(pending.data('loan.overdue')).toMatchObject({ promisePending: true });
  });

  it('cures one loan and ends the episode of one paid off upstream', () => {
    const cure = firstDay('cure');
    expect(cure.types).toEqual(
      expect.arrayContaining(['loan.delinquency_changed', 'loan.credit_released']),
    );
    expect(cure.update.episode).toMatchObject({ riskClass: 'NORMAL', creditHold: false });
    const paidOff = firstDay('paid-off-upstream');
    expect(paidOff.types).toEqual(
      expect.arrayContaining(['loan.delinquency_changed', 'loan.credit_released']),
    );
    expect(paidOff.update.nextDueDate).toBeNull();
  });
});

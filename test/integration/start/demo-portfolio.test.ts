/**
 * The demo portfolio of `npm start`: the same seed gives the same loans, and every item is a
 * SPEC §3 item (or one of the deliberately malformed few) with the mix the demo promises.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, parseBusinessDate } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { demoPortfolio } from '../../../scripts/lib/demo-portfolio';

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
    const dpds = new Set(
      items
        .filter((item) => item.status === 'ACTIVE')
        .map((item) => {
          for (let dpd = -30; dpd <= 200; dpd++) {
            if (addDays(AS_OF, -dpd) === item.nextDueDate) return dpd;
          }
          return undefined;
        }),
    );
    const has = (predicate: (dpd: number) => boolean) =>
      [...dpds].some((dpd) => dpd !== undefined && predicate(dpd));
    expect(items.filter((item) => item.status === 'PAID_OFF').length).toBeGreaterThan(600);
    for (let daysUntilDue = 0; daysUntilDue <= 3; daysUntilDue++) {
      expect(dpds.has(-daysUntilDue)).toBe(true);
    }
    // M1 … M6 (dpd 1–30, 31–60, …, 151–180) and the edge of charge-off.
    for (let bucket = 1; bucket <= 6; bucket++) {
      expect(has((dpd) => dpd > (bucket - 1) * 30 && dpd <= bucket * 30)).toBe(true);
    }
    expect(dpds.has(179) || dpds.has(180)).toBe(true);
    expect(items.some((item) => item.forbearanceUntil !== undefined)).toBe(true);
    expect(items.some((item) => item.remindersOptOut === true)).toBe(true);
    expect(new Set(items.map((item) => item.locale))).toEqual(new Set(['zh-CN', 'en']));
    expect(items.some((item) => item.borrowerId === undefined)).toBe(true);
    expect(items.some((item) => typeof item.principal === 'string')).toBe(true);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DatedLine,
  type DayState,
  planCalendar,
} from '../../../functions/core/contact-calendar';
import { addDays } from '../../../functions/core/dates';
import type { ReminderKind, ReminderLine } from '../../../functions/core/reminders';
import type { BusinessDate } from '../../../functions/core/types';
import { d } from '../../support/events';

const DAY0 = d('2026-03-01');
const day = (n: number) => addDays(DAY0, n);
const line = (loanId: string, kind: ReminderKind = 'OVERDUE'): ReminderLine => ({
  loanId,
  kind,
  currency: 'CNY',
  locale: 'zh-CN',
  dpd: 7,
  amountOverdue: 100,
});
const at = (n: number, l: ReminderLine): DatedLine => ({ date: day(n), line: l });

type Calendar = Map<BusinessDate, DayState>;

/** Plans `additions` on `calendar` as the service does (reading further while a change reaches past the end) and applies the changes. */
function add(calendar: Calendar, additions: readonly DatedLine[], cap = 3): number {
  if (additions.length === 0) return 0;
  const dates = additions.map((a) => a.date).sort();
  const from = addDays(dates[0] as BusinessDate, -6);
  let to = addDays(dates.at(-1) as BusinessDate, 7);
  let plan = planCalendar({ from, to, days: calendar, additions, cap });
  while (plan.reachesBeyond) {
    to = addDays(to, 14);
    plan = planCalendar({ from, to, days: calendar, additions, cap });
  }
  for (const [date, state] of plan.changes) calendar.set(date, state);
  return plan.capped;
}

/** Dates with a reminder, and the loans each names. */
function view(calendar: Calendar) {
  return [...calendar]
    .filter(([, state]) => state.reminder)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, state]) => ({
      date,
      lines: [...(state.reminder?.lines.keys() ?? [])].sort(),
      held: [...state.held.keys()].sort(),
    }));
}

/** Everything, held lines and cap flags included, for equality across orders. */
function full(calendar: Calendar) {
  return [...calendar]
    .filter(([, s]) => s.reminder || s.held.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, s]) => ({
      date,
      capped: s.reminder?.capped,
      lines: [...(s.reminder?.lines ?? [])].sort(([a], [b]) => (a < b ? -1 : 1)),
      held: [...s.held].sort(([a], [b]) => (a < b ? -1 : 1)),
    }));
}

describe('the weekly cap', () => {
  it('holds back all but notices on a date whose previous six have three reminders', () => {
    const calendar: Calendar = new Map();
    for (let n = 0; n < 8; n++) add(calendar, [at(n, line(`L-${n}`))]);
    // Days 0–2 reminded; 3–6 each see three in their previous six; day 7 sees days 1–2 only.
    expect(view(calendar).map((v) => v.date)).toEqual([day(0), day(1), day(2), day(7)]);
    for (const n of [3, 4, 5, 6]) {
      expect([...(calendar.get(day(n))?.held.keys() ?? [])]).toEqual([`L-${n}`]);
    }
  });

  it('never holds back a notice, and a date with only a notice counts', () => {
    const calendar: Calendar = new Map();
    for (let n = 0; n < 3; n++) add(calendar, [at(n, line(`L-${n}`))]);
    const capped = add(calendar, [at(3, line('L-3')), at(3, line('N-3', 'CREDIT_REPORT_NOTICE'))]);
    expect(capped).toBe(1);
    expect(calendar.get(day(3))?.reminder).toMatchObject({ capped: true, pending: true });
    expect([...(calendar.get(day(3))?.reminder?.lines.keys() ?? [])]).toEqual(['N-3']);
    // Day 3's notice counts: day 7 still sees days 1–3.
    add(calendar, [at(7, line('L-7'))]);
    expect(calendar.get(day(7))?.reminder).toBeUndefined();
  });

  it('decides later dates again when an earlier one gains a reminder (a backfill)', () => {
    const calendar: Calendar = new Map();
    for (const n of [1, 2, 3]) add(calendar, [at(n, line(`L-${n}`))]);
    expect(view(calendar).map((v) => v.date)).toEqual([day(1), day(2), day(3)]);
    // An event for day 0 arrives last: day 3 is now over the cap and gives its line back.
    add(calendar, [at(0, line('L-0'))]);
    expect(view(calendar).map((v) => v.date)).toEqual([day(0), day(1), day(2)]);
    expect([...(calendar.get(day(3))?.held.keys() ?? [])]).toEqual(['L-3']);
  });

  it('gives held lines back when a date falls under the cap again', () => {
    const calendar: Calendar = new Map();
    // Reversed: days 8, 7, … 1 arrive in that order.
    for (let n = 8; n >= 1; n--) add(calendar, [at(n, line(`L-${n}`))]);
    const forward: Calendar = new Map();
    for (let n = 1; n <= 8; n++) add(forward, [at(n, line(`L-${n}`))]);
    expect(full(calendar)).toEqual(full(forward));
    expect(view(forward).map((v) => v.date)).toEqual([day(1), day(2), day(3), day(8)]);
  });

  it('leaves a sent reminder as it is: a notice moves to the next date, other lines are too late', () => {
    const sent: Calendar = new Map([
      [
        day(0),
        {
          held: new Map(),
          reminder: { lines: new Map([['L-0', line('L-0')]]), capped: false, pending: false },
        },
      ],
    ]);
    const plan = planCalendar({
      from: day(-6),
      to: day(7),
      days: sent,
      additions: [at(0, line('L-1')), at(0, line('N-1', 'CREDIT_REPORT_NOTICE'))],
      cap: 3,
    });
    expect(plan.tooLate.map((a) => a.line.loanId)).toEqual(['L-1']);
    expect(plan.moved.map((a) => [a.date, a.line.loanId])).toEqual([[day(1), 'N-1']]);
    expect([...plan.changes.keys()]).toEqual([day(1)]);
  });

  it('gives the same calendar whatever the order and grouping of the lines', () => {
    const kinds: ReminderKind[] = ['OVERDUE', 'PAYMENT_DUE_SOON', 'CREDIT_REPORT_NOTICE'];
    const addition = fc
      .record({
        n: fc.integer({ min: 0, max: 20 }),
        loan: fc.constantFrom('L-1', 'L-2', 'L-3'),
        kind: fc.constantFrom(...kinds),
      })
      .map(({ n, loan, kind }) => at(n, line(loan, kind)));
    fc.assert(
      fc.property(
        fc.array(addition, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        (additions, cap, sizes, seeds) => {
          const oneGo: Calendar = new Map();
          add(oneGo, additions, cap);
          // Shuffled, then split into batches of the given sizes.
          const shuffled = [...additions];
          const random = seeds[Symbol.iterator]();
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (random.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as DatedLine, shuffled[i] as DatedLine];
          }
          const batched: Calendar = new Map();
          let next = 0;
          for (let b = 0; next < shuffled.length; b++) {
            const size = sizes[b % sizes.length] as number;
            add(batched, shuffled.slice(next, next + size), cap);
            next += size;
          }
          expect(full(batched)).toEqual(full(oneGo));
          // Again: a redelivery of everything changes nothing.
          add(batched, shuffled, cap);
          expect(full(batched)).toEqual(full(oneGo));
          // And the rule holds: a non-notice line only on a date under the cap.
          const reminded = (date: BusinessDate) => (oneGo.get(date)?.reminder?.lines.size ?? 0) > 0;
          for (const [date, state] of oneGo) {
            let count = 0;
            for (let back = 1; back < 7; back++) if (reminded(addDays(date, -back))) count++;
            const others = [...(state.reminder?.lines.values() ?? [])].filter(
              (l) => l.kind !== 'CREDIT_REPORT_NOTICE',
            );
            if (count >= cap) expect(others).toEqual([]);
            else expect(state.held.size).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

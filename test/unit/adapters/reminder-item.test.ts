/**
 * The reminders table's codec: what a reminder item and a held-lines item hold, a revision that
 * depends on the content only, and stored items that cannot be read named by their attribute.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  decodeHeldItem,
  decodeReminderItem,
  encodeHeldItem,
  encodeReminderItem,
  heldPartitionOf,
  revisionOf,
} from '../../../functions/adapters/reminder-item';
import type { DayState } from '../../../functions/core/contact-calendar';
import type { ReminderLine } from '../../../functions/core/reminders';
import { d } from '../../support/events';

const line = (loanId: string, extra: Partial<ReminderLine> = {}): ReminderLine => ({
  loanId,
  kind: 'OVERDUE',
  currency: 'CNY',
  locale: 'zh-CN',
  dpd: 7,
  amountOverdue: 10_300,
  ...extra,
});
const text = {
  kind: 'OVERDUE',
  locale: 'zh-CN' as const,
  message: 'm',
  sendAfter: '2026-03-02T09:00:00+08:00',
  sendBefore: '2026-03-02T21:00:00+08:00',
};
const state = (lines: ReminderLine[], capped = false): DayState => ({
  held: new Map(),
  reminder: { lines: new Map(lines.map((l) => [l.loanId, l])), capped, pending: true },
});

describe('reminder items', () => {
  it('round-trips a reminder: lines by loan id, pending, its revision', () => {
    const item = encodeReminderItem(
      'B-1',
      d('2026-03-02'),
      state([line('L-2'), line('L-1')]),
      text,
    );
    expect(item).toMatchObject({
      borrowerId: 'B-1',
      asOf: '2026-03-02',
      status: 'PENDING',
      capped: false,
      lines: { 'L-1': line('L-1'), 'L-2': line('L-2') },
      ...text,
    });
    const { asOf, stored } = decodeReminderItem(item);
    expect(asOf).toBe('2026-03-02');
    expect(stored.reminderRevision).toBe(item.revision);
    expect([...(stored.state.reminder?.lines.keys() ?? [])].sort()).toEqual(['L-1', 'L-2']);
    expect(stored.state.reminder).toMatchObject({ capped: false, pending: true });
  });

  it('has the same revision for the same content, whatever order built it, and another for another', () => {
    const a = new Map([
      ['L-1', line('L-1')],
      ['L-2', line('L-2')],
    ]);
    const b = new Map([
      ['L-2', line('L-2')],
      ['L-1', line('L-1')],
    ]);
    expect(revisionOf(a, false)).toBe(revisionOf(b, false));
    expect(revisionOf(a, true)).not.toBe(revisionOf(a, false));
    expect(revisionOf(new Map([['L-1', line('L-1', { dpd: 8 })]]), false)).not.toBe(
      revisionOf(new Map([['L-1', line('L-1')]]), false),
    );
  });

  it('reads a sent reminder as not pending, and exact numbers as numbers', () => {
    const item = encodeReminderItem('B-1', d('2026-03-02'), state([line('L-1')]), text);
    const lines = item.lines as Record<string, Record<string, unknown>>;
    const exact = {
      ...item,
      status: 'SENT',
      lines: {
        'L-1': {
          ...lines['L-1'],
          dpd: new NumberValue('7'),
          amountOverdue: new NumberValue('10300'),
        },
      },
    };
    const { stored } = decodeReminderItem(exact);
    expect(stored.state.reminder?.pending).toBe(false);
    expect(stored.state.reminder?.lines.get('L-1')).toEqual(line('L-1'));
  });

  it('keeps any loan id a plain key, even one named like an object property', () => {
    const odd = ['__proto__', 'constructor', 'é'.repeat(1_024)];
    const item = encodeReminderItem('B-1', d('2026-03-02'), state(odd.map((id) => line(id))), text);
    const { stored } = decodeReminderItem(JSON.parse(JSON.stringify(item)));
    expect([...(stored.state.reminder?.lines.keys() ?? [])].sort()).toEqual([...odd].sort());
  });

  it.each([
    [{ lines: 'x' }, 'lines: not a map'],
    [{ lines: { 'L-1': { ...line('L-1'), loanId: 'L-2' } } }, 'lines[L-1].loanId: not its key'],
    [
      { lines: { 'L-1': { ...line('L-1'), kind: 'SPAM' } } },
      'lines[L-1].kind: not a reminder kind',
    ],
    [
      { lines: { 'L-1': { ...line('L-1'), amountOverdue: -1 } } },
      'amountOverdue: not a safe integer',
    ],
    [{ lines: { 'L-1': { ...line('L-1'), until: '2026-02-30' } } }, 'until: not a date'],
    [{ revision: undefined }, 'revision: missing'],
    [{ asOf: 'today' }, 'asOf: not a date'],
  ])('names what cannot be read in a stored item: %j', (change, problem) => {
    const item = {
      ...encodeReminderItem('B-1', d('2026-03-02'), state([line('L-1')]), text),
      ...change,
    };
    expect(() => decodeReminderItem(item)).toThrow(problem);
  });
});

describe('held lines', () => {
  it('live under a partition of their own, a digest of the borrower id of any length', () => {
    const key = heldPartitionOf('B-1');
    expect(key).toMatch(/^#held#[0-9a-f]{64}$/);
    expect(heldPartitionOf('张'.repeat(682))).toHaveLength(key.length);
    expect(heldPartitionOf('B-2')).not.toBe(key);
    const item = encodeHeldItem('B-1', d('2026-03-02'), new Map([['L-1', line('L-1')]]));
    expect(item.borrowerId).toBe(key);
    expect(item.message).toBeUndefined();
    const decoded = decodeHeldItem(item);
    expect(decoded.held.get('L-1')).toEqual(line('L-1'));
    expect(decoded.revision).toBe(item.revision);
  });
});

import { describe, expect, it } from 'vitest';
import { assess } from '../../../functions/core/assess';
import { buildSweepCompletedEvent } from '../../../functions/core/events';
import { decodeOutbox, encodeOutbox, runRecordKeyOf } from '../../../functions/core/outbox';
import type { EventEnvelope } from '../../../functions/core/types';
import { d, installment, loan, policy, RUN } from '../../../local/fixtures/loans';

/** The events of a loan charged, in grace for another instalment, changing bucket. */
function eventsOfOneWrite(): readonly EventEnvelope[] {
  const result = assess(
    loan({ installments: [installment({ seq: 1, dueDate: d('2026-01-10') })] }),
    policy({ lateFee: 500 }),
    d('2026-01-20'),
    RUN,
  );
  if (result.kind !== 'change') throw new Error('expected a change');
  return result.events;
}

describe('the events a sweep write records on the loan item', () => {
  it('decode to exactly the envelopes the sweep built, ids derived from the loan id', () => {
    const events = eventsOfOneWrite();
    expect(events.length).toBeGreaterThan(1);
    const decoded = decodeOutbox(encodeOutbox(events), 'L-1');
    expect(decoded).toEqual({ ok: true, events });
  });

  it('store what the events share once and no event id', () => {
    const events = eventsOfOneWrite();
    const stored = encodeOutbox(events) ?? '';
    expect(stored).not.toContain('L-1:loan.');
    expect(stored.split('"runId"')).toHaveLength(2);
    // Much smaller than the envelopes themselves: every byte is paid twice in a transaction.
    expect(stored.length).toBeLessThan(JSON.stringify(events).length * 0.75);
  });

  it('are absent when a write records no event, and absent decodes to none', () => {
    expect(encodeOutbox([])).toBeUndefined();
    expect(decodeOutbox(undefined, 'L-1')).toEqual({ ok: true, events: [] });
  });

  it.each([
    ['not a string', { a: 1 }, 'outbox: not a string'],
    ['not JSON', '{', 'outbox: not valid JSON'],
    ['a bad date', '{"asOf":"tomorrow"}', 'outbox.asOf: not a YYYY-MM-DD date'],
    [
      'an unknown event type',
      JSON.stringify({
        asOf: '2026-01-20',
        runId: 'r',
        at: 't',
        borrowerId: 'B',
        bucket: 'M1',
        dpd: 1,
        events: [['loan.unknown', {}]],
      }),
      'outbox.events[0]: unknown type',
    ],
  ])('name what is wrong with one that cannot be read: %s', (_name, value, reason) => {
    expect(decodeOutbox(value, 'L-1')).toEqual({ ok: false, reason });
  });
});

describe("a run record's outbox", () => {
  const completed = buildSweepCompletedEvent(
    { runId: 'sweep-2026-01-20', asOf: '2026-01-20', complete: true, loansCharged: 2 },
    d('2026-01-20'),
    { runId: 'sweep-2026-01-20', occurredAt: '2026-01-19T16:30:00.000Z' },
  );
  const key = runRecordKeyOf('sweep-2026-01-20');

  it('decodes to exactly the sweep.completed the finish built, with no loan or borrower', () => {
    expect(key).toBe('#run#sweep-2026-01-20');
    expect(decodeOutbox(encodeOutbox([completed]), key)).toEqual({ ok: true, events: [completed] });
  });

  it('is refused under a loan key: sweep.completed is recorded in a run record only', () => {
    expect(decodeOutbox(encodeOutbox([completed]), 'L-1')).toEqual({
      ok: false,
      reason: 'outbox.events[0]: sweep.completed is recorded in a run record only',
    });
  });

  it("is refused under another run's key", () => {
    expect(decodeOutbox(encodeOutbox([completed]), runRecordKeyOf('sweep-2026-01-21'))).toEqual({
      ok: false,
      reason: "outbox.runId: not the run its record's key names",
    });
  });

  it('holds nothing but the one sweep.completed', () => {
    const loanEvents = eventsOfOneWrite();
    expect(decodeOutbox(encodeOutbox(loanEvents), key)).toMatchObject({
      ok: false,
      reason: 'outbox.events: a run record holds exactly one event',
    });
    const [first] = loanEvents;
    expect(decodeOutbox(encodeOutbox(first ? [first] : []), key)).toEqual({
      ok: false,
      reason: 'outbox.events[0]: a run record holds sweep.completed only',
    });
  });
});

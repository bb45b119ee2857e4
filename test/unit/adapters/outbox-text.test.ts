import { describe, expect, it } from 'vitest';
import { eventsOfStoredOutbox, storedOutboxOf } from '../../../functions/adapters/outbox-text';
import { assess } from '../../../functions/core/assess';
import { buildSweepCompletedEvent } from '../../../functions/core/events';
import { encodeOutbox, runRecordKeyOf } from '../../../functions/core/outbox';
import type { EventEnvelope } from '../../../functions/core/types';
import { d, installment, loan, policy, RUN } from '../../../local/fixtures/loans';

/** A first night: a loan met 80 days overdue starts its episode and records all it raises. */
function firstNightEvents(): readonly EventEnvelope[] {
  const result = assess(
    loan({
      installments: [
        installment({ seq: 1, dueDate: d('2025-10-13') }),
        installment({ seq: 2, dueDate: d('2025-11-12') }),
      ],
    }),
    policy({ lateFee: 500 }),
    d('2026-01-01'),
    RUN,
  );
  if (result.kind !== 'change') throw new Error('expected a change');
  return result.events;
}

describe('the outbox as the loans table stores it', () => {
  it('gives back exactly the envelopes the sweep built', () => {
    const events = firstNightEvents();
    expect(events.length).toBeGreaterThanOrEqual(5);
    expect(eventsOfStoredOutbox(storedOutboxOf(events), 'L-1')).toEqual({ ok: true, events });
  });

  it("takes a fraction of the JSON's bytes, so a first night's item stays under the kilobyte", () => {
    const events = firstNightEvents();
    const stored = storedOutboxOf(events) ?? '';
    const json = encodeOutbox(events) ?? '';
    expect(stored.startsWith('z1:')).toBe(true);
    expect(stored.length).toBeLessThan(json.length / 3);
    expect(stored.length).toBeLessThan(260);
  });

  it('reads the JSON stored before compression as it is', () => {
    const events = firstNightEvents();
    expect(eventsOfStoredOutbox(encodeOutbox(events), 'L-1')).toEqual({ ok: true, events });
    expect(eventsOfStoredOutbox(undefined, 'L-1')).toEqual({ ok: true, events: [] });
    expect(storedOutboxOf([])).toBeUndefined();
  });

  it('carries a run record the same way', () => {
    const completed = buildSweepCompletedEvent(
      { runId: 'sweep-2026-01-20', asOf: '2026-01-20', complete: true, loansCharged: 2 },
      d('2026-01-20'),
      { runId: 'sweep-2026-01-20', occurredAt: '2026-01-19T16:30:00.000Z' },
    );
    const key = runRecordKeyOf('sweep-2026-01-20');
    expect(eventsOfStoredOutbox(storedOutboxOf([completed]), key)).toEqual({
      ok: true,
      events: [completed],
    });
  });

  it('names what cannot be read instead of throwing', () => {
    const stored = storedOutboxOf(firstNightEvents()) ?? '';
    const cut = stored.slice(0, 20);
    expect(eventsOfStoredOutbox(cut, 'L-1')).toEqual({
      ok: false,
      reason: 'outbox: not a readable compressed outbox',
    });
    expect(eventsOfStoredOutbox('z1:', 'L-1')).toMatchObject({ ok: false });
    expect(eventsOfStoredOutbox('z9:AAAA', 'L-1')).toEqual({
      ok: false,
      reason: 'outbox: not valid JSON',
    });
  });

  it('reads what z1 stored once: its dictionary never changes', () => {
    // Written by this code when z1 was introduced; an outbox can stay in the table or its stream
    // for days, so the same text must always give the same events.
    const decoded = eventsOfStoredOutbox(PINNED_Z1, 'L-1');
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.events.map((event) => event.type)).toEqual(PINNED_TYPES);
    expect(decoded.events[0]).toMatchObject({ id: 'L-1:loan.overdue:2026-01-01', dpd: 80 });
  });
});

const PINNED_Z1 =
  'z1:w1/VFJXm6eKo9IxxVnpOYC2IgDKGpTML5HoPRxBbGKBrJSOMjQzMDAiFM5Y8iS3ATXUNDXQNTagX4ITSvKGBAbZkb2ZKz4RPdBmCFLfULBmRTcNWZmOmEryRR2RFZGFAdEoiozbCdAy+utdH1xCl+kWkQ9KcWhsbWwsA';
const PINNED_TYPES: readonly string[] = [
  'loan.overdue',
  'loan.fee_applied',
  'loan.delinquency_changed',
  'loan.risk_class_changed',
  'loan.credit_hold',
  'loan.credit_report_notice',
  'loan.hardship_offer',
];

/**
 * The retry logic of exactly-once counting, against a scripted store (fault injection only: the
 * real store and its transactions are tested on DynamoDB Local in the integration tests).
 */
import { describe, expect, it } from 'vitest';
import type { ParsedEvent } from '../../../functions/core/event-message';
import { countEvents, EVENT_MARKER_TTL_SECONDS } from '../../../functions/reporting/count-events';
import type { CommitOutcome, DateDelta, ReportStore } from '../../../functions/reporting/ports';
import {
  delinquencyChangedEvent,
  dueSoonEvent,
  feeAppliedEvent,
  overdueEvent,
} from '../../support/events';

/** A scripted commit: an outcome, an error to throw, or a function of the event ids. */
type Script = CommitOutcome | Error | ((eventIds: readonly string[]) => CommitOutcome | Error);

function scriptedStore(outcomes: Script[]) {
  const commits: {
    deltas: readonly DateDelta[];
    eventIds: readonly string[];
    expiresAt: number;
  }[] = [];
  const ensured: string[][] = [];
  const store: ReportStore = {
    ensureReports: async (dates) => {
      ensured.push([...dates]);
    },
    completeIfCounted: async () => false,
    readCreditRecords: async () => new Map(),
    commit: async (deltas, _creditRecords, eventIds, expiresAt) => {
      commits.push({ deltas, eventIds, expiresAt });
      const next = outcomes.shift() ?? { kind: 'committed' };
      const outcome = typeof next === 'function' ? next(eventIds) : next;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    get: async () => undefined,
  };
  return { store, commits, ensured };
}

const now = () => new Date('2026-03-07T00:00:00Z');
const noSleep = async () => {};

describe('counting a batch', () => {
  it('commits one update per business date and one marker per event', async () => {
    const { store, commits, ensured } = scriptedStore([]);
    const a = overdueEvent('2026-03-07', 7);
    const b = { ...feeAppliedEvent('2026-03-07', 500, 45), id: 'L-2:loan.fee_applied:2026-03-07' };
    const c = { ...overdueEvent('2026-03-06', 6), id: 'L-1:loan.overdue:2026-03-06' };
    const result = await countEvents(
      [a, b, c].map((event, i) => ({ messageId: `m${i}`, event })),
      { store, now, sleep: noSleep },
    );
    expect(result).toEqual({
      counted: [a, b, c],
      duplicates: [],
      failedMessageIds: [],
      rejected: [],
    });
    expect(ensured).toEqual([['2026-03-07', '2026-03-06']]);
    expect(commits).toHaveLength(1);
    expect(commits[0]?.deltas.map((x) => x.asOf)).toEqual(['2026-03-07', '2026-03-06']);
    expect(commits[0]?.deltas[0]?.delta).toMatchObject({
      loansOverdue: 1,
      chargesApplied: { CNY: 545 },
    });
    expect(commits[0]?.eventIds).toEqual([a.id, b.id, c.id]);
    expect(commits[0]?.expiresAt).toBe(
      Date.parse('2026-03-07T00:00:00Z') / 1000 + EVENT_MARKER_TTL_SECONDS,
    );
  });

  it('counts an event delivered twice in one batch once, acknowledging both messages', async () => {
    const { store, commits } = scriptedStore([]);
    const event = overdueEvent('2026-03-07', 7);
    const result = await countEvents(
      [
        { messageId: 'm1', event },
        { messageId: 'm2', event },
      ],
      { store, now, sleep: noSleep },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(commits[0]?.eventIds).toEqual([event.id]);
    expect(commits[0]?.deltas[0]?.delta.loansOverdue).toBe(1);
  });

  it('drops ids counted before and commits the rest without them', async () => {
    const old = overdueEvent('2026-03-07', 7);
    const fresh = dueSoonEvent('2026-03-07', 3);
    const { store, commits } = scriptedStore([{ kind: 'already-counted', eventIds: [old.id] }]);
    const result = await countEvents(
      [
        { messageId: 'm1', event: old },
        { messageId: 'm2', event: fresh },
      ],
      { store, now, sleep: noSleep },
    );
    expect(result).toEqual({
      counted: [fresh],
      duplicates: [old.id],
      failedMessageIds: [],
      rejected: [],
    });
    expect(commits[1]?.eventIds).toEqual([fresh.id]);
    expect(commits[1]?.deltas[0]?.delta).toMatchObject({ loansOverdue: 0, dueSoon: 1 });
  });

  it('retries write conflicts with backoff and succeeds', async () => {
    const { store, commits } = scriptedStore([{ kind: 'conflict' }, { kind: 'conflict' }]);
    const pauses: number[] = [];
    const result = await countEvents([{ messageId: 'm1', event: overdueEvent('2026-03-07', 7) }], {
      store,
      now,
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    expect(result.failedMessageIds).toEqual([]);
    expect(commits).toHaveLength(3);
    expect(pauses).toHaveLength(2);
  });

  it('fails the messages after too many conflicts so SQS redelivers them', async () => {
    const { store, commits } = scriptedStore(
      Array.from({ length: 10 }, () => ({ kind: 'conflict' as const })),
    );
    const result = await countEvents(
      [
        { messageId: 'm1', event: overdueEvent('2026-03-07', 7) },
        { messageId: 'm2', event: dueSoonEvent('2026-03-07', 3) },
      ],
      { store, now, sleep: noSleep, maxConflictAttempts: 3 },
    );
    expect(result).toEqual({
      counted: [],
      duplicates: [],
      failedMessageIds: ['m1', 'm2'],
      rejected: [],
    });
    expect(commits).toHaveLength(3);
  });

  it('counts an event that changes no figure towards its run, so the day can complete', async () => {
    const { store, commits } = scriptedStore([]);
    const result = await countEvents(
      [{ messageId: 'm1', event: delinquencyChangedEvent('2026-03-07', 'M1', 'M2') }],
      { store, now, sleep: noSleep },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(commits.map((c) => c.deltas[0]?.delta.eventsByRun)).toEqual([{ 'run-1': 1 }]);
  });
});

describe('an event the table cannot store fails alone (docs/contract.md, Reports)', () => {
  const poison = { ...overdueEvent('2026-03-07', 7), id: 'L-poison:loan.overdue:2026-03-07' };
  const good = [1, 2, 3].map((n) => ({
    ...overdueEvent('2026-03-07', 7),
    id: `L-${n}:loan.overdue:2026-03-07`,
  }));
  const storeError = Object.assign(new Error('Hash primary key values must be under 2048 bytes'), {
    name: 'ValidationException',
  });
  /** Fails every commit that includes the poison event. */
  const rejectsPoison = (eventIds: readonly string[]) =>
    eventIds.includes(poison.id) ? storeError : ({ kind: 'committed' } as const);

  it('commits event by event after the batch fails, failing only the bad one', async () => {
    const { store, commits } = scriptedStore(Array.from({ length: 5 }, () => rejectsPoison));
    const batch = [good[0], poison, good[1], good[2]].map((event, i) => ({
      messageId: `m${i}`,
      event: event as ParsedEvent,
    }));
    const result = await countEvents(batch, { store, now, sleep: noSleep });
    expect(result).toEqual({
      counted: good,
      duplicates: [],
      failedMessageIds: ['m1'],
      rejected: [{ eventId: poison.id, messageIds: ['m1'], error: storeError }],
    });
    expect(commits.map((c) => c.eventIds)).toEqual([
      [good[0]?.id, poison.id, good[1]?.id, good[2]?.id],
      [good[0]?.id],
      [poison.id],
      [good[1]?.id],
      [good[2]?.id],
    ]);
  });

  it('keeps the duplicates found before the error and does not commit them again', async () => {
    const [first, second] = good as [ParsedEvent, ParsedEvent];
    const { store, commits } = scriptedStore([
      { kind: 'already-counted', eventIds: [first.id] },
      storeError,
      rejectsPoison,
      rejectsPoison,
    ]);
    const result = await countEvents(
      [first, poison, second].map((event, i) => ({ messageId: `m${i}`, event })),
      { store, now, sleep: noSleep },
    );
    expect(result.duplicates).toEqual([first.id]);
    expect(result.counted).toEqual([second]);
    expect(result.failedMessageIds).toEqual(['m1']);
    expect(commits.slice(2).map((c) => c.eventIds)).toEqual([[poison.id], [second.id]]);
  });

  it('a batch of one that fails is rejected without a second attempt', async () => {
    const { store, commits } = scriptedStore([storeError]);
    const result = await countEvents([{ messageId: 'm0', event: poison }], {
      store,
      now,
      sleep: noSleep,
    });
    expect(result.failedMessageIds).toEqual(['m0']);
    expect(result.rejected.map((r) => r.eventId)).toEqual([poison.id]);
    expect(commits).toHaveLength(1);
  });

  it('an event that conflicts on its own is failed for redelivery, not rejected', async () => {
    const [first, second] = good as [ParsedEvent, ParsedEvent];
    const { store } = scriptedStore([
      storeError,
      { kind: 'conflict' },
      { kind: 'conflict' },
      { kind: 'committed' },
    ]);
    const result = await countEvents(
      [first, second].map((event, i) => ({ messageId: `m${i}`, event })),
      { store, now, sleep: noSleep, maxConflictAttempts: 2 },
    );
    expect(result).toEqual({
      counted: [second],
      duplicates: [],
      failedMessageIds: ['m0'],
      rejected: [],
    });
  });
});

/**
 * Collects outbox events from many loans into full PublishBatch calls (10 entries), so a run's SNS
 * calls grow with events ÷ 10 rather than with loans, and tells each loan which of its events SNS
 * accepted. A partial batch goes out after a short linger, so no loan waits for others for long.
 */
import type { EventPublisher, PublishResult } from '../adapters/sns-publisher';
import { PUBLISH_BATCH_LIMIT } from '../adapters/sns-publisher';
import type { EventEnvelope } from '../core/types';

interface Waiter {
  remaining: number;
  readonly accepted: string[];
  readonly failed: { id: string; reason: string }[];
  readonly resolve: (result: PublishResult) => void;
}

/** Publishes events of many callers in shared batches. */
export interface PublishBatcher {
  /** Publishes `events` in shared batches; resolves with this caller's accepted/failed ids. */
  publish(events: readonly EventEnvelope[]): Promise<PublishResult>;
}

/** A batcher on `publisher`; a partial batch waits at most `lingerMs` milliseconds for company. */
export function createPublishBatcher(publisher: EventPublisher, lingerMs = 10): PublishBatcher {
  const queue: { event: EventEnvelope; waiter: Waiter }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const dispatch = (entries: { event: EventEnvelope; waiter: Waiter }[]) => {
    void publisher.publish(entries.map((entry) => entry.event)).then(
      (result) => settle(entries, result),
      // The publisher reports SNS failures as results; this only guards against a bug.
      (error: unknown) =>
        settle(entries, {
          accepted: [],
          failed: entries.map(({ event }) => ({ id: event.id, reason: String(error) })),
        }),
    );
  };

  const settle = (entries: { event: EventEnvelope; waiter: Waiter }[], result: PublishResult) => {
    const accepted = new Set(result.accepted);
    const reasons = new Map(result.failed.map((f) => [f.id, f.reason]));
    for (const { event, waiter } of entries) {
      if (accepted.has(event.id)) waiter.accepted.push(event.id);
      else waiter.failed.push({ id: event.id, reason: reasons.get(event.id) ?? 'not accepted' });
      waiter.remaining--;
      if (waiter.remaining === 0) {
        waiter.resolve({ accepted: waiter.accepted, failed: waiter.failed });
      }
    }
  };

  const flush = () => {
    timer = undefined;
    while (queue.length > 0) dispatch(queue.splice(0, PUBLISH_BATCH_LIMIT));
  };

  return {
    publish(events) {
      if (events.length === 0) return Promise.resolve({ accepted: [], failed: [] });
      return new Promise((resolve) => {
        const waiter: Waiter = { remaining: events.length, accepted: [], failed: [], resolve };
        queue.push(...events.map((event) => ({ event, waiter })));
        while (queue.length >= PUBLISH_BATCH_LIMIT) {
          dispatch(queue.splice(0, PUBLISH_BATCH_LIMIT));
        }
        if (queue.length > 0 && timer === undefined) timer = setTimeout(flush, lingerMs);
        if (queue.length === 0 && timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
      });
    },
  };
}

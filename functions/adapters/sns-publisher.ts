/**
 * Publishes event envelopes to the events topic (SPEC §6): PublishBatch, 10 per call, the JSON
 * envelope as the body and the filter attributes as message attributes. Every entry's result is
 * checked; entries SNS failed are retried with backoff, and the caller learns exactly which ids
 * SNS accepted.
 */
import {
  type MessageAttributeValue,
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { MESSAGE_ATTRIBUTES } from '../contract/events';
import { eventAttributesOf, messageBodyOf } from '../core/events';
import type { EventEnvelope } from '../core/types';
import { describeError } from '../core/values';
import { exponentialBackoff, type RetryPolicy, sleep } from './retry';

/** SNS's limit of entries per PublishBatch call. */
export const PUBLISH_BATCH_LIMIT = 10;

/** An event SNS did not accept, with the last reason it gave. */
export interface PublishFailure {
  readonly id: string;
  readonly reason: string;
}

/** The result of publishing a set of events: every id is in exactly one of the two lists. */
export interface PublishResult {
  readonly accepted: readonly string[];
  readonly failed: readonly PublishFailure[];
  /** PublishBatch calls made, retries included. */
  readonly calls: number;
}

/** Publishes events; never throws for SNS failures, it reports them per event. */
export interface EventPublisher {
  /** Publishes `events` (any number; sent 10 per call) and reports accepted and failed ids. */
  publish(events: readonly EventEnvelope[]): Promise<PublishResult>;
}

const DEFAULT_RETRY = exponentialBackoff(4, 100, 2_000);

/** The SNS message attributes of an event, for subscription filter policies. */
export function messageAttributesOf(event: EventEnvelope): Record<string, MessageAttributeValue> {
  const attributes = eventAttributesOf(event);
  const result: Record<string, MessageAttributeValue> = {
    [MESSAGE_ATTRIBUTES.eventType]: { DataType: 'String', StringValue: attributes.eventType },
  };
  if (attributes.bucket !== undefined) {
    result[MESSAGE_ATTRIBUTES.bucket] = { DataType: 'String', StringValue: attributes.bucket };
  }
  if (attributes.dpd !== undefined) {
    result[MESSAGE_ATTRIBUTES.dpd] = { DataType: 'Number', StringValue: String(attributes.dpd) };
  }
  return result;
}

/** Sends one batch (≤ 10) once; returns the ids accepted and the failures. */
async function sendBatch(
  sns: SNSClient,
  topicArn: string,
  batch: readonly EventEnvelope[],
): Promise<Omit<PublishResult, 'calls'>> {
  // Batch entry ids allow only [A-Za-z0-9_-]; event ids contain ':' and '.', so use positions.
  const entries: PublishBatchRequestEntry[] = batch.map((event, index) => ({
    Id: `e${index}`,
    Message: messageBodyOf(event),
    MessageAttributes: messageAttributesOf(event),
  }));
  const idOf = (entryId: string | undefined) => batch[Number(entryId?.slice(1))]?.id;
  try {
    const output = await sns.send(
      new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }),
    );
    const accepted = new Set<string>();
    for (const ok of output.Successful ?? []) {
      const id = idOf(ok.Id);
      if (id !== undefined) accepted.add(id);
    }
    const reasons = new Map((output.Failed ?? []).map((f) => [idOf(f.Id), f]));
    const failed: PublishFailure[] = [];
    for (const event of batch) {
      if (accepted.has(event.id)) continue;
      const failure = reasons.get(event.id);
      // An entry in neither list is not known to be accepted: treat it as failed.
      const reason = failure
        ? `${failure.Code ?? 'Failed'}: ${failure.Message ?? 'no message'}`
        : 'no result for this entry';
      failed.push({ id: event.id, reason });
    }
    return { accepted: [...accepted], failed };
  } catch (error) {
    // The whole call failed after the SDK's own retries (e.g. an outage): nothing was accepted.
    const reason = describeError(error);
    return { accepted: [], failed: batch.map((event) => ({ id: event.id, reason })) };
  }
}

/** An EventPublisher on `sns` for the topic `topicArn`. Duplicate ids in one call are sent once. */
export function createSnsPublisher(
  sns: SNSClient,
  topicArn: string,
  retry: RetryPolicy = DEFAULT_RETRY,
): EventPublisher {
  return {
    async publish(events) {
      const accepted: string[] = [];
      let pending = [...new Map(events.map((event) => [event.id, event])).values()];
      let failures = new Map<string, string>();
      let calls = 0;
      for (let attempt = 1; pending.length > 0 && attempt <= retry.attempts; attempt++) {
        if (attempt > 1) await sleep(retry.delayMs(attempt));
        const batches: EventEnvelope[][] = [];
        for (let i = 0; i < pending.length; i += PUBLISH_BATCH_LIMIT) {
          batches.push(pending.slice(i, i + PUBLISH_BATCH_LIMIT));
        }
        calls += batches.length;
        const results = await Promise.all(batches.map((b) => sendBatch(sns, topicArn, b)));
        failures = new Map();
        for (const result of results) {
          accepted.push(...result.accepted);
          for (const failure of result.failed) failures.set(failure.id, failure.reason);
        }
        pending = pending.filter((event) => failures.has(event.id));
      }
      return {
        accepted,
        failed: [...failures].map(([id, reason]) => ({ id, reason })),
        calls,
      };
    },
  };
}

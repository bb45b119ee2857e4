/**
 * Publishes event envelopes to the events topic (docs/contract.md, Events) with PublishBatch: the
 * JSON envelope as the body, the filter attributes as message attributes. Calls are packed in the
 * order given, at most 10 entries and at most SNS's 256 KiB in all, counted as SNS counts them: each
 * message's body and each of its message attributes' name, data type and value, in UTF-8 bytes.
 *
 * Every entry's result is checked. An entry SNS refuses for what it is (too long, an invalid
 * parameter) can never be accepted as it is: it is reported as a permanent failure after that one
 * attempt, and never sent again. Passing failures (throttling, an outage, an entry without an
 * answer) are retried with backoff. A call SNS refuses as a whole for what it carries, without
 * naming an entry, is sent again one entry per call, so one bad event never holds back the others.
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
import { bounded, describeError, utf8ByteLength } from '../core/values';
import type {
  EventPublisher,
  PublishFailure,
  PublishOptions,
  PublishResult,
} from '../publisher/ports';
import { exponentialBackoff, type RetryPolicy, sleep } from './retry';

/** SNS's limit of entries per PublishBatch call. */
export const PUBLISH_BATCH_LIMIT = 10;

/**
 * SNS's limit on one message and on all messages of one PublishBatch call together, in bytes: 256
 * KiB, the default of a topic's `MaximumMessageSize` (the stack leaves it at that).
 */
export const SNS_MESSAGE_BYTES = 262_144;

/** PublishBatch calls sent at once. */
export const PARALLEL_CALLS = 10;

/** Longest reason kept for a failed entry, in characters. */
const MAX_FAILURE_REASON_CHARS = 200;

/**
 * SNS error codes that refuse a message for what it is (its size, its content): trying again can
 * never help. Every other code (throttling, KMS, authorization, internal errors) is passing.
 */
const REFUSED_FOR_CONTENT = new Set([
  'BatchRequestTooLong',
  'InvalidParameter',
  'InvalidParameterValue',
]);

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

/**
 * The size of one message as SNS counts it against its limit, in bytes: the body, and for each
 * message attribute its name, its data type and its value (UTF-8).
 */
export function messageBytesOf(
  message: string,
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): number {
  let bytes = utf8ByteLength(message);
  for (const [name, value] of Object.entries(attributes)) {
    bytes += utf8ByteLength(name) + utf8ByteLength(value.DataType ?? '');
    bytes += utf8ByteLength(value.StringValue ?? '') + (value.BinaryValue?.length ?? 0);
  }
  return bytes;
}

/** One event as a PublishBatch entry (its `Id` is given per call), with its size. */
interface Entry {
  readonly event: EventEnvelope;
  readonly message: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  /** As SNS counts it, bytes. */
  readonly bytes: number;
}

function entryOf(event: EventEnvelope): Entry {
  const message = messageBodyOf(event);
  const attributes = messageAttributesOf(event);
  return { event, message, attributes, bytes: messageBytesOf(message, attributes) };
}

/**
 * Packs `entries` into PublishBatch calls in the order given: at most 10 entries and at most
 * {@link SNS_MESSAGE_BYTES} bytes per call. An entry over the limit by itself goes in a call of its
 * own (SNS is the one to refuse it, once).
 */
export function packCalls<T extends { readonly bytes: number }>(entries: readonly T[]): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const full =
      current.length === PUBLISH_BATCH_LIMIT ||
      (current.length > 0 && bytes + entry.bytes > SNS_MESSAGE_BYTES);
    if (full) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/** What SNS made of one event. */
type Outcome =
  | { readonly accepted: true }
  | (Omit<PublishFailure, 'id'> & { readonly accepted: false });

const ACCEPTED: Outcome = { accepted: true };

/** The SNS error code behind an SDK error (`InvalidParameterException` → `InvalidParameter`). */
function errorCodeOf(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  return name.replace(/Exception$/, '');
}

/** Sends one call; on a refusal of the whole call for its content, each entry on its own. */
async function sendCall(
  sns: SNSClient,
  topicArn: string,
  batch: readonly Entry[],
): Promise<{ readonly outcomes: Map<string, Outcome>; readonly calls: number }> {
  // Batch entry ids allow only [A-Za-z0-9_-]; event ids contain ':' and '.', so use positions.
  const entries: PublishBatchRequestEntry[] = batch.map((entry, index) => ({
    Id: `e${index}`,
    Message: entry.message,
    MessageAttributes: entry.attributes,
  }));
  const idOf = (entryId: string | undefined) => batch[Number(entryId?.slice(1))]?.event.id;
  const outcomes = new Map<string, Outcome>();
  try {
    const output = await sns.send(
      new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }),
    );
    for (const ok of output.Successful ?? []) {
      const id = idOf(ok.Id);
      if (id !== undefined) outcomes.set(id, ACCEPTED);
    }
    for (const failure of output.Failed ?? []) {
      const id = idOf(failure.Id);
      if (id === undefined || outcomes.has(id)) continue;
      const code = failure.Code ?? 'Failed';
      outcomes.set(id, {
        accepted: false,
        reason: bounded(`${code}: ${failure.Message ?? 'no message'}`, MAX_FAILURE_REASON_CHARS),
        permanent: REFUSED_FOR_CONTENT.has(code),
      });
    }
    for (const { event } of batch) {
      // An entry in neither list is not known to be accepted: a passing failure.
      if (!outcomes.has(event.id)) {
        outcomes.set(event.id, {
          accepted: false,
          reason: 'no result for this entry',
          permanent: false,
        });
      }
    }
    return { outcomes, calls: 1 };
  } catch (error) {
    const reason = describeError(error);
    if (!REFUSED_FOR_CONTENT.has(errorCodeOf(error))) {
      // The whole call failed after the SDK's own retries (e.g. an outage): nothing was accepted.
      for (const { event } of batch) {
        outcomes.set(event.id, { accepted: false, reason, permanent: false });
      }
      return { outcomes, calls: 1 };
    }
    const [only] = batch;
    if (batch.length === 1 && only) {
      outcomes.set(only.event.id, { accepted: false, reason, permanent: true });
      return { outcomes, calls: 1 };
    }
    // Refused as a whole for what it carries, no entry named: find out which, one per call.
    const singles = await Promise.all(batch.map((entry) => sendCall(sns, topicArn, [entry])));
    let calls = 1;
    for (const single of singles) {
      calls += single.calls;
      for (const [id, outcome] of single.outcomes) outcomes.set(id, outcome);
    }
    return { outcomes, calls };
  }
}

/** Groups `items` into runs of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/**
 * An EventPublisher on `sns` for the topic `topicArn`: calls packed by count and size, at most
 * {@link PARALLEL_CALLS} at once, passing failures retried with `retry`'s backoff.
 */
export function createSnsPublisher(
  sns: SNSClient,
  topicArn: string,
  retry: RetryPolicy = DEFAULT_RETRY,
): EventPublisher {
  return {
    async publish(events, options: PublishOptions = {}): Promise<PublishResult> {
      const unique = new Map<string, EventEnvelope>();
      for (const event of events) if (!unique.has(event.id)) unique.set(event.id, event);
      const outcomes = new Map<string, Outcome>();
      const unsent = new Set<string>();
      let calls = 0;
      const failsForNow = (entry: Entry) => {
        const outcome = outcomes.get(entry.event.id);
        return outcome !== undefined && !outcome.accepted && !outcome.permanent;
      };
      let stopped = false;
      for (const wave of chunks(packCalls([...unique.values()].map(entryOf)), PARALLEL_CALLS)) {
        if (stopped) {
          for (const entry of wave.flat()) unsent.add(entry.event.id);
          continue;
        }
        let batches = wave;
        for (let attempt = 1; ; attempt++) {
          const results = await Promise.all(batches.map((b) => sendCall(sns, topicArn, b)));
          for (const result of results) {
            calls += result.calls;
            for (const [id, outcome] of result.outcomes) outcomes.set(id, outcome);
          }
          const again = batches.flat().filter(failsForNow);
          if (again.length === 0 || attempt >= retry.attempts) break;
          await sleep(retry.delayMs(attempt + 1));
          batches = packCalls(again);
        }
        if (options.stopAfterFailure && wave.flat().some(failsForNow)) stopped = true;
      }
      const accepted: string[] = [];
      const failed: PublishFailure[] = [];
      for (const id of unique.keys()) {
        const outcome = outcomes.get(id);
        if (outcome?.accepted) accepted.push(id);
        else if (outcome) failed.push({ id, reason: outcome.reason, permanent: outcome.permanent });
      }
      return { accepted, failed, unsent: [...unsent], calls };
    },
  };
}

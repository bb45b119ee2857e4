/**
 * Republishes the events the sweep recorded for one business date, from the loan items themselves
 * (their `outbox`) and the date's run records (their `sweep.completed`): the recovery when the
 * stream publisher could not publish for longer than the stream keeps records. Safe to repeat: events keep their ids and consumers count each id once.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { eventsOfStoredOutbox } from '../functions/adapters/outbox-text';
import { createSnsPublisher } from '../functions/adapters/sns-publisher';
import { OUTBOX_ATTRIBUTE } from '../functions/contract/tables';
import { isRunRecordKey } from '../functions/core/outbox';
import type { BusinessDate, EventEnvelope } from '../functions/core/types';

/** What a republish found and did. */
export interface RepublishResult {
  /** Loans whose recorded events are of the date. */
  readonly loans: number;
  /** Run records of the date: each run's `sweep.completed`, counted in `events`. */
  readonly runs: number;
  readonly events: number;
  readonly published: number;
  readonly failed: readonly { readonly id: string; readonly reason: string }[];
  /** Loans whose recorded events could not be read (logged by id only). */
  readonly unreadable: readonly string[];
}

/** Events are sent in groups of this many (PublishBatch calls of 10 run in parallel). */
const PUBLISH_GROUP = 100;

/**
 * Scans the loans table for items whose recorded events are of `asOf` and publishes them (unless
 * `dryRun`). Reads the whole table: a recovery tool, not a nightly path.
 */
export async function republish(options: {
  readonly doc: DynamoDBDocumentClient;
  readonly sns: SNSClient;
  readonly loansTable: string;
  readonly topicArn: string;
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
}): Promise<RepublishResult> {
  const publisher = createSnsPublisher(options.sns, options.topicArn);
  let loans = 0;
  let runs = 0;
  let events = 0;
  let published = 0;
  const failed: { id: string; reason: string }[] = [];
  const unreadable: string[] = [];
  let pending: EventEnvelope[] = [];
  const flush = async () => {
    if (options.dryRun || pending.length === 0) return;
    const result = await publisher.publish(pending);
    published += result.accepted.length;
    failed.push(...result.failed);
    pending = [];
  };
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await options.doc.send(
      new ScanCommand({
        TableName: options.loansTable,
        // The stored record is compressed: which date it names is read below, once decoded.
        FilterExpression: 'attribute_exists(#outbox)',
        ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const loanId = String(item.loanId);
      const decoded = eventsOfStoredOutbox(item[OUTBOX_ATTRIBUTE], loanId);
      if (!decoded.ok) {
        unreadable.push(loanId);
        continue;
      }
      const ofDate = decoded.events.filter((event) => event.asOf === options.asOf);
      if (ofDate.length === 0) continue;
      if (isRunRecordKey(loanId)) runs++;
      else loans++;
      events += ofDate.length;
      pending.push(...ofDate);
      if (pending.length >= PUBLISH_GROUP) await flush();
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  await flush();
  return { loans, runs, events, published, failed, unreadable };
}

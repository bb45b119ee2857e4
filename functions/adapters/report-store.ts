/**
 * The reports table (docs/contract.md, Reports): one report item per business date (partition key
 * `asOf`), and one marker item per counted event written in the same transaction as the counters,
 * so an event counts exactly once however often it is delivered. A marker is keyed by a SHA-256
 * digest of the event id (the id kept as an attribute), so any valid id fits a key; markers of the
 * earlier form (`event#<id>`) are still honoured while they may exist (their 35-day TTL).
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DailyReport, ReportDelta } from '../core/report';
import type { BusinessDate } from '../core/types';
import type { ReportStore } from '../reporting/ports';
import { fitsPartitionKey } from './dynamodb';

/** The map attributes of a report item: key → count or minor units. */
const MAP_ATTRIBUTES = [
  'buckets',
  'amountOverdue',
  'chargesApplied',
  'lateFees',
  'penaltyInterest',
  'chargesReversed',
  'chargedOffPrincipal',
  'eventsByRun',
] as const;
type MapAttribute = (typeof MAP_ATTRIBUTES)[number];

const COUNTER_ATTRIBUTES = ['loansOverdue', 'chargedOff', 'dueSoon', 'cured'] as const;

/** A business date's report as read back (see `DailyReport`). */
export type ReportItem = DailyReport;

/** The key of the marker item recording that an event was counted (64 hex digits after `counted#`). */
export function eventMarkerKey(eventId: string): string {
  return `counted#${createHash('sha256').update(eventId, 'utf8').digest('hex')}`;
}

/**
 * The key an earlier release gave the marker (`event#<id>`), when that fits a partition key:
 * such markers may still exist until their TTL runs out, and an event they name counts as counted.
 * A longer id never had one (that release refused it).
 */
export function legacyEventMarkerKey(eventId: string): string | undefined {
  const key = `event#${eventId}`;
  return fitsPartitionKey(key) ? key : undefined;
}

/** Builds the UpdateExpression adding one date's delta (ADD on counters, SET on map entries). */
function updateOf(delta: ReportDelta) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':zero': 0 };
  const adds: string[] = [];
  const sets: string[] = [];
  for (const counter of COUNTER_ATTRIBUTES) {
    if (delta[counter] === 0) continue;
    names[`#${counter}`] = counter;
    values[`:${counter}`] = delta[counter];
    adds.push(`#${counter} :${counter}`);
  }
  MAP_ATTRIBUTES.forEach((attribute: MapAttribute, a) => {
    const entries = Object.entries(delta[attribute]).filter(([, value]) => value !== 0);
    entries.forEach(([key, value], k) => {
      names[`#m${a}`] = attribute;
      names[`#m${a}k${k}`] = key;
      values[`:m${a}k${k}`] = value;
      // ADD cannot reach into a map; if_not_exists + addition can, once the map exists.
      const path = `#m${a}.#m${a}k${k}`;
      sets.push(`${path} = if_not_exists(${path}, :zero) + :m${a}k${k}`);
    });
  });
  if (delta.completion) {
    names['#summary'] = 'summary';
    values[':summary'] = delta.completion.summary;
    sets.push('#summary = :summary');
  }
  const expression = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (!sets.some((s) => s.includes(':zero'))) delete values[':zero'];
  return { expression, names, values };
}

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'value' in value) return Number(value.value);
  return 0;
}

function mapOf(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numberOf(v)]));
}

/** A stored report item with every attribute defaulted (absent counters are 0). */
export function reportItemOf(item: Record<string, unknown>): ReportItem {
  const summary = item.summary;
  return {
    asOf: String(item.asOf) as BusinessDate,
    loansOverdue: numberOf(item.loansOverdue),
    buckets: mapOf(item.buckets),
    amountOverdue: mapOf(item.amountOverdue),
    chargesApplied: mapOf(item.chargesApplied),
    lateFees: mapOf(item.lateFees),
    penaltyInterest: mapOf(item.penaltyInterest),
    chargesReversed: mapOf(item.chargesReversed),
    chargedOff: numberOf(item.chargedOff),
    chargedOffPrincipal: mapOf(item.chargedOffPrincipal),
    dueSoon: numberOf(item.dueSoon),
    cured: numberOf(item.cured),
    eventsByRun: mapOf(item.eventsByRun),
    complete: item.complete === true,
    ...(typeof summary === 'object' && summary !== null
      ? { summary: summary as Record<string, unknown> }
      : {}),
  };
}

/** The report store on `tableName` through a document client (plain numbers are fine here). */
export function createReportStore(doc: DynamoDBDocumentClient, tableName: string): ReportStore {
  return {
    async ensureReports(dates) {
      const names = Object.fromEntries(MAP_ATTRIBUTES.map((m, i) => [`#m${i}`, m]));
      const sets = MAP_ATTRIBUTES.map((_, i) => `#m${i} = if_not_exists(#m${i}, :empty)`);
      await Promise.all(
        [...new Set(dates)].map((asOf) =>
          doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { asOf },
              UpdateExpression: `SET ${sets.join(', ')}`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':empty': {} },
            }),
          ),
        ),
      );
    },

    async commit(deltas, eventIds, expiresAt) {
      const updates = deltas.flatMap(({ asOf, delta }) => {
        const { expression, names, values } = updateOf(delta);
        if (expression === '') return [];
        return {
          Update: {
            TableName: tableName,
            Key: { asOf },
            UpdateExpression: expression,
            ExpressionAttributeNames: names,
            ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          },
        };
      });
      const markers = eventIds.map((eventId) => ({
        Put: {
          TableName: tableName,
          Item: { asOf: eventMarkerKey(eventId), eventId, expiresAt },
          ConditionExpression: 'attribute_not_exists(asOf)',
        },
      }));
      // Markers of the earlier form count too, for as long as their TTL keeps them.
      const legacy = eventIds.flatMap((eventId) => {
        const key = legacyEventMarkerKey(eventId);
        return key === undefined ? [] : [{ eventId, key }];
      });
      const legacyChecks = legacy.map(({ key }) => ({
        ConditionCheck: {
          TableName: tableName,
          Key: { asOf: key },
          ConditionExpression: 'attribute_not_exists(asOf)',
        },
      }));
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [...updates, ...markers, ...legacyChecks],
          }),
        );
        return { kind: 'committed' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failedAt = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
        const counted = new Set([
          ...eventIds.filter((_, i) => failedAt(updates.length + i)),
          ...legacy
            .filter((_, i) => failedAt(updates.length + markers.length + i))
            .map(({ eventId }) => eventId),
        ]);
        if (counted.size > 0) return { kind: 'already-counted', eventIds: [...counted] };
        if (reasons.some((r) => r.Code === 'TransactionConflict')) return { kind: 'conflict' };
        throw error;
      }
    },

    async completeIfCounted(asOf, runId) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { asOf },
            UpdateExpression: 'SET #complete = :true',
            // The summary is this run's, of a run that covered every loan, and its count of
            // counted events has reached what the run recorded.
            ConditionExpression:
              '#summary.#runId = :runId AND #summary.#complete = :true AND ' +
              '#counted.#run >= #summary.#recorded',
            ExpressionAttributeNames: {
              '#complete': 'complete',
              '#summary': 'summary',
              '#runId': 'runId',
              '#recorded': 'eventsRecorded',
              '#counted': 'eventsByRun',
              '#run': runId,
            },
            ExpressionAttributeValues: { ':true': true, ':runId': runId },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async get(asOf) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { asOf }, ConsistentRead: true }),
      );
      return Item ? reportItemOf(Item) : undefined;
    },
  };
}

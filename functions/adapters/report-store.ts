/**
 * The reports table (docs/contract.md, Reports): one report item per business date (partition key
 * `asOf`), and one marker item per counted event written in the same transaction as the counters,
 * so an event counts exactly once however often it is delivered. A marker is keyed by a SHA-256
 * digest of the event id (the id kept as an attribute), so any valid id fits a key; markers of the
 * earlier form (`event#<id>`) are still honoured while they may exist (their 35-day TTL). The
 * loans' credit records the same events say something about are written in that transaction too.
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
import {
  type DailyReport,
  EPISODE_COUNTS,
  MAX_LISTED_RUNS,
  type ReportDelta,
  type RunFigures,
} from '../core/report';
import type { BusinessDate } from '../core/types';
import { isRecord } from '../core/values';
import type { ReportStore } from '../reporting/ports';
import { creditRecordPut, readCreditRecords } from './credit-record-store';
import { fitsPartitionKey, storedNumber } from './dynamodb';

/** The map attributes of a report item whose entries add up: key → count or minor units. */
const COUNTING_MAPS = [
  'buckets',
  'amountOverdue',
  'chargesApplied',
  'lateFees',
  'penaltyInterest',
  'chargesReversed',
  'chargedOffPrincipal',
  'riskClasses',
  'eventsByRun',
] as const;
type CountingMap = (typeof COUNTING_MAPS)[number];

/** The runs recorded for the date: run id → the run's small figures, each written once. */
const RUNS_MAP = 'runs';

/** Every map a report item has from its creation on (a nested `SET` needs its map to exist). */
const MAP_ATTRIBUTES = [...COUNTING_MAPS, RUNS_MAP] as const;

const COUNTER_ATTRIBUTES = [
  'loansOverdue',
  'chargedOff',
  'dueSoon',
  'cured',
  ...EPISODE_COUNTS,
  'runsNotListed',
] as const;

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

/**
 * Builds the update adding one date's delta: ADD on counters, SET on map entries; each run's
 * figures and the day's summary only where none is stored yet (the first stays), and new runs only
 * while the list has room (the condition; see `runs-full`).
 */
function updateOf(delta: ReportDelta) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  const sets: string[] = [];
  for (const counter of COUNTER_ATTRIBUTES) {
    if (delta[counter] === 0) continue;
    names[`#${counter}`] = counter;
    values[`:${counter}`] = delta[counter];
    adds.push(`#${counter} :${counter}`);
  }
  COUNTING_MAPS.forEach((attribute: CountingMap, a) => {
    const entries = Object.entries(delta[attribute]).filter(([, value]) => value !== 0);
    entries.forEach(([key, value], k) => {
      names[`#m${a}`] = attribute;
      names[`#m${a}k${k}`] = key;
      values[`:m${a}k${k}`] = value;
      values[':zero'] = 0;
      // ADD cannot reach into a map; if_not_exists + addition can, once the map exists.
      const path = `#m${a}.#m${a}k${k}`;
      sets.push(`${path} = if_not_exists(${path}, :zero) + :m${a}k${k}`);
    });
  });
  const runs = Object.entries(delta.runs);
  runs.forEach(([runId, figures], r) => {
    names['#runs'] = RUNS_MAP;
    names[`#r${r}`] = runId;
    values[`:r${r}`] = figures;
    sets.push(`#runs.#r${r} = if_not_exists(#runs.#r${r}, :r${r})`);
  });
  if (delta.completion) {
    names['#summary'] = 'summary';
    values[':summary'] = delta.completion.summary;
    sets.push('#summary = if_not_exists(#summary, :summary)');
  }
  const expression = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  if (runs.length === 0) return { expression, names, values };
  values[':room'] = MAX_LISTED_RUNS - runs.length;
  return { expression, names, values, condition: 'size(#runs) <= :room' };
}

/** A stored counter; absent (never added to) is 0. */
const numberOf = (value: unknown): number => storedNumber(value) ?? 0;

function mapOf(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, numberOf(v)]));
}

const RUN_COUNTS = [
  'loansExamined',
  'loansOverdue',
  'loansCharged',
  'chargedOff',
  'eventsRecorded',
  'skipped',
  'durationMs',
] as const;

/** A stored run's figures; a count that is not a number is left out. */
function runFiguresOfItem(value: unknown): RunFigures {
  const item = isRecord(value) ? value : {};
  const counts = RUN_COUNTS.flatMap((name) =>
    item[name] === undefined ? [] : [[name, numberOf(item[name])] as const],
  );
  return {
    scope: item.scope === 'shards' ? 'shards' : 'loanIds',
    complete: item.complete === true,
    occurredAt: typeof item.occurredAt === 'string' ? item.occurredAt : '',
    ...Object.fromEntries(counts),
  };
}

function runsOf(value: unknown): Record<string, RunFigures> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([id, v]) => [id, runFiguresOfItem(v)]));
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
    riskClasses: mapOf(item.riskClasses),
    creditHoldsPlaced: numberOf(item.creditHoldsPlaced),
    creditHoldsReleased: numberOf(item.creditHoldsReleased),
    creditNotices: numberOf(item.creditNotices),
    hardshipOffers: numberOf(item.hardshipOffers),
    promisesKept: numberOf(item.promisesKept),
    promisesBroken: numberOf(item.promisesBroken),
    eventsByRun: mapOf(item.eventsByRun),
    runs: runsOf(item.runs),
    runsNotListed: numberOf(item.runsNotListed),
    complete: item.complete === true,
    ...(typeof summary === 'object' && summary !== null
      ? { summary: summary as Record<string, unknown> }
      : {}),
  };
}

/**
 * The report store on `tableName` through a document client (plain numbers are fine here), and
 * on `creditRecordsTable` for the credit records written with the counters (a reader of reports
 * alone, such as `npm run report`, leaves it out).
 */
export function createReportStore(
  doc: DynamoDBDocumentClient,
  tableName: string,
  creditRecordsTable?: string,
): ReportStore {
  const recordsTable = () => {
    if (creditRecordsTable === undefined) throw new Error('no credit records table configured');
    return creditRecordsTable;
  };
  return {
    async readCreditRecords(keys) {
      if (keys.length === 0) return new Map();
      return readCreditRecords(doc, recordsTable(), keys);
    },

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

    async commit(deltas, creditRecords, eventIds, expiresAt) {
      const dated = deltas.flatMap(({ asOf, delta }) => {
        const { expression, names, values, condition } = updateOf(delta);
        if (expression === '') return [];
        const update = {
          TableName: tableName,
          Key: { asOf },
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
          ...(condition && { ConditionExpression: condition }),
        };
        return [{ asOf, update: { Update: update } }];
      });
      const updates = dated.map(({ update }) => update);
      const records = creditRecords.map(({ record, readVersion }) =>
        creditRecordPut(recordsTable(), record, readVersion),
      );
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
            TransactItems: [...updates, ...records, ...markers, ...legacyChecks],
          }),
        );
        return { kind: 'committed' };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failedAt = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
        const markersAt = updates.length + records.length;
        const counted = new Set([
          ...eventIds.filter((_, i) => failedAt(markersAt + i)),
          ...legacy
            .filter((_, i) => failedAt(markersAt + markers.length + i))
            .map(({ eventId }) => eventId),
        ]);
        if (counted.size > 0) return { kind: 'already-counted', eventIds: [...counted] };
        if (records.some((_, i) => failedAt(updates.length + i))) return { kind: 'stale-records' };
        // An update's only condition is the room left in its date's list of runs.
        const full = dated.filter((_, i) => failedAt(i)).map(({ asOf }) => asOf);
        if (full.length > 0) return { kind: 'runs-full', dates: full };
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
            // The summary is this run's (only a complete whole run's is kept), and its count of
            // counted events has reached what the run recorded (none counted when it recorded 0).
            ConditionExpression:
              '#summary.#runId = :runId AND #summary.#complete = :true AND ' +
              '(#summary.#recorded = :zero OR #counted.#run >= #summary.#recorded)',
            ExpressionAttributeNames: {
              '#complete': 'complete',
              '#summary': 'summary',
              '#runId': 'runId',
              '#recorded': 'eventsRecorded',
              '#counted': 'eventsByRun',
              '#run': runId,
            },
            ExpressionAttributeValues: { ':true': true, ':runId': runId, ':zero': 0 },
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

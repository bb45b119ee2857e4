/**
 * Drives a stream handler from a DynamoDB Local table stream the way Lambda's event source mapping
 * does (docs/contract.md, Guarantees): every shard read in sequence order, parents before children, records that
 * the mapping's event filter drops never delivered, batches handed to the handler, and on a batch
 * item failure the batch retried from the failed record. A record still failing after `maxRetries`
 * holds its shard there, as Lambda keeps retrying it (until the record's maximum age): the next
 * `drain` starts again from that record. Used by `npm start`, the tests and the bench.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { PUBLISHER_STREAM_FILTERS } from '../functions/contract/tables';

/** A stream handler as Lambda invokes it. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPumpOptions {
  readonly streamArn: string;
  readonly handler: StreamHandler;
  /** Keeps a record when true (the event source mapping's filter); every record by default. */
  readonly filter?: (record: DynamoDBRecord) => boolean;
  /** Records per invocation (Lambda's BatchSize). */
  readonly batchSize?: number;
  /** Retries of a failing batch within one `drain` before its shard is left at that record. */
  readonly maxRetries?: number;
  readonly client?: DynamoDBStreamsClient;
  /**
   * Where an earlier pump on the same stream stopped (its `position()`): read on from there, as
   * an event source mapping keeps its place. Ignored for another stream.
   */
  readonly from?: StreamPosition;
}

/** How far a pump has read a stream: the last sequence number handled per shard. */
export interface StreamPosition {
  readonly streamArn: string;
  readonly shards: Readonly<Record<string, string>>;
  /** Closed shards read to their end. */
  readonly finished: readonly string[];
}

/** What one `drain` did. */
export interface DrainResult {
  /** Records handed to the handler (first deliveries, after filtering). */
  readonly delivered: number;
  /** Handler invocations. */
  readonly invocations: number;
  /** Batches retried from a failed record. */
  readonly retries: number;
  /** Sequence numbers of records still failing, where their shards wait for the next drain. */
  readonly failing: readonly string[];
}

/** A pump over one stream that remembers how far each shard was read. */
export interface StreamPump {
  /** Delivers every record written so far that was not delivered yet. */
  drain(): Promise<DrainResult>;
  /** How far it has read, to hand to a later pump (`from`). */
  position(): StreamPosition;
}

/** A stream record as Lambda hands it over (epoch seconds, event source fields). */
function asLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    ...(record as unknown as DynamoDBRecord),
    eventSourceARN: streamArn,
    dynamodb: {
      ...(record.dynamodb as DynamoDBRecord['dynamodb']),
      ...(created && { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
    },
  };
}

/** Creates a pump for `options.streamArn`. */
export function createStreamPump(options: StreamPumpOptions): StreamPump {
  const client = options.client ?? new DynamoDBStreamsClient({});
  const batchSize = options.batchSize ?? 100;
  const maxRetries = options.maxRetries ?? 3;
  const keep = options.filter ?? (() => true);
  /** Last sequence number delivered per shard; shards read to their end are marked done. */
  const from = options.from?.streamArn === options.streamArn ? options.from : undefined;
  const positions = new Map<string, string>(Object.entries(from?.shards ?? {}));
  const finished = new Set<string>(from?.finished ?? []);

  const shardsInOrder = async (): Promise<Shard[]> => {
    const shards: Shard[] = [];
    let ExclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await client.send(
        new DescribeStreamCommand({ StreamArn: options.streamArn, ExclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (ExclusiveStartShardId);
    // Parents before children, so a key's records are delivered in order across a shard split.
    const ids = new Set(shards.map((s) => s.ShardId));
    const ordered: Shard[] = [];
    const placed = new Set<string>();
    const place = (shard: Shard) => {
      if (!shard.ShardId || placed.has(shard.ShardId)) return;
      const parent = shards.find((s) => s.ShardId === shard.ParentShardId);
      if (parent && ids.has(parent.ShardId)) place(parent);
      placed.add(shard.ShardId);
      ordered.push(shard);
    };
    for (const shard of shards) place(shard);
    return ordered;
  };

  const iteratorAt = async (shardId: string): Promise<string | undefined> => {
    const after = positions.get(shardId);
    const type: ShardIteratorType = after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON';
    try {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamArn: options.streamArn,
          ShardId: shardId,
          ShardIteratorType: type,
          ...(after && { SequenceNumber: after }),
        }),
      );
      return ShardIterator;
    } catch (error) {
      // A kept position the stream has trimmed since (older than its retention): read on from
      // what is left, as an event source mapping does.
      if (!after || (error as Error).name !== 'TrimmedDataAccessException') throw error;
      positions.delete(shardId);
      return iteratorAt(shardId);
    }
  };

  /**
   * Invokes the handler on `batch`, retrying from the failed record.
   * @returns the sequence number of a record still failing after the retries, if any.
   */
  const deliver = async (
    batch: DynamoDBRecord[],
    result: Mutable<DrainResult>,
  ): Promise<string | undefined> => {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      result.invocations++;
      const response = await options.handler({ Records: pending });
      const failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
      const index = pending.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
      if (!failedAt || index < 0) return undefined;
      if (attempt >= maxRetries) return failedAt;
      result.retries++;
      pending = pending.slice(index);
    }
  };

  return {
    position: () => ({
      streamArn: options.streamArn,
      shards: Object.fromEntries(positions),
      finished: [...finished],
    }),
    async drain() {
      const result: Mutable<DrainResult> = {
        delivered: 0,
        invocations: 0,
        retries: 0,
        failing: [],
      };
      for (const shard of await shardsInOrder()) {
        const shardId = shard.ShardId;
        if (!shardId || finished.has(shardId)) continue;
        let iterator = await iteratorAt(shardId);
        let blocked = false;
        while (iterator) {
          const page = await client.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }),
          );
          const records = page.Records ?? [];
          const kept = records
            .map((record) => asLambdaRecord(record, options.streamArn))
            .filter(keep);
          const failedAt = kept.length > 0 ? await deliver(kept, result) : undefined;
          if (failedAt !== undefined) {
            // Everything before the failing record is done; the shard waits at that record.
            const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
            const before = records[index - 1]?.dynamodb?.SequenceNumber;
            if (before) positions.set(shardId, before);
            result.delivered += kept.findIndex((r) => r.dynamodb?.SequenceNumber === failedAt);
            result.failing.push(failedAt);
            blocked = true;
            break;
          }
          result.delivered += kept.length;
          const last = records.at(-1)?.dynamodb?.SequenceNumber;
          if (last) positions.set(shardId, last);
          // An open shard answers an empty page at its current end: stop there for now.
          if (records.length === 0) break;
          iterator = page.NextShardIterator;
        }
        if (!iterator && !blocked && shard.SequenceNumberRange?.EndingSequenceNumber) {
          finished.add(shardId);
        }
      }
      return result;
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

/** A Lambda event filter pattern: nested objects ending in lists of values or `{exists}` tests. */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly FilterValue[] };
type FilterValue = string | number | { readonly exists: boolean };

/**
 * True when `value` matches `pattern` as Lambda event filtering would, for the subset of the syntax
 * this product uses: exact values, and `{"exists": true|false}` on a leaf.
 */
export function matchesFilter(value: unknown, pattern: FilterPattern): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
    if (!Array.isArray(expected)) return matchesFilter(actual, expected as FilterPattern);
    return (expected as readonly FilterValue[]).some((option) =>
      typeof option === 'object' ? (actual !== undefined) === option.exists : actual === option,
    );
  });
}

/** True when `record` passes any of `patterns`, as an event source mapping's filters (ORed). */
export function passesFilters(record: unknown, patterns: readonly FilterPattern[]): boolean {
  return patterns.some((pattern) => matchesFilter(record, pattern));
}

/**
 * A pump that feeds the loans table's stream to the publisher handler through the publisher's
 * event source mapping filters, as deployed.
 */
export function createPublisherPump(
  loansStreamArn: string,
  handler: StreamHandler,
  options: Omit<StreamPumpOptions, 'streamArn' | 'handler' | 'filter'> = {},
): StreamPump {
  return createStreamPump({
    ...options,
    streamArn: loansStreamArn,
    handler,
    filter: (record) => passesFilters(record, PUBLISHER_STREAM_FILTERS),
  });
}

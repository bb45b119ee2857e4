/**
 * A DynamoDB Local of its own for each measured phase of `npm run bench`, its tables seeded before
 * their streams are turned on.
 *
 * DynamoDB Local slows every write to a stream-enabled table once its streams hold tens of
 * thousands of records, whichever table wrote them: each write looks up its stream's description
 * in SQLite. Measured here: puts fell from about 400/s to 75/s after another table had recorded
 * 24,000 stream records, and stayed there after that table was deleted. A phase sharing the
 * emulator with an earlier one (or with its own seeding's records) would be timed against a slower
 * database than the floor. On AWS a stream's length costs a write nothing, so each phase starts
 * with an empty emulator, and the timed writes are the only ones its streams record.
 */
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { LOANS_TABLE, TABLES } from '../functions/contract/tables';
import { localAwsEnv, startDynamoDbLocal } from './emulators';
import {
  createEventsTopology,
  createTable,
  type LocalResources,
  type TableNames,
  tableNamesOf,
  uniqueSuffix,
} from './local-resources';

/** One phase's emulator, its client and the stack's resources on it. */
export interface BenchDatabase {
  readonly client: DynamoDBClient;
  /** The tables, topic and queues; `env` also points the SDK at this emulator. */
  readonly resources: LocalResources;
  stop(): Promise<void>;
}

/**
 * Starts a fresh DynamoDB Local, creates the stack's tables without streams and its topic and
 * queues, lets `seed` fill the tables, then turns on the streams the stack defines.
 */
export async function seededDatabase(
  messaging: { sns: SNSClient; sqs: SQSClient },
  seed: (client: DynamoDBClient, tables: TableNames) => Promise<void>,
): Promise<BenchDatabase> {
  const emulator = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: emulator.endpoint });
  try {
    const prefix = `bench-${uniqueSuffix()}`;
    const tables = tableNamesOf(prefix);
    const [, events] = await Promise.all([
      Promise.all(
        TABLES.map(({ stream: _stream, ...table }) =>
          createTable(client, table, tables[table.envVar]),
        ),
      ),
      createEventsTopology(messaging.sns, messaging.sqs, prefix),
    ]);
    await seed(client, tables);
    const loans = tables[LOANS_TABLE.envVar];
    await client.send(
      new UpdateTableCommand({
        TableName: loans,
        StreamSpecification: { StreamEnabled: true, StreamViewType: LOANS_TABLE.stream },
      }),
    );
    const { Table } = await client.send(new DescribeTableCommand({ TableName: loans }));
    if (!Table?.LatestStreamArn) throw new Error(`no stream on ${loans} after enabling it`);
    return {
      client,
      resources: {
        tables,
        loansStreamArn: Table.LatestStreamArn,
        events,
        env: {
          ...tables,
          EVENTS_TOPIC_ARN: events.topicArn,
          ...localAwsEnv({ dynamodb: emulator.endpoint }),
        },
      },
      stop: async () => {
        client.destroy();
        await emulator.stop();
      },
    };
  } catch (error) {
    client.destroy();
    await emulator.stop();
    throw error;
  }
}

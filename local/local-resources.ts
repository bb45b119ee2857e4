/**
 * Creates the stack's tables, topic and queues on the local emulators from the shared
 * definitions in `functions/contract/`, through the real AWS SDK (tests, `npm start`, bench).
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TableEnvVar } from '../functions/contract/environment';
import { SUBSCRIPTIONS, type SubscriptionDefinition } from '../functions/contract/events';
import {
  type KeyAttribute,
  LOANS_TABLE,
  TABLES,
  type TableDefinition,
} from '../functions/contract/tables';

/** Table names by the environment variable the functions read them from. */
export type TableNames = Record<TableEnvVar, string>;

/** A queue subscribed to the events topic. */
export interface LocalQueue {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly subscriptionArn: string;
}

/** The events topic and its two subscribed queues. */
export interface LocalEventsTopology {
  readonly topicArn: string;
  readonly queues: Record<SubscriptionDefinition['id'], LocalQueue>;
}

/** Everything a local run or a test needs: table names, topic, queues, and the env for handlers. */
export interface LocalResources {
  readonly tables: TableNames;
  /** The loans table's stream, which the publisher reads. */
  readonly loansStreamArn: string;
  readonly events: LocalEventsTopology;
  /** `LOANS_TABLE_NAME`, …, `EVENTS_TOPIC_ARN`, ready to merge into `process.env`. */
  readonly env: Record<string, string>;
}

/** A short random suffix so parallel test files never share a resource. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

function attributeDefinitions(table: TableDefinition): AttributeDefinition[] {
  const keys: KeyAttribute[] = [table.partitionKey];
  if (table.sortKey) keys.push(table.sortKey);
  for (const index of table.indexes) {
    keys.push(index.partitionKey);
    if (index.sortKey) keys.push(index.sortKey);
  }
  const unique = new Map(keys.map((key) => [key.name, key.type]));
  return [...unique].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute) {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

/**
 * Creates one table as the stack defines it (on-demand, all index attributes projected, its stream
 * if it has one).
 * @returns the stream's ARN, when the table has a stream.
 */
export async function createTable(
  client: DynamoDBClient,
  table: TableDefinition,
  tableName: string,
): Promise<string | undefined> {
  const { TableDescription } = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      ...(table.stream && {
        StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
      }),
      AttributeDefinitions: attributeDefinitions(table),
      KeySchema: keySchema(table.partitionKey, table.sortKey),
      ...(table.indexes.length > 0 && {
        GlobalSecondaryIndexes: table.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' as const },
        })),
      }),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  return TableDescription?.LatestStreamArn;
}

/** The four tables' names, and the loans table's stream. */
export interface LocalTables {
  readonly names: TableNames;
  readonly loansStreamArn: string;
}

/** The four tables' names under a prefix: `<prefix>-loans` etc. */
export function tableNamesOf(prefix: string): TableNames {
  return Object.fromEntries(
    TABLES.map((table) => [table.envVar, `${prefix}-${table.id.toLowerCase()}`]),
  ) as TableNames;
}

/** Creates the four tables with names `<prefix>-loans` etc. */
export async function createTables(client: DynamoDBClient, prefix: string): Promise<LocalTables> {
  const names = tableNamesOf(prefix);
  const streams = await Promise.all(
    TABLES.map((table) => createTable(client, table, names[table.envVar])),
  );
  const loansStreamArn = streams[TABLES.indexOf(LOANS_TABLE)];
  if (!loansStreamArn) throw new Error('the loans table was created without its stream');
  return { names, loansStreamArn };
}

/**
 * The four tables `<prefix>-loans` etc. as an earlier run left them, or undefined when any is
 * missing (or the loans table has lost its stream).
 */
export async function existingTables(
  client: DynamoDBClient,
  prefix: string,
): Promise<LocalTables | undefined> {
  const names = tableNamesOf(prefix);
  try {
    const tables = await Promise.all(
      TABLES.map((table) =>
        client.send(new DescribeTableCommand({ TableName: names[table.envVar] })),
      ),
    );
    const loansStreamArn = tables[TABLES.indexOf(LOANS_TABLE)]?.Table?.LatestStreamArn;
    return loansStreamArn ? { names, loansStreamArn } : undefined;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Deletes whichever of the four tables `<prefix>-loans` etc. exist. */
export async function deleteTables(client: DynamoDBClient, prefix: string): Promise<void> {
  const names = Object.values(tableNamesOf(prefix));
  await Promise.all(
    names.map(async (TableName) => {
      try {
        await client.send(new DeleteTableCommand({ TableName }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        throw error;
      }
      await waitUntilTableNotExists({ client, maxWaitTime: 30 }, { TableName });
    }),
  );
}

/** Creates the events topic and the reminder/reporting queues with the stack's subscriptions. */
export async function createEventsTopology(
  sns: SNSClient,
  sqs: SQSClient,
  prefix: string,
): Promise<LocalEventsTopology> {
  const { TopicArn: topicArn } = await sns.send(
    new CreateTopicCommand({ Name: `${prefix}-events` }),
  );
  if (!topicArn) throw new Error('CreateTopic returned no TopicArn');
  const entries = await Promise.all(
    SUBSCRIPTIONS.map(async (subscription) => {
      const queueName = `${prefix}-${subscription.id.toLowerCase()}`;
      const { QueueUrl: queueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: queueName }),
      );
      if (!queueUrl) throw new Error(`CreateQueue ${queueName} returned no QueueUrl`);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const queueArn = Attributes?.QueueArn;
      if (!queueArn) throw new Error(`queue ${queueName} has no QueueArn`);
      const { SubscriptionArn: subscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queueArn,
          ReturnSubscriptionArn: true,
          Attributes: {
            RawMessageDelivery: 'true',
            ...(subscription.filterPolicy && {
              FilterPolicy: JSON.stringify(subscription.filterPolicy),
              FilterPolicyScope: 'MessageAttributes',
            }),
          },
        }),
      );
      return [subscription.id, { queueUrl, queueArn, subscriptionArn: subscriptionArn ?? '' }];
    }),
  );
  return { topicArn, queues: Object.fromEntries(entries) as LocalEventsTopology['queues'] };
}

/**
 * Creates every resource of the stack under a prefix (or only the topic and queues, on `tables`
 * an earlier run left) and returns the handlers' environment.
 */
export async function createLocalResources(
  clients: { dynamodb: DynamoDBClient; sns: SNSClient; sqs: SQSClient },
  prefix = `os-${uniqueSuffix()}`,
  existing?: LocalTables,
): Promise<LocalResources> {
  const [tables, events] = await Promise.all([
    existing ?? createTables(clients.dynamodb, prefix),
    createEventsTopology(clients.sns, clients.sqs, prefix),
  ]);
  return {
    tables: tables.names,
    loansStreamArn: tables.loansStreamArn,
    events,
    env: { ...tables.names, EVENTS_TOPIC_ARN: events.topicArn },
  };
}

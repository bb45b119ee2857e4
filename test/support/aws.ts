/**
 * SDK clients and per-file resources for integration tests. Each test file creates its own
 * uniquely named tables, topic and queues, so files can run in parallel.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createLocalResources,
  type LocalResources,
  uniqueSuffix,
} from '../../scripts/lib/local-resources';

/** Clients built from the environment the setup file prepared (no endpoint logic here either). */
export function localClients() {
  const dynamodb = new DynamoDBClient({});
  return {
    dynamodb,
    doc: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sns: new SNSClient({}),
    // The emulator's queue URLs name a host that does not resolve; send to the endpoint instead.
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
  };
}

/** Creates a fresh copy of every stack resource for one test file. */
export async function freshResources(
  clients = localClients(),
  label = 'test',
): Promise<LocalResources> {
  return createLocalResources(clients, `${label}-${uniqueSuffix()}`);
}

/** Drains a queue until it has been empty for `quietMs` (the emulator delivers asynchronously). */
export async function drainQueue(
  sqs: SQSClient,
  queueUrl: string,
  { quietMs = 300, maxMs = 10_000 }: { quietMs?: number; maxMs?: number } = {},
): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + maxMs;
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < quietMs) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length > 0) {
      messages.push(...Messages);
      quietSince = Date.now();
    } else {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return messages;
}

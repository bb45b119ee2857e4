/**
 * What an outside tester of SPEC.md needs and nothing more: loan items in the docs/contract.md, Loans table shape written with
 * a plain DocumentClient, the docs/contract.md, Infrastructure environment, the three handlers imported fresh, a Lambda context,
 * and readers of tables and queues. Nothing here computes a fee: expectations are worked by hand.
 */
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { vi } from 'vitest';
import { drainQueue, localClients } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import { createPublisherPump, type StreamPump } from '../../../local/stream-pump';

type Item = Record<string, unknown>;

/** The harness clients: default marshalling, numbers as JS numbers. */
export const clients = localClients();

/** An event envelope as docs/contract.md, Events defines it. */
export interface Envelope {
  id: string;
  type: string;
  schemaVersion: number;
  asOf: string;
  occurredAt: string;
  runId: string;
  loanId?: string;
  borrowerId?: string;
  data: Record<string, unknown>;
}

/** A Lambda context like the runtime passes (15 minutes left). */
export function lambdaContext(name = 'sweep'): Context {
  return {
    awsRequestId: 'acceptance-request',
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/11/28/[$LATEST]acceptance',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 900_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Imports a handler as a deployed function would run it: the docs/contract.md, Infrastructure variables of `resources`,
 * Asia/Shanghai, the given FEE_POLICY (unset when undefined), quiet Powertools.
 */
export async function importHandler(
  which: 'sweep' | 'reminder' | 'reporting',
  resources: LocalResources,
  feePolicy?: string,
): Promise<Handler> {
  vi.unstubAllEnvs();
  for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
  vi.stubEnv('BUSINESS_TIMEZONE', 'Asia/Shanghai');
  vi.stubEnv('FEE_POLICY', feePolicy);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.resetModules();
  const modules = {
    sweep: () => import('../../../functions/sweep/handler'),
    reminder: () => import('../../../functions/reminder/handler'),
    reporting: () => import('../../../functions/reporting/handler'),
  };
  const module = await modules[which]();
  return module.handler as unknown as Handler;
}

const pumps = new WeakMap<LocalResources, StreamPump>();

/**
 * The events the sweep recorded since the last call, published as deployed (docs/contract.md: Guarantees, Infrastructure): the
 * loans table's stream fed to the publisher handler through its event source mapping's filter.
 */
export async function publishRecorded(resources: LocalResources): Promise<void> {
  let pump = pumps.get(resources);
  if (!pump) {
    // Imported as it is, in the environment the last importHandler set (this file's resources).
    const { handler } = await import('../../../functions/publisher/handler');
    pump = createPublisherPump(resources.loansStreamArn, (event) =>
      handler(event, lambdaContext('publisher')),
    );
    pumps.set(resources, pump);
  }
  await pump.drain();
}

/** An instalment as upstream writes it; unpaid unless `paid` amounts are given. */
export function installment(
  seq: number,
  dueDate: string,
  principalDue: number,
  interestDue: number,
  paid: { principal?: number; interest?: number } = {},
): Item {
  return {
    seq,
    dueDate,
    principalDue,
    interestDue,
    principalPaid: paid.principal ?? 0,
    interestPaid: paid.interest ?? 0,
  };
}

/** An ACTIVE CNY loan of 50,000 fen at 0.0003 a day; `nextDueDate` must be given by the caller. */
export function loan(loanId: string, nextDueDate: string, installments: Item[], extra: Item = {}) {
  return {
    loanId,
    borrowerId: `B-${loanId}`,
    currency: 'CNY',
    principal: 50_000,
    dailyInterestRate: 0.0003,
    status: 'ACTIVE',
    installments,
    nextDueDate,
    sweepShard: loanId.length % 16,
    ...extra,
  };
}

/** The usual single-instalment loan: 50,000 principal + 1,500 interest due on `dueDate`. */
export function oneInstalmentLoan(loanId: string, dueDate: string, extra: Item = {}) {
  return loan(loanId, dueDate, [installment(1, dueDate, 50_000, 1_500)], extra);
}

/** Writes items, 25 per call. */
export async function putItems(table: string, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await clients.doc.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** A loan item as stored now. */
export async function loanNow(resources: LocalResources, loanId: string): Promise<Item> {
  const { Item } = await clients.doc.send(
    new GetCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Key: { loanId } }),
  );
  if (!Item) throw new Error(`no loan ${loanId}`);
  return Item;
}

/** Records an upstream payment: instalment `index` paid in full (as the payments system would). */
export async function payInFull(resources: LocalResources, loanId: string, index: number) {
  const item = await loanNow(resources, loanId);
  const inst = (item.installments as Item[])[index] as Item;
  await clients.doc.send(
    new UpdateCommand({
      TableName: resources.tables.LOANS_TABLE_NAME,
      Key: { loanId },
      UpdateExpression: `SET installments[${index}].principalPaid = :p, installments[${index}].interestPaid = :i`,
      ExpressionAttributeValues: { ':p': inst.principalDue, ':i': inst.interestDue },
    }),
  );
}

/** A loan's ledger entries. */
export async function ledgerOf(resources: LocalResources, loanId: string): Promise<Item[]> {
  const { Items = [] } = await clients.doc.send(
    new QueryCommand({
      TableName: resources.tables.LEDGER_TABLE_NAME,
      KeyConditionExpression: 'loanId = :id',
      ExpressionAttributeValues: { ':id': loanId },
    }),
  );
  return Items;
}

/** The line for instalment `seq` (the first, if not given) in the loan's entry of `kind` (docs/contract.md, Loans table). */
export function lineOf(
  entries: readonly Item[],
  kind: string,
  seq?: number,
): Record<string, unknown> | undefined {
  const lines = entries
    .filter((entry) => entry.kind === kind)
    .flatMap((entry) => entry.lines as Record<string, unknown>[]);
  return seq === undefined ? lines[0] : lines.find((line) => line.installmentSeq === seq);
}

/** Every item of a table. */
export async function scanAll(table: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await clients.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Messages on a subscribed queue since the last drain (raw delivery: body = envelope). */
export async function drain(resources: LocalResources, queue: 'Reporting' | 'Reminder') {
  await publishRecorded(resources);
  return drainQueue(clients.sqs, resources.events.queues[queue].queueUrl);
}

/** The envelopes in queue messages. */
export function bodies(messages: { Body?: string }[]): Envelope[] {
  return messages.map((m) => JSON.parse(m.Body ?? '{}') as Envelope);
}

/** An SQS event as the event source mapping delivers the given queue messages. */
export function sqsEvent(messages: { Body?: string; MessageId?: string }[], arn: string): SQSEvent {
  return {
    Records: messages.map((m, i) => ({
      messageId: m.MessageId ?? `m-${i}`,
      receiptHandle: `rh-${i}`,
      body: m.Body ?? '',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1764261000000',
        SenderId: 'AIDASNS',
        ApproximateFirstReceiveTimestamp: '1764261000000',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: 'ap-east-1',
    })),
  };
}

/**
 * Shared set-up for the sweep's integration tests: loan items as upstream writes them, a sweep
 * wired to the emulators (with a read counter and SNS fault injection), and readers of the result.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type PublishBatchCommand,
  type PublishBatchCommandOutput,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { createLoanDocumentClient } from '../../../functions/adapters/loan-store';
import { createSnsPublisher } from '../../../functions/adapters/sns-publisher';
import { createSweepStore } from '../../../functions/adapters/sweep-store';
import { parsePolicyBook } from '../../../functions/core/policy';
import type { BusinessDate, EventEnvelope, PolicyBook } from '../../../functions/core/types';
import { parseSweepRequest, type SweepJob } from '../../../functions/sweep/request';
import {
  runSweep,
  type SweepDependencies,
  type SweepPartResult,
} from '../../../functions/sweep/run-sweep';
import { SWEEP_SHARDS } from '../../../infra/definitions';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { drainQueue, localClients } from '../../support/aws';

export const d = (text: string): BusinessDate => text as BusinessDate;

/** The policy of these tests: a 5.00 late fee, and a product whose cap is 0.6% of principal. */
export const FEE_POLICY = JSON.stringify({
  default: { lateFee: 500 },
  products: { CAPPED: { maxChargesRatio: 0.006 } },
});
export const BOOK: PolicyBook = parsePolicyBook(FEE_POLICY);

/** The fixed instant of every run in these tests (the events' occurredAt). */
export const NOW = new Date('2026-11-28T01:00:00.000Z');

type Item = Record<string, unknown>;

/** An instalment as upstream writes it: 10,000 principal + 300 interest, unpaid. */
export function inst(seq: number, dueDate: string, paid = false): Item {
  return {
    seq,
    dueDate,
    principalDue: 10_000,
    interestDue: 300,
    principalPaid: paid ? 10_000 : 0,
    interestPaid: paid ? 300 : 0,
  };
}

/** An ACTIVE CNY loan item; `nextDueDate` is its first unpaid instalment's due date. */
export function loanItem(loanId: string, installments: Item[], extra: Item = {}): Item {
  const firstUnpaid = installments.find((i) => i.principalPaid === 0)?.dueDate;
  return {
    loanId,
    borrowerId: `B-${loanId}`,
    currency: 'CNY',
    principal: 100_000,
    dailyInterestRate: 0.0003,
    status: 'ACTIVE',
    installments,
    sweepShard: Math.abs(hash(loanId)) % SWEEP_SHARDS,
    ...(firstUnpaid === undefined ? {} : { nextDueDate: firstUnpaid }),
    ...extra,
  };
}

function hash(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

/** Writes items to a table, 25 per call. */
export async function putItems(doc: DynamoDBDocumentClient, table: string, items: Item[]) {
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}

/** Every item of a table (plain JS numbers), by key. */
export async function scanAll(doc: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A loan's ledger entries. */
export async function ledgerOf(doc: DynamoDBDocumentClient, table: string, loanId: string) {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'loanId = :id',
      ExpressionAttributeValues: { ':id': loanId },
    }),
  );
  return Items;
}

/** Event envelopes from SQS messages (raw delivery: the body is the envelope). */
export function envelopes(messages: Message[]): EventEnvelope[] {
  return messages.map((m) => JSON.parse(m.Body ?? '{}') as EventEnvelope);
}

/** Failure injection for PublishBatch: which entries (by event id) to fail, or a whole outage. */
export interface SnsFaults {
  failIds?: (eventId: string) => boolean;
  outage?: boolean;
}

/**
 * A real SNS client whose PublishBatch can fail chosen entries (they are not sent, and reported
 * in `Failed`) or fail entirely, as SNS does under partial failure or an outage.
 */
export function faultySns(faults: SnsFaults): SNSClient {
  const sns = new SNSClient({ maxAttempts: 1 });
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PublishBatchCommand') return next(args);
      if (faults.outage)
        throw Object.assign(new Error('SNS unavailable'), { name: 'InternalError' });
      const input = args.input as PublishBatchCommand['input'];
      const entries = input.PublishBatchRequestEntries ?? [];
      const failing = entries.filter((e) => faults.failIds?.(JSON.parse(e.Message ?? '{}').id));
      const sending = entries.filter((e) => !failing.includes(e));
      const failed = failing.map((e) => ({
        Id: e.Id,
        Code: 'InternalError',
        SenderFault: false,
        Message: 'injected failure',
      }));
      if (sending.length === 0) {
        return { output: { Successful: [], Failed: failed, $metadata: {} }, response: {} };
      }
      const result = await next({
        ...args,
        input: { ...input, PublishBatchRequestEntries: sending },
      });
      const output = result.output as PublishBatchCommandOutput;
      return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...failed] } };
    },
    { step: 'initialize', name: 'injectPublishFaults' },
  );
  return sns;
}

/** Loan ids of every item the sweep's reads returned (Query, GetItem, BatchGetItem). */
export function countReads(dynamodb: DynamoDBClient): string[] {
  const read: string[] = [];
  dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as {
        Items?: Item[];
        Item?: Item;
        Responses?: Record<string, Item[]>;
      };
      const items = [
        ...(output.Items ?? []),
        ...(output.Item ? [output.Item] : []),
        ...Object.values(output.Responses ?? {}).flat(),
      ];
      for (const item of items) read.push(String(item.loanId));
      return result;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return read;
}

/** A silent log that remembers skip warnings. */
export function recordingLog() {
  const warnings: { message: string; extra: Item }[] = [];
  return {
    warnings,
    info: () => {},
    warn: (message: unknown, ...extra: unknown[]) => {
      warnings.push({ message: String(message), extra: (extra[0] ?? {}) as Item });
    },
    error: () => {},
  };
}

/** A sweep wired to this file's resources; `overrides` replaces any port. */
export function sweeper(resources: LocalResources, options: { sns?: SNSClient } = {}) {
  const dynamodb = new DynamoDBClient({});
  const reads = countReads(dynamodb);
  const doc = createLoanDocumentClient(dynamodb);
  const continuations: unknown[] = [];
  const log = recordingLog();
  const deps: SweepDependencies = {
    store: createSweepStore(doc, {
      loans: resources.tables.LOANS_TABLE_NAME,
      ledger: resources.tables.LEDGER_TABLE_NAME,
    }),
    publisher: createSnsPublisher(options.sns ?? new SNSClient({}), resources.events.topicArn, {
      attempts: 2,
      delayMs: () => 1,
    }),
    continueWith: async (payload) => {
      continuations.push(payload);
    },
    policyBook: BOOK,
    log,
    clock: () => NOW,
    budget: { exhausted: () => false },
    shardCount: SWEEP_SHARDS,
    tuning: { pageSize: 4, loanConcurrency: 8, publishLingerMs: 5 },
  };
  const job = (event: unknown): SweepJob =>
    parseSweepRequest(event, { now: NOW, timeZone: 'Asia/Shanghai', shardCount: SWEEP_SHARDS });
  return {
    deps,
    reads,
    continuations,
    log,
    job,
    run: async (event: unknown, extra: Partial<SweepDependencies> = {}): Promise<SweepPartResult> =>
      runSweep(job(event), { ...deps, ...extra }),
  };
}

/** The harness's clients (plain numbers) for set-up and assertions. */
export const clients = localClients();

/** Everything the reporting queue (all events) received since the last drain. */
export async function receivedEvents(resources: LocalResources): Promise<EventEnvelope[]> {
  return envelopes(await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl));
}

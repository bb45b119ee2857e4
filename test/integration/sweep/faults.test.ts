/**
 * Fault injection on the real DynamoDB Local path (docs/contract.md, Sweep): the sweep runs on a real DynamoDB
 * client whose middleware adds, for chosen calls only, a competing write (a payment, another
 * writer), a throttling error, a lost response or a cancelled transaction. Everything else is the
 * real path: the emulator decides every condition, and the assertions read the tables back.
 */
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  ledgerOf,
  putItems,
  receivedEvents,
  storedLoan,
  sweeper,
} from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';
import { expectChargedOnce, expectReconciled, ONE_INSTALMENT } from '../../support/ledger';

type Item = Record<string, unknown>;

/** What a fault hook sees of one DynamoDB call: the command name and its (marshalled) input. */
interface Call {
  readonly command: string;
  readonly input: Item;
}

/** Hooks around every attempt of every call (inside the SDK's retries, so a throw is retried). */
interface Faults {
  /** Runs before the request goes out: may write first, or throw instead of sending. */
  before?: (call: Call) => Promise<void>;
  /** Runs after DynamoDB answered: may throw, as if the response were lost. */
  after?: (call: Call) => Promise<void>;
}

function throttled(): Error {
  return new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded.',
    $metadata: {},
  });
}

/** True when the call reads or writes the loan `loanId` (by key, or first item of a transaction). */
function touches(call: Call, loanId: string): boolean {
  const items = call.input.TransactItems as { Update?: { Key?: unknown } }[] | undefined;
  const key = call.input.Key ?? items?.[0]?.Update?.Key;
  return key !== undefined && JSON.stringify(key).includes(`"${loanId}"`);
}

/** A real DynamoDB client with `faults` around each attempt of each call. */
function faultyDynamo(faults: Faults, maxAttempts = 3): DynamoDBClient {
  const dynamodb = new DynamoDBClient({ maxAttempts, retryMode: 'standard' });
  // The deserialize step runs inside the retry middleware: what it throws is retried by the SDK.
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const call = { command: context.commandName ?? '', input: args.input as Item };
      await faults.before?.(call);
      const result = await next(args);
      await faults.after?.(call);
      return result;
    },
    { step: 'deserialize', name: 'faultInjection' },
  );
  return dynamodb;
}

async function ledger(resources: LocalResources, loanId: string): Promise<Item[]> {
  return ledgerOf(resources, loanId);
}

/** A payment system's write: pays instalment `index` in full and bumps `version`, as writers do. */
async function payInstalment(resources: LocalResources, loanId: string, index: number) {
  await clients.doc.send(
    new UpdateCommand({
      TableName: resources.tables.LOANS_TABLE_NAME,
      Key: { loanId },
      UpdateExpression: `SET installments[${index}].principalPaid = :p, installments[${index}].interestPaid = :i ADD version :one`,
      ExpressionAttributeValues: { ':p': 10_000, ':i': 300, ':one': 1 },
    }),
  );
}

describe('a payment that lands between the read and the transaction', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-payment');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('P-full', [inst(1, '2026-11-10'), inst(2, '2026-12-10')]),
      loanItem('P-part', [inst(1, '2026-11-05'), inst(2, '2026-11-15')]),
      loanItem('P-other', [inst(1, '2026-11-10')]),
    ]);
  });

  it('is re-read and re-assessed: the paid instalment gets no charge, no ledger entry and no event', async () => {
    const paidFirst = new Set<string>();
    const dynamodb = faultyDynamo({
      before: async (call) => {
        if (call.command !== 'TransactWriteItemsCommand') return;
        for (const loanId of ['P-full', 'P-part']) {
          if (paidFirst.has(loanId) || !touches(call, loanId)) continue;
          paidFirst.add(loanId);
          await payInstalment(resources, loanId, 0);
        }
      },
    });
    const summary = await sweeper(resources, { dynamodb }).run({}); // the due index, as scheduled
    expect([...paidFirst].sort()).toEqual(['P-full', 'P-part']);
    expect(summary.versionConflicts).toBeGreaterThanOrEqual(2);
    expect(summary.skipped.count).toBe(0);

    // Fully paid up to an instalment beyond the horizon: nothing charged, the key moves on.
    expect(await ledger(resources, 'P-full')).toEqual([]);
    const full = await storedLoan(resources, 'P-full');
    expect([full.penaltyCharged ?? 0, full.lateFeesCharged ?? 0, full.dpd]).toEqual([0, 0, 0]);
    expect(full.nextDueDate).toBe('2026-12-10');

    // The other overdue instalment is still charged, for its own 13 days only.
    const part = await ledger(resources, 'P-part');
    expect(part.map((e) => [e.entryId, Number(e.amount)]).sort()).toEqual([
      ['2026-11-28#LATE_FEE', 500],
      ['2026-11-28#PENALTY_INTEREST', 13 * 5],
    ]);
    expect((await storedLoan(resources, 'P-part')).dpd).toBe(13);

    const events = await receivedEvents(resources);
    expect(events.filter((e) => e.loanId === 'P-full')).toEqual([]);
    const overdue = events.find((e) => e.loanId === 'P-part' && e.type === 'loan.overdue');
    expect(overdue?.data).toMatchObject({ dpd: 13, amountOverdue: 10_300 });
    await expectReconciled(resources, ['P-full', 'P-part', 'P-other'], events);
    await expectChargedOnce(resources, 'P-other');
  });
});

describe('a loan that keeps changing under the sweep', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-conflict');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('C-busy', [inst(1, '2026-11-10')]),
      loanItem('C-a', [inst(1, '2026-11-10')]),
      loanItem('C-b', [inst(1, '2026-11-10')]),
    ]);
  });

  it('is skipped with a conflict reason after the retry limit; the rest is swept', async () => {
    let competingWrites = 0;
    const dynamodb = faultyDynamo({
      before: async (call) => {
        if (call.command !== 'TransactWriteItemsCommand' || !touches(call, 'C-busy')) return;
        competingWrites++;
        await clients.doc.send(
          new UpdateCommand({
            TableName: resources.tables.LOANS_TABLE_NAME,
            Key: { loanId: 'C-busy' },
            UpdateExpression: 'ADD version :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
      },
    });
    const summary = await sweeper(resources, { dynamodb, tuning: { maxAttempts: 3 } }).run({});
    expect(competingWrites).toBe(3); // the first attempt and two re-reads
    expect(summary.versionConflicts).toBe(3);
    expect(summary.skipped.loans).toEqual([
      { loanId: 'C-busy', reason: expect.stringMatching(/version conflict/) },
    ]);
    expect(summary.loansCharged).toBe(2);
    expect(summary.charges.CNY).toEqual({
      lateFees: 2 * ONE_INSTALMENT.lateFee,
      penaltyInterest: 2 * ONE_INSTALMENT.penalty,
    });
    expect(await ledger(resources, 'C-busy')).toEqual([]);
    const busy = await storedLoan(resources, 'C-busy');
    expect([busy.accruedThrough, busy.penaltyCharged, busy.outbox]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const events = await receivedEvents(resources);
    expect(events.filter((e) => e.loanId === 'C-busy')).toEqual([]);
    await expectChargedOnce(resources, 'C-a');
    await expectChargedOnce(resources, 'C-b');
  });

  it('treats a transaction cancelled by a concurrent transaction as a conflict and re-reads', async () => {
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('C-race', [inst(1, '2026-11-10')]),
    ]);
    let cancelled = 0;
    const dynamodb = faultyDynamo({
      before: async (call) => {
        if (call.command !== 'TransactWriteItemsCommand' || !touches(call, 'C-race')) return;
        if (cancelled++ > 0) return;
        // What DynamoDB answers while another transaction holds the item.
        throw new TransactionCanceledException({
          message:
            'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]',
          CancellationReasons: [
            { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
            { Code: 'None' },
            { Code: 'None' },
          ],
          $metadata: {},
        });
      },
    });
    const summary = await sweeper(resources, { dynamodb }).run({ loanIds: ['C-race'] });
    expect(cancelled).toBe(2);
    expect(summary.versionConflicts).toBe(1);
    expect(summary.skipped.count).toBe(0);
    await expectChargedOnce(resources, 'C-race');
  });
});

describe('throttling', () => {
  let resources: LocalResources;
  const ids = ['T-1', 'T-2', 'T-3', 'T-4', 'T-hot'];
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-throttle');
    await putItems(
      resources.tables.LOANS_TABLE_NAME,
      ids.map((id) => loanItem(id, [inst(1, '2026-11-10')])),
    );
  });

  it('that the SDK retries away on index queries, batch reads and transactions charges everything once', async () => {
    const seen = new Set<string>();
    const throttledCommands: string[] = [];
    const dynamodb = faultyDynamo({
      before: async (call) => {
        const first = ['QueryCommand', 'BatchGetItemCommand', 'TransactWriteItemsCommand'];
        if (!first.includes(call.command)) return;
        // Only the first attempt of the first few distinct requests of each kind is throttled.
        const key = `${call.command}:${JSON.stringify(call.input)}`;
        if (seen.has(key) || throttledCommands.filter((c) => c === call.command).length >= 3) {
          return;
        }
        seen.add(key);
        throttledCommands.push(call.command);
        throw call.command === 'QueryCommand'
          ? new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })
          : throttled();
      },
    });
    const byKey = await sweeper(resources, { dynamodb }).run({ loanIds: ['T-1', 'T-2'] });
    const rest = await sweeper(resources, { dynamodb }).run({});
    expect(throttledCommands.sort()).toEqual([
      'BatchGetItemCommand',
      ...Array(3).fill('QueryCommand'),
      ...Array(3).fill('TransactWriteItemsCommand'),
    ]);
    expect([byKey.skipped.count, rest.skipped.count]).toEqual([0, 0]);
    expect(byKey.loansCharged + rest.loansCharged).toBe(ids.length);
    for (const id of ids) await expectChargedOnce(resources, id);
    await expectReconciled(resources, ids, await receivedEvents(resources));
  });
});

describe('a batch read that leaves keys unprocessed', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-unprocessed');
    await putItems(
      resources.tables.LOANS_TABLE_NAME,
      ['U-1', 'U-2', 'U-3'].map((id) => loanItem(id, [inst(1, '2026-11-10')])),
    );
  });

  it('reads the unprocessed keys again and sweeps every loan once', async () => {
    const dynamodb = new DynamoDBClient({});
    const table = resources.tables.LOANS_TABLE_NAME;
    const requested: string[][] = [];
    // Before the document client marshals: DynamoDB's partial answer under throttling, in which
    // only the first key is read and the others come back in UnprocessedKeys.
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchGetItemCommand') return next(args);
        // Still the document client's form here (plain keys), not the SDK's wire types.
        const input = args.input as unknown as { RequestItems: Record<string, { Keys: Item[] }> };
        const { Keys, ...rest } = input.RequestItems[table] ?? { Keys: [] };
        requested.push(Keys.map((key) => String(key.loanId)));
        if (requested.length > 1) return next(args);
        const firstKeyOnly = { RequestItems: { [table]: { ...rest, Keys: Keys.slice(0, 1) } } };
        const result = await next({ ...args, input: firstKeyOnly as unknown as typeof args.input });
        const output = {
          ...(result.output as unknown as Item),
          UnprocessedKeys: { [table]: { ...rest, Keys: Keys.slice(1) } },
        };
        return { ...result, output: output as unknown as typeof result.output };
      },
      { step: 'initialize', name: 'partialBatchGet' },
    );
    const summary = await sweeper(resources, { dynamodb }).run({ loanIds: ['U-1', 'U-2', 'U-3'] });
    expect(requested).toEqual([
      ['U-1', 'U-2', 'U-3'],
      ['U-2', 'U-3'],
    ]);
    expect(summary).toMatchObject({ loansExamined: 3, loansCharged: 3 });
    expect(summary.skipped.count).toBe(0);
    for (const id of ['U-1', 'U-2', 'U-3']) await expectChargedOnce(resources, id);
  });
});

describe('throttling that never stops for one loan', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-hot');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('H-hot', [inst(1, '2026-11-10')]),
      loanItem('H-a', [inst(1, '2026-11-10')]),
      loanItem('H-b', [inst(1, '2026-11-10')]),
    ]);
  });

  it('skips that loan as throttled; a later run without throttling charges it exactly once', async () => {
    let attempts = 0;
    const dynamodb = faultyDynamo(
      {
        before: async (call) => {
          if (call.command !== 'TransactWriteItemsCommand' || !touches(call, 'H-hot')) return;
          attempts++;
          throw throttled();
        },
      },
      2,
    );
    const first = await sweeper(resources, { dynamodb }).run({});
    expect(attempts).toBe(2); // the SDK retried once, then gave up
    expect(first.skipped.loans).toEqual([
      { loanId: 'H-hot', reason: expect.stringMatching(/^throttled: /) },
    ]);
    expect(first.loansCharged).toBe(2);
    expect(await ledger(resources, 'H-hot')).toEqual([]);
    expect((await storedLoan(resources, 'H-hot')).nextDueDate).toBe('2026-11-10'); // still a candidate
    await expectChargedOnce(resources, 'H-a');

    const later = await sweeper(resources).run({});
    expect(later.skipped.count).toBe(0);
    expect(later.loansCharged).toBe(1); // only the loan the first run could not write
    for (const id of ['H-hot', 'H-a', 'H-b']) await expectChargedOnce(resources, id);
    await expectReconciled(resources, ['H-hot', 'H-a', 'H-b'], await receivedEvents(resources));
  });
});

describe('a transaction whose response is lost', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-lost');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('L-lost', [inst(1, '2026-11-10')]),
    ]);
  });

  it('is retried by the SDK after it was applied, and charges once', async () => {
    let lost = 0;
    const dynamodb = faultyDynamo({
      after: async (call) => {
        if (call.command !== 'TransactWriteItemsCommand' || !touches(call, 'L-lost')) return;
        if (lost++ === 0) throw throttled(); // the write went through; its answer did not
      },
    });
    const summary = await sweeper(resources, { dynamodb }).run({ loanIds: ['L-lost'] });
    expect(lost).toBe(2); // the lost answer and the retry's
    // The retry carries the same idempotency token: DynamoDB answers it without writing again.
    expect(summary).toMatchObject({ loansCharged: 1, versionConflicts: 0 });
    expect(summary.skipped.count).toBe(0);
    await expectChargedOnce(resources, 'L-lost');
    const again = await sweeper(resources).run({ loanIds: ['L-lost'] });
    expect(again.loansCharged).toBe(0);
    await expectChargedOnce(resources, 'L-lost');
  });
});

describe('a ledger entry already present for the same charge', () => {
  let resources: LocalResources;
  beforeAll(async () => {
    resources = await freshResources(clients, 'faults-ledger');
    await putItems(resources.tables.LOANS_TABLE_NAME, [
      loanItem('D-orphan', [inst(1, '2026-11-10')]),
      loanItem('D-fine', [inst(1, '2026-11-10')]),
    ]);
    // Left by an earlier attempt that crashed: the same entryId this run would write.
    await clients.doc.send(
      new PutCommand({
        TableName: resources.tables.LEDGER_TABLE_NAME,
        Item: {
          loanId: 'D-orphan',
          entryId: '2026-11-28#LATE_FEE',
          kind: 'LATE_FEE',
          amount: 500,
          currency: 'CNY',
          asOf: '2026-11-28',
          installmentSeq: 1,
          runId: 'crashed-run',
        },
      }),
    );
  });

  it('is not charged again, and the run reports the loan with the entry named', async () => {
    const summary = await sweeper(resources).run({ loanIds: ['D-orphan', 'D-fine'] });
    expect(summary.skipped.loans).toEqual([
      { loanId: 'D-orphan', reason: expect.stringContaining('2026-11-28#LATE_FEE') },
    ]);
    expect(summary.loansCharged).toBe(1);
    const entries = await ledger(resources, 'D-orphan');
    expect(entries.map((e) => [e.entryId, e.runId])).toEqual([
      ['2026-11-28#LATE_FEE', 'crashed-run'],
    ]);
    const orphan = await storedLoan(resources, 'D-orphan');
    expect([orphan.lateFeesCharged, orphan.penaltyCharged, orphan.outbox]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const events = await receivedEvents(resources);
    expect(events.filter((e) => e.loanId === 'D-orphan')).toEqual([]);
    await expectChargedOnce(resources, 'D-fine');
  });
});

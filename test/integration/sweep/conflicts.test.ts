/**
 * Faults injected around the real DynamoDB Local path (SPEC §5): a payment that lands between the
 * sweep's read and its write, and throttling that outlasts the SDK's retries. The wrappers only
 * add a competing write or an error in front of real calls; everything else is the real path.
 */
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoanDocumentClient } from '../../../functions/adapters/loan-store';
import { createSweepStore } from '../../../functions/adapters/sweep-store';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { freshResources } from '../../support/aws';
import { clients, inst, ledgerOf, loanItem, putItems, receivedEvents, sweeper } from './support';

let resources: LocalResources;

/** True when a TransactWriteItems input updates the loan `loanId`. */
function writesLoan(input: unknown, loanId: string): boolean {
  const items = (input as { TransactItems?: { Update?: { Key?: unknown } }[] }).TransactItems;
  return JSON.stringify(items?.[0]?.Update?.Key ?? {}).includes(`"${loanId}"`);
}

/** The sweep's store on a client whose calls pass through `middleware` first. */
function storeWith(
  maxAttempts: number,
  middleware: (command: string, input: unknown) => Promise<void>,
) {
  const dynamodb = new DynamoDBClient({ maxAttempts, retryMode: 'standard' });
  // In the deserialize step, so the SDK's retry strategy sees (and retries) what it throws.
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      await middleware(context.commandName ?? '', args.input);
      return next(args);
    },
    { step: 'deserialize', name: 'faultInjection' },
  );
  return createSweepStore(createLoanDocumentClient(dynamodb), {
    loans: resources.tables.LOANS_TABLE_NAME,
    ledger: resources.tables.LEDGER_TABLE_NAME,
  });
}

async function loanItemOf(loanId: string) {
  const { Item } = await clients.doc.send(
    new GetCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Key: { loanId } }),
  );
  return Item ?? {};
}

beforeAll(async () => {
  resources = await freshResources(clients, 'sweep-faults');
  await putItems(clients.doc, resources.tables.LOANS_TABLE_NAME, [
    loanItem('F-pays', [inst(1, '2026-11-10')]),
    loanItem('F-steady', [inst(1, '2026-11-10')]),
    loanItem('F-throttled', [inst(1, '2026-11-10')]),
  ]);
});

describe('a payment that lands between the read and the write', () => {
  it('is seen on the re-read: the paid instalment is not charged and no fee event goes out', async () => {
    let paid = false;
    const store = storeWith(3, async (command, input) => {
      if (paid || command !== 'TransactWriteItemsCommand' || !writesLoan(input, 'F-pays')) return;
      paid = true; // the payments system writes first, bumping version as every writer does
      await clients.doc.send(
        new UpdateCommand({
          TableName: resources.tables.LOANS_TABLE_NAME,
          Key: { loanId: 'F-pays' },
          UpdateExpression:
            'SET installments[0].principalPaid = :p, installments[0].interestPaid = :i ADD version :one',
          ExpressionAttributeValues: { ':p': 10_000, ':i': 300, ':one': 1 },
        }),
      );
    });
    const sweep = sweeper(resources);
    const { summary } = await sweep.run({ loanIds: ['F-pays', 'F-steady'] }, { store });
    expect(paid).toBe(true);
    expect(summary.versionConflicts).toBeGreaterThanOrEqual(1);
    expect(summary.skipped.count).toBe(0);
    expect(await ledgerOf(clients.doc, resources.tables.LEDGER_TABLE_NAME, 'F-pays')).toEqual([]);
    const loan = await loanItemOf('F-pays');
    expect(loan.penaltyCharged ?? 0).toBe(0);
    expect(loan.nextDueDate).toBeUndefined(); // nothing left unpaid: it leaves the index
    // The loan that did not change was charged as usual.
    expect(
      (await ledgerOf(clients.doc, resources.tables.LEDGER_TABLE_NAME, 'F-steady')).length,
    ).toBeGreaterThan(0);
    const events = await receivedEvents(resources);
    expect(events.filter((e) => e.loanId === 'F-pays' && e.type === 'loan.fee_applied')).toEqual(
      [],
    );
    expect(events.filter((e) => e.loanId === 'F-pays' && e.type === 'loan.overdue')).toEqual([]);
  });
});

describe('throttling', () => {
  it('that outlasts the SDK retries skips that loan with a reason; a later run charges it once', async () => {
    let throttledCalls = 0;
    const store = storeWith(2, async (command, input) => {
      if (command === 'TransactWriteItemsCommand' && writesLoan(input, 'F-throttled')) {
        throttledCalls++;
        throw new ProvisionedThroughputExceededException({
          message: 'Rate of requests exceeds the allowed throughput.',
          $metadata: {},
        });
      }
    });
    const first = await sweeper(resources).run({ loanIds: ['F-throttled'] }, { store });
    expect(throttledCalls).toBe(2); // the SDK retried once before giving up
    expect(first.summary.skipped.loans).toEqual([
      { loanId: 'F-throttled', reason: expect.stringMatching(/^throttled: /) },
    ]);
    expect(await ledgerOf(clients.doc, resources.tables.LEDGER_TABLE_NAME, 'F-throttled')).toEqual(
      [],
    );

    const second = await sweeper(resources).run({ loanIds: ['F-throttled'] });
    expect(second.summary.skipped.count).toBe(0);
    const again = await sweeper(resources).run({ loanIds: ['F-throttled'] });
    expect(again.summary.loansCharged).toBe(0);
    const entries = await ledgerOf(clients.doc, resources.tables.LEDGER_TABLE_NAME, 'F-throttled');
    expect(entries.length).toBeGreaterThan(0);
    const total = entries.reduce((sum, entry) => sum + Number(entry.amount), 0);
    const loan = await loanItemOf('F-throttled');
    expect(Number(loan.penaltyCharged) + Number(loan.lateFeesCharged)).toBe(total);
  });
});

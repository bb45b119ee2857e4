/**
 * The coalesced BatchGet: reads started together go out as one BatchGetItem across tables, each
 * reader gets its table's items, unprocessed keys are retried, and a failure reaches every reader.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { coalescedBatchGet } from '../../../functions/adapters/batch-get';

type Item = Record<string, unknown>;
type Request = {
  RequestItems: Record<
    string,
    {
      Keys: Item[];
      ConsistentRead: boolean;
      ProjectionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
    }
  >;
};

/** A document client that answers BatchGetItem from `tables`, leaving `unprocessed` keys once. */
function fakeDoc(tables: Record<string, Item[]>, unprocessedOnce: Item[] = []) {
  const calls: Request[] = [];
  let leftOut = [...unprocessedOnce];
  const doc = {
    send: async (command: { input: Request }) => {
      calls.push(command.input);
      const Responses: Record<string, Item[]> = {};
      const UnprocessedKeys: Record<string, { Keys: Item[] }> = {};
      for (const [table, { Keys }] of Object.entries(command.input.RequestItems)) {
        for (const key of Keys) {
          if (leftOut.some((k) => JSON.stringify(k) === JSON.stringify(key))) {
            UnprocessedKeys[table] = { Keys: [...(UnprocessedKeys[table]?.Keys ?? []), key] };
            continue;
          }
          const item = tables[table]?.find((i) =>
            Object.entries(key).every(([k, v]) => i[k] === v),
          );
          if (item) Responses[table] = [...(Responses[table] ?? []), item];
        }
      }
      leftOut = [];
      return { Responses, UnprocessedKeys };
    },
  };
  return { doc: doc as unknown as DynamoDBDocumentClient, calls };
}

const noWait = { attempts: 3, delayMs: () => 0 };

describe('coalesced BatchGet', () => {
  it('joins reads started together into one consistent call across tables', async () => {
    const { doc, calls } = fakeDoc({
      loans: [{ loanId: 'L-1' }, { loanId: 'L-2' }],
      reminders: [{ borrowerId: 'B-1', asOf: '2026-03-02' }],
    });
    const get = coalescedBatchGet(doc, noWait);
    const [loans, reminders] = await Promise.all([
      get('loans', [{ loanId: 'L-1' }, { loanId: 'L-2' }, { loanId: 'L-3' }]),
      get('reminders', [{ borrowerId: 'B-1', asOf: '2026-03-02' }]),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.RequestItems.loans?.ConsistentRead).toBe(true);
    expect(loans.map((i) => i.loanId)).toEqual(['L-1', 'L-2']);
    expect(reminders).toEqual([{ borrowerId: 'B-1', asOf: '2026-03-02' }]);
  });

  it('asks DynamoDB at most 100 keys a call, each key once', async () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ loanId: `L-${i}` }));
    const { doc, calls } = fakeDoc({ loans: items });
    const get = coalescedBatchGet(doc, noWait);
    const keys = items.map(({ loanId }) => ({ loanId }));
    const [all, again] = await Promise.all([get('loans', keys), get('loans', keys.slice(0, 10))]);
    expect(calls.map((c) => c.RequestItems.loans?.Keys.length)).toEqual([100, 50]);
    expect(all).toHaveLength(150);
    expect(again).toHaveLength(150);
  });

  it('sends the calls of one read at once, not one after another', async () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ loanId: `L-${i}` }));
    const { doc } = fakeDoc({ loans: items });
    let inFlight = 0;
    let most = 0;
    const slow = {
      send: async (command: never) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return doc.send(command);
      },
    } as unknown as DynamoDBDocumentClient;
    const all = await coalescedBatchGet(slow, noWait)(
      'loans',
      items.map(({ loanId }) => ({ loanId })),
    );
    expect(all).toHaveLength(250);
    expect(most).toBe(3);
  });

  it('retries the keys DynamoDB left unprocessed', async () => {
    const { doc, calls } = fakeDoc({ loans: [{ loanId: 'L-1' }, { loanId: 'L-2' }] }, [
      { loanId: 'L-2' },
    ]);
    const items = await coalescedBatchGet(doc, noWait)('loans', [
      { loanId: 'L-1' },
      { loanId: 'L-2' },
    ]);
    expect(calls).toHaveLength(2);
    expect(items.map((i) => i.loanId).sort()).toEqual(['L-1', 'L-2']);
  });

  it('fails every reader of a call that fails, and reads nothing for no keys', async () => {
    const failing = {
      send: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      },
    } as unknown as DynamoDBDocumentClient;
    const get = coalescedBatchGet(failing, noWait);
    const results = await Promise.allSettled([get('a', [{ k: 1 }]), get('b', [{ k: 2 }])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await get('a', [])).toEqual([]);
  });

  it('projects a table on every attribute its readers asked for, or none when one asked for all', async () => {
    const { doc, calls } = fakeDoc({});
    const get = coalescedBatchGet(doc, noWait);
    await Promise.all([
      get('reminders', [{ borrowerId: 'B-1', asOf: '2026-03-02' }], ['borrowerId', 'status']),
      get('reminders', [{ borrowerId: 'B-2', asOf: '2026-03-02' }], ['status', 'lines']),
      get('loans', [{ loanId: 'L-1' }], ['loanId']),
      get('loans', [{ loanId: 'L-2' }]),
    ]);
    const reminders = calls[0]?.RequestItems.reminders;
    const projected = (reminders?.ProjectionExpression ?? '')
      .split(', ')
      .map((name) => reminders?.ExpressionAttributeNames?.[name]);
    // Placeholders only: `status` is one of DynamoDB's reserved words.
    expect(projected.sort()).toEqual(['borrowerId', 'lines', 'status']);
    expect(calls[0]?.RequestItems.loans?.ProjectionExpression).toBeUndefined();
    expect(calls[0]?.RequestItems.loans?.Keys).toHaveLength(2);
  });
});

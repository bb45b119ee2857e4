/**
 * docs/contract.md, Loans table: the sweep removes `nextDueDate` when a loan leaves ACTIVE — also when upstream closed
 * it and left the index key behind — so closed loans stop being read; it never charges them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  ledgerOf,
  putItems,
  receivedEvents,
  sweeper,
} from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'sweep-closed');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    // Upstream marked it paid off but left the stale index key (and an unpaid-looking schedule).
    loanItem('C-stale', [inst(1, '2026-11-01')], { status: 'PAID_OFF', version: 3 }),
  ]);
});

describe('a loan upstream closed but left in the due index', () => {
  it('leaves the index on the next run, uncharged and without events, and is not read again', async () => {
    const sweep = sweeper(resources);
    const first = await sweep.run({ asOf: '2026-11-27' });
    expect(first.loansCharged).toBe(0);
    const { Item } = await clients.doc.send(
      new GetCommand({ TableName: resources.tables.LOANS_TABLE_NAME, Key: { loanId: 'C-stale' } }),
    );
    expect(Item?.nextDueDate).toBeUndefined();
    expect(Item?.status).toBe('PAID_OFF');
    expect(Item?.version).toBe(4);
    expect(Item?.penaltyCharged ?? 0).toBe(0);
    expect(await ledgerOf(resources, 'C-stale')).toEqual([]);
    const events = await receivedEvents(resources);
    expect(events.filter((event) => event.loanId === 'C-stale')).toEqual([]);

    const next = sweeper(resources);
    const second = await next.run({ asOf: '2026-11-28' });
    expect(second.loansExamined).toBe(0);
  });
});

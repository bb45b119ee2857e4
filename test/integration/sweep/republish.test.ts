/**
 * Recovery when the stream publisher was down longer than the stream keeps records: the events a
 * date's sweep recorded are still on the loans, and `npm run republish` sends them again with
 * their ids (runbook: "loan events were not published").
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BusinessDate } from '../../../functions/core/types';
import { drainQueue, freshResources } from '../../../local/fixtures/aws';
import { installmentItem, loanItem } from '../../../local/fixtures/loans';
import { clients, envelopes, putItems, sweeper } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';
import { republish } from '../../../local/republish';

let resources: LocalResources;
let recorded: number;

beforeAll(async () => {
  resources = await freshResources(clients, 'republish');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    loanItem('R-1', [installmentItem(1, '2026-11-10')]),
    loanItem('R-2', [installmentItem(1, '2026-11-25')]),
    loanItem('R-3', [installmentItem(1, '2026-12-01')]),
  ]);
  // The stream is never pumped here: as if the publisher had failed for a whole day.
  recorded = (await sweeper(resources).run({ asOf: '2026-11-28' })).eventsRecorded;
  await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl);
});

const run = (asOf: string, dryRun = false) =>
  republish({
    doc: clients.doc,
    sns: new SNSClient({}),
    loansTable: resources.tables.LOANS_TABLE_NAME,
    topicArn: resources.events.topicArn,
    asOf: asOf as BusinessDate,
    dryRun,
  });

describe('republishing a date from the loans', () => {
  it('a dry run counts the recorded events and sends nothing', async () => {
    // The loan events and the run record's sweep.completed.
    expect(await run('2026-11-28', true)).toMatchObject({
      loans: 3,
      runs: 1,
      events: recorded + 1,
      published: 0,
    });
    expect(await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl)).toEqual([]);
  });

  it('sends every recorded event of the date with its id, and again if repeated', async () => {
    expect(await run('2026-11-28')).toMatchObject({
      events: recorded + 1,
      published: recorded + 1,
    });
    const first = envelopes(
      await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl),
    );
    expect(first).toHaveLength(recorded + 1);
    expect(new Set(first.map((e) => e.id)).size).toBe(recorded + 1);
    expect(first.filter((e) => e.type === 'sweep.completed').map((e) => e.id)).toEqual([
      'sweep.completed:2026-11-28:sweep-2026-11-28',
    ]);
    expect(first.every((e) => e.asOf === '2026-11-28' && e.runId === 'sweep-2026-11-28')).toBe(
      true,
    );
    await run('2026-11-28');
    const again = envelopes(
      await drainQueue(clients.sqs, resources.events.queues.Reporting.queueUrl),
    );
    expect(again.map((e) => e.id).sort()).toEqual(first.map((e) => e.id).sort());
  });

  it('finds nothing for a date no sweep recorded', async () => {
    expect(await run('2026-11-27')).toMatchObject({ loans: 0, runs: 0, events: 0, published: 0 });
  });
});

/**
 * The stream publisher's decisions on a batch of loans-table writes, built through its wiring on an
 * in-memory twin of its EventPublisher port: it publishes exactly the events each write added; an
 * event the topic can never accept, or a write whose events cannot be read, goes to the failure
 * path and the batch goes on; only a passing failure names a record to retry from, and what each
 * record ends in is reported by the invocation that finishes it; ACTIVE loans the due index can
 * never bring to the sweep are reported with the attribute at fault.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { storedOutboxOf } from '../../../functions/adapters/outbox-text';
import { assess } from '../../../functions/core/assess';
import { buildSweepCompletedEvent } from '../../../functions/core/events';
import { parsePolicyBook } from '../../../functions/core/policy';
import type { EventEnvelope } from '../../../functions/core/types';
import type { BatchReport } from '../../../functions/publisher/service';
import { createPublisher } from '../../../functions/publisher/wiring';
import {
  d,
  installment,
  installmentItem,
  loan,
  loanItem,
  policy,
  RUN,
} from '../../../local/fixtures/loans';
import {
  image,
  streamEvent,
  streamRecord,
  withOutbox,
} from '../../../local/fixtures/stream-records';
import { inMemoryPublisher, type Refusal } from '../../support/in-memory-publisher';

type Item = Record<string, unknown>;

const TOPIC = 'arn:aws:sns:ap-east-1:000000000000:events';

function eventsOn(loanId: string, asOf: string): readonly EventEnvelope[] {
  const result = assess(
    loan({ loanId, installments: [installment({ seq: 1, dueDate: d('2026-01-10') })] }),
    policy({ lateFee: 500 }),
    d(asOf),
    { ...RUN, runId: `sweep-${asOf}` },
  );
  if (result.kind !== 'change') throw new Error('expected a change');
  return result.events;
}

/** A swept loan's item: overdue since 2026-01-10, carrying `events`. */
function sweptItem(loanId: string, events?: readonly EventEnvelope[], extra: Item = {}): Item {
  const item = loanItem(loanId, [installmentItem(1, '2026-01-10')], { sweepShard: 3, ...extra });
  return events ? withOutbox(item, events) : item;
}

function publisherOf(
  refuse?: (id: string) => Refusal,
  policyJson?: string,
  twinOptions: { oneCall?: boolean } = {},
) {
  const twin = inMemoryPublisher(refuse, twinOptions);
  const reports: BatchReport[] = [];
  const handle = createPublisher(
    { events: twin.publisher },
    { eventsTopicArn: TOPIC, policyBook: parsePolicyBook(policyJson) },
    { report: (report) => reports.push(report) },
  );
  return {
    ...twin,
    reports,
    handle: (records: readonly DynamoDBRecord[]) => handle(streamEvent(records)),
    get report(): BatchReport {
      const last = reports.at(-1);
      if (!last) throw new Error('no batch reported');
      return last;
    },
  };
}

const ids = (events: readonly EventEnvelope[]) => events.map((event) => event.id);

describe('which events a write publishes', () => {
  it('a sweep write publishes the events it recorded, not those of the day before', async () => {
    const today = eventsOn('L-1', '2026-01-20');
    const p = publisherOf();
    const answer = await p.handle([
      streamRecord('1', {
        before: sweptItem('L-1', eventsOn('L-1', '2026-01-19')),
        after: sweptItem('L-1', today),
      }),
    ]);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(ids(p.accepted)).toEqual(ids(today));
    expect(p.report).toMatchObject({ records: 1, published: today.length });
  });

  it('an upstream write that leaves the recorded events in place publishes none', async () => {
    const events = eventsOn('L-1', '2026-01-20');
    const p = publisherOf();
    await p.handle([
      streamRecord('1', {
        before: sweptItem('L-1', events),
        after: sweptItem('L-1', events, { locale: 'en' }),
      }),
    ]);
    expect(p.calls).toEqual([]);
  });

  it('a write that replaces some of the recorded events publishes only the new ids', async () => {
    const today = eventsOn('L-1', '2026-01-20');
    const p = publisherOf();
    await p.handle([
      streamRecord('1', {
        before: sweptItem('L-1', today.slice(0, 1)),
        after: sweptItem('L-1', today),
      }),
    ]);
    expect(ids(p.accepted)).toEqual(ids(today.slice(1)));
  });

  it('publishes the events of every write of the batch together, in stream order', async () => {
    const p = publisherOf();
    const loans = ['L-1', 'L-2', 'L-3'];
    await p.handle(
      loans.map((id, i) =>
        streamRecord(String(i + 1), { after: sweptItem(id, eventsOn(id, '2026-01-20')) }),
      ),
    );
    expect(p.calls).toHaveLength(1);
    expect(p.calls[0]).toEqual(loans.flatMap((id) => ids(eventsOn(id, '2026-01-20'))));
  });
});

describe('a passing failure', () => {
  it('names the first record with an event SNS failed for now; later records are not sent', async () => {
    const p = publisherOf((id) => (id.startsWith('L-2:') ? 'passing' : undefined));
    const records = ['L-1', 'L-2', 'L-3'].map((id, i) =>
      streamRecord(String(i + 1), { after: sweptItem(id, eventsOn(id, '2026-01-20')) }),
    );
    const answer = await p.handle(records);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    // L-3 comes back with the retry from record 2: sending it now would send it twice.
    expect(p.accepted.every((event) => event.loanId === 'L-1')).toBe(true);
    expect(p.report.retryFrom).toBe('2');
    expect(p.report.notAccepted.map((f) => f.id)).toEqual([`L-2:loan.overdue:2026-01-20`]);
  });

  it('leaves what the records from the retried one on end in to the invocation that finishes them', async () => {
    const p = publisherOf((id) => (id.startsWith('L-1:') ? 'passing' : undefined));
    const answer = await p.handle([
      streamRecord('1', { after: sweptItem('L-1', eventsOn('L-1', '2026-01-20')) }),
      streamRecord('2', { after: sweptItem('L-2', undefined, { sweepShard: 16 }) }),
      streamRecord('3', { after: { ...sweptItem('L-3'), outbox: '{' } }),
    ]);
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: '1' }]);
    // Records 2 and 3 are delivered again from record 1: reported then, once.
    expect(p.report.unreachable).toEqual([]);
    expect(p.report.unreadable).toEqual([]);
  });

  it('does not send again, on the retry, what the topic accepted with the failed event', async () => {
    let throttled = true;
    const failing = 'L-1:loan.overdue:2026-01-20';
    const p = publisherOf(
      (id) => (id === failing && throttled ? 'passing' : undefined),
      undefined,
      {
        oneCall: true,
      },
    );
    const records = ['L-1', 'L-2', 'L-3'].map((id, i) =>
      streamRecord(String(i + 1), { after: sweptItem(id, eventsOn(id, '2026-01-20')) }),
    );
    expect(await p.handle(records)).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    const all = ['L-1', 'L-2', 'L-3'].flatMap((id) => ids(eventsOn(id, '2026-01-20')));
    expect(ids(p.accepted)).toEqual(all.filter((id) => id !== failing));
    // Lambda re-delivers the batch from record 1; SNS is back.
    throttled = false;
    expect(await p.handle(records)).toEqual({ batchItemFailures: [] });
    expect(p.calls.at(-1)).toEqual([failing]);
    expect(ids(p.accepted).sort()).toEqual([...all].sort());
    expect(p.report).toMatchObject({ published: 1, alreadyPublished: all.length - 1 });
  });

  it('cannot name a record without a sequence number, so it fails the whole batch', async () => {
    const p = publisherOf(() => 'passing');
    const record = streamRecord('1', { after: sweptItem('L-1', eventsOn('L-1', '2026-01-20')) });
    const { SequenceNumber: _dropped, ...rest } = record.dynamodb ?? {};
    await expect(p.handle([{ ...record, dynamodb: rest }])).rejects.toThrow(/sequence number/);
  });
});

describe('the failure path', () => {
  it('an event SNS can never accept is reported with its loan, id, type and reason; the batch is done', async () => {
    const bad = 'L-2:loan.fee_applied:2026-01-20';
    const p = publisherOf((id) => (id === bad ? 'permanent' : undefined));
    const records = ['L-1', 'L-2', 'L-3'].map((id, i) =>
      streamRecord(String(i + 1), { after: sweptItem(id, eventsOn(id, '2026-01-20')) }),
    );
    const answer = await p.handle(records);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(p.report.unpublishable).toEqual([
      {
        loanId: 'L-2',
        eventId: bad,
        eventType: 'loan.fee_applied',
        reason: 'InvalidParameter: Message too long',
      },
    ]);
    // Published once, every other event of the batch.
    const all = ['L-1', 'L-2', 'L-3'].flatMap((id) => ids(eventsOn(id, '2026-01-20')));
    expect(ids(p.accepted)).toEqual(all.filter((id) => id !== bad));
    expect(p.calls).toHaveLength(1);
  });

  it('a write whose outbox is not valid JSON publishes nothing of it; the others go out', async () => {
    const p = publisherOf();
    const answer = await p.handle([
      streamRecord('1', { after: { ...sweptItem('L-1'), outbox: '{' } }),
      streamRecord('2', { after: sweptItem('L-2', eventsOn('L-2', '2026-01-20')) }),
    ]);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(p.report.unreadable).toEqual([
      { loanId: 'L-1', sequenceNumber: '1', reason: 'outbox: not valid JSON' },
    ]);
    expect(p.accepted.every((event) => event.loanId === 'L-2')).toBe(true);
  });

  it('an outbox of an attribute type the reader does not know is unreadable, never a crash', async () => {
    const p = publisherOf();
    const hostile = { ...image(sweptItem('L-1')), outbox: { X: 'what is this' } };
    const answer = await p.handle([
      streamRecord('1', { after: hostile, raw: true }),
      streamRecord('2', { after: sweptItem('L-2', eventsOn('L-2', '2026-01-20')) }),
    ]);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(p.report.unreadable).toEqual([
      { loanId: 'L-1', sequenceNumber: '1', reason: 'outbox: unknown attribute type "X"' },
    ]);
    expect(p.report.published).toBe(eventsOn('L-2', '2026-01-20').length);
  });

  it('an unknown attribute type elsewhere on the item does not stop its events', async () => {
    const events = eventsOn('L-1', '2026-01-20');
    const p = publisherOf();
    const hostile = { ...image(sweptItem('L-1', events)), installments: { Q: [] } };
    await p.handle([streamRecord('1', { after: hostile, raw: true })]);
    expect(ids(p.accepted)).toEqual(ids(events));
    expect(p.report.unreadable).toEqual([]);
  });
});

describe('unreachable loans', () => {
  const unpaid = [installmentItem(1, '2026-01-10')];
  const cases: [string, Item, string, string][] = [
    ['sweepShard 16', { sweepShard: 16 }, 'sweepShard', 'sweepShard: 16 is outside 0–15'],
    ['sweepShard -1', { sweepShard: -1 }, 'sweepShard', 'sweepShard: -1 is outside 0–15'],
    ['sweepShard 3.5', { sweepShard: 3.5 }, 'sweepShard', 'sweepShard: 3.5 is not an integer'],
    ['no sweepShard', { sweepShard: undefined }, 'sweepShard', 'sweepShard: missing'],
    [
      'nextDueDate "overdue!"',
      { nextDueDate: 'overdue!' },
      'nextDueDate',
      'nextDueDate: "overdue!" is not a YYYY-MM-DD date',
    ],
    ['no nextDueDate', { nextDueDate: undefined }, 'nextDueDate', 'nextDueDate: missing'],
  ];

  it.each(cases)(
    'an ACTIVE loan with %s is reported with that attribute',
    async (_, extra, attribute, reason) => {
      const p = publisherOf();
      const answer = await p.handle([streamRecord('1', { after: loanItem('U-1', unpaid, extra) })]);
      expect(answer).toEqual({ batchItemFailures: [] });
      expect(p.report.unreachable).toEqual([{ loanId: 'U-1', attribute, reason }]);
    },
  );

  it('names every attribute at fault, the first as the attribute', async () => {
    const p = publisherOf();
    await p.handle([
      streamRecord('1', { after: loanItem('U-2', unpaid, { sweepShard: 20, nextDueDate: '' }) }),
    ]);
    expect(p.report.unreachable).toEqual([
      {
        loanId: 'U-2',
        attribute: 'sweepShard',
        reason: 'sweepShard: 20 is outside 0–15; nextDueDate: "" is not a YYYY-MM-DD date',
      },
    ]);
  });

  it('a loan that cannot be read well enough to tell whether anything is unpaid is reported too', async () => {
    const p = publisherOf();
    await p.handle([
      streamRecord('1', {
        after: loanItem('U-3', [{ seq: 1, dueDate: '2026-01-10' }], {
          sweepShard: 99,
          nextDueDate: '2026-01-10',
        }),
      }),
    ]);
    expect(p.report.unreachable).toEqual([
      {
        loanId: 'U-3',
        attribute: 'sweepShard',
        reason:
          'sweepShard: 99 is outside 0–15; the loan cannot be assessed either (installments[0].principalDue: missing)',
      },
    ]);
  });

  it('is not reported when nothing is unpaid, within the policy’s arrears tolerance', async () => {
    const paid = [
      installmentItem(1, '2026-01-10', true),
      { ...installmentItem(2, '2026-02-10', true), interestPaid: 250 },
    ];
    const p = publisherOf(undefined, JSON.stringify({ default: { arrearsTolerance: 50 } }));
    await p.handle([
      streamRecord('1', { after: loanItem('P-1', paid, { nextDueDate: undefined }) }),
    ]);
    expect(p.report.unreachable).toEqual([]);
    // Without that tolerance, the 50 left to pay is unpaid.
    const strict = publisherOf();
    await strict.handle([
      streamRecord('1', { after: loanItem('P-1', paid, { nextDueDate: undefined }) }),
    ]);
    expect(strict.report.unreachable.map((u) => u.attribute)).toEqual(['nextDueDate']);
  });

  it('a closed loan, a reachable loan, a delete and a run record are never unreachable', async () => {
    const p = publisherOf();
    await p.handle([
      streamRecord('1', { after: loanItem('C-1', unpaid, { status: 'PAID_OFF', sweepShard: 16 }) }),
      streamRecord('2', { after: loanItem('R-1', unpaid) }),
      streamRecord('3', { before: loanItem('D-1', unpaid, { sweepShard: 16 }) }),
      streamRecord('4', { after: { loanId: '#run#sweep-2026-01-20', status: 'ACTIVE' } }),
    ]);
    expect(p.report.unreachable).toEqual([]);
    expect(p.calls).toEqual([]);
  });

  it('never names the borrower', async () => {
    const p = publisherOf();
    await p.handle([
      streamRecord('1', {
        after: loanItem('U-4', unpaid, { borrowerId: '13812345678', nextDueDate: 'overdue!' }),
      }),
    ]);
    expect(p.report.unreachable).toHaveLength(1);
    expect(JSON.stringify(p.report)).not.toContain('13812345678');
  });
});

describe('a run record', () => {
  const event = buildSweepCompletedEvent(
    { runId: 'sweep-2026-01-20', asOf: '2026-01-20', complete: true },
    d('2026-01-20'),
    { runId: 'sweep-2026-01-20', occurredAt: '2026-01-19T16:30:00.000Z' },
  );
  const key = '#run#sweep-2026-01-20';
  const stored = storedOutboxOf([event]);

  it('publishes its sweep.completed, with no loan or borrower id', async () => {
    const p = publisherOf();
    await p.handle([streamRecord('1', { after: { loanId: key, outbox: stored } })]);
    expect(p.accepted).toHaveLength(1);
    expect(p.accepted[0]).toMatchObject({ id: event.id, type: 'sweep.completed' });
    expect(p.accepted[0]?.loanId).toBeUndefined();
    expect(p.accepted[0]?.borrowerId).toBeUndefined();
    expect(p.report.unreachable).toEqual([]);
  });
});

/**
 * The reporting service on DynamoDB Local (docs/contract.md, Reports): counters and event markers in one real
 * transaction; conflicts injected by wrapping the client only where DynamoDB Local cannot be made
 * to produce them on demand.
 */
import { type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReportStore, eventMarkerKey } from '../../../functions/adapters/report-store';
import type { RiskClass } from '../../../functions/contract/events';
import { MAX_EVENT_ID_BYTES, type ParsedEvent } from '../../../functions/core/event-message';
import { buildLoanEvent, buildSweepCompletedEvent } from '../../../functions/core/events';
import { MAX_LISTED_RUNS } from '../../../functions/core/report';
import type {
  Bucket,
  BusinessDate,
  EventEnvelope,
  RunContext,
} from '../../../functions/core/types';
import { countEvents, EVENT_MARKER_TTL_SECONDS } from '../../../functions/reporting/count-events';
import { createReporting } from '../../../functions/reporting/wiring';
import { freshResources, localClients } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import { faultyDynamoDb } from '../../support/faults';
import { sqsEventOf } from './support';

const clients = localClients();
let resources: LocalResources;
let table: string;

const RUN = { runId: 'run-1', occurredAt: '2026-03-01T16:30:00.000Z' };
const NOW = new Date('2026-03-01T16:40:00.000Z');
const d = (text: string) => text as BusinessDate;
const who = (loanId: string) => ({ loanId, borrowerId: `B-${loanId}` });

/** The run context of the date's whole run (its id is `sweep-<asOf>`). */
const wholeRun = (asOf: string, occurredAt = RUN.occurredAt) => ({
  runId: `sweep-${asOf}`,
  occurredAt,
});

function overdue(
  loanId: string,
  asOf: string,
  dpd: number,
  bucket: Bucket,
  amount: number,
  currency = 'CNY',
  run: RunContext = RUN,
) {
  return buildLoanEvent('loan.overdue', who(loanId), { bucket, dpd }, d(asOf), run, {
    dpd,
    bucket,
    inGrace: dpd <= 3,
    forbearance: false,
    amountOverdue: amount,
    currency,
  });
}

function fee(
  loanId: string,
  asOf: string,
  lateFee: number,
  penaltyInterest: number,
  currency = 'CNY',
) {
  return buildLoanEvent('loan.fee_applied', who(loanId), { bucket: 'M1', dpd: 5 }, d(asOf), RUN, {
    lateFee,
    penaltyInterest,
    currency,
    capped: false,
    entryIds: [],
  });
}

/** The reporting function as the handler builds it (the wiring), on `dynamodb`. */
function service(dynamodb: DynamoDBClient = clients.dynamodb) {
  const reporting = createReporting(
    { dynamodb },
    { reportsTableName: table, creditRecordsTableName: resources.tables.CREDIT_RECORDS_TABLE_NAME },
    { clock: () => NOW, sleep: async () => {} },
  );
  return (event: Parameters<typeof reporting.handle>[0]) => reporting.handle(event);
}

async function report(asOf: string) {
  return createReportStore(clients.doc, table).get(d(asOf));
}

/** Delivers like SQS: failed messages come back until none is left (bounded). */
async function deliverUntilDone(
  handle: ReturnType<typeof service>,
  events: readonly EventEnvelope[],
  prefix: string,
) {
  let pending = sqsEventOf(events, prefix).Records;
  for (let round = 0; round < 20 && pending.length > 0; round++) {
    const { batchItemFailures } = await handle({ Records: pending });
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    pending = pending.filter((r) => failed.has(r.messageId));
  }
  expect(pending).toEqual([]);
}

beforeAll(async () => {
  resources = await freshResources(clients, 'reporting');
  table = resources.tables.REPORTS_TABLE_NAME;
});

describe('reporting service', () => {
  it('keeps one report item per date with counts, buckets, amounts and charges', async () => {
    const events = [
      overdue('L-1', '2026-03-02', 1, 'M1', 10_300),
      overdue('L-2', '2026-03-02', 45, 'M2', 20_000),
      overdue('L-3', '2026-03-02', 100, 'M4', 5_000, 'USD'),
      fee('L-2', '2026-03-02', 1_000, 45),
      fee('L-3', '2026-03-02', 0, 7, 'USD'),
      buildLoanEvent(
        'loan.payment_due_soon',
        who('L-4'),
        { bucket: 'M0', dpd: 0 },
        d('2026-03-02'),
        RUN,
        {
          installmentSeq: 1,
          dueDate: d('2026-03-05'),
          daysUntilDue: 3,
          amountDue: 900,
          currency: 'CNY',
        },
      ),
      buildLoanEvent(
        'loan.charged_off',
        who('L-5'),
        { bucket: 'M6', dpd: 180 },
        d('2026-03-02'),
        RUN,
        {
          dpd: 180,
          principalOutstanding: 8_000,
          chargesTotal: 2_000,
          currency: 'CNY',
        },
      ),
    ];
    const response = await service()(sqsEventOf(events));
    expect(response.batchItemFailures).toEqual([]);
    expect(await report('2026-03-02')).toEqual({
      asOf: '2026-03-02',
      loansOverdue: 3,
      buckets: { M1: 1, M2: 1, M4: 1 },
      amountOverdue: { CNY: 30_300, USD: 5_000 },
      chargesApplied: { CNY: 1_045, USD: 7 },
      lateFees: { CNY: 1_000 },
      penaltyInterest: { CNY: 45, USD: 7 },
      chargesReversed: {},
      chargedOff: 1,
      chargedOffPrincipal: { CNY: 8_000 },
      dueSoon: 1,
      cured: 0,
      riskClasses: {},
      creditHoldsPlaced: 0,
      creditHoldsReleased: 0,
      creditNotices: 0,
      hardshipOffers: 0,
      promisesKept: 0,
      promisesBroken: 0,
      eventsByRun: { [RUN.runId]: events.length },
      runs: {},
      runsNotListed: 0,
      complete: false,
    });
  });

  it('counts risk classes and what the delinquency episodes set in motion, once each', async () => {
    const asOf = '2026-03-18';
    const day = d(asOf);
    const state = { bucket: 'M1' as const, dpd: 20 };
    const classed = (loanId: string, riskClass: RiskClass | undefined) =>
      buildLoanEvent('loan.overdue', who(loanId), state, day, RUN, {
        dpd: 20,
        bucket: 'M1',
        inGrace: false,
        forbearance: false,
        amountOverdue: 100,
        currency: 'CNY',
        ...(riskClass && { riskClass, delinquentSince: d('2026-02-27'), creditHold: true }),
      });
    const promise = { promiseId: 'P-1', until: d('2026-03-17'), amount: 500, currency: 'CNY' };
    const events = [
      classed('L-1', 'SPECIAL_MENTION'),
      classed('L-2', 'SPECIAL_MENTION'),
      classed('L-3', 'SUBSTANDARD'),
      // Recorded before loans had a risk class: an overdue loan in no class.
      classed('L-4', undefined),
      buildLoanEvent('loan.credit_hold', who('L-1'), state, day, RUN, {
        dpd: 20,
        bucket: 'M1',
        delinquentSince: d('2026-02-27'),
      }),
      buildLoanEvent('loan.credit_released', who('L-5'), { bucket: 'M0', dpd: 0 }, day, RUN, {
        dpd: 0,
        delinquentSince: d('2026-03-01'),
      }),
      buildLoanEvent('loan.credit_report_notice', who('L-2'), state, day, RUN, {
        dpd: 20,
        amountOverdue: 100,
        currency: 'CNY',
        settlementDate: d('2026-03-31'),
        delinquentSince: d('2026-02-27'),
      }),
      buildLoanEvent('loan.hardship_offer', who('L-3'), state, day, RUN, {
        offerId: 'L-3:hardship:2026-02-27',
        dpd: 20,
        amountOverdue: 100,
        currency: 'CNY',
      }),
      buildLoanEvent('loan.promise_kept', who('L-6'), state, day, RUN, { ...promise, paid: 500 }),
      buildLoanEvent('loan.promise_broken', who('L-7'), state, day, RUN, { ...promise, paid: 0 }),
    ];
    expect((await service()(sqsEventOf(events))).batchItemFailures).toEqual([]);
    expect((await service()(sqsEventOf(events.slice(4), 'again'))).batchItemFailures).toEqual([]);
    expect(await report(asOf)).toMatchObject({
      loansOverdue: 4,
      riskClasses: { SPECIAL_MENTION: 2, SUBSTANDARD: 1 },
      creditHoldsPlaced: 1,
      creditHoldsReleased: 1,
      creditNotices: 1,
      hardshipOffers: 1,
      promisesKept: 1,
      promisesBroken: 1,
      eventsByRun: { [RUN.runId]: events.length },
    });
  });

  it('counts what backdated payments gave back into chargesReversed, once however often delivered', async () => {
    // A report item written before reversals existed has no chargesReversed map yet.
    await clients.doc.send(
      new PutCommand({
        TableName: table,
        Item: { asOf: '2026-03-06', loansOverdue: 0, chargesApplied: { CNY: 100 } },
      }),
    );
    const reversed = (loanId: string, late: number, penalty: number, currency = 'CNY') =>
      buildLoanEvent(
        'loan.charges_reversed',
        who(loanId),
        { bucket: 'M0', dpd: 0 },
        d('2026-03-06'),
        RUN,
        {
          lateFeeReversed: late,
          penaltyReversed: penalty,
          currency,
          paymentIds: [`PAY-${loanId}`],
          entryIds: ['2026-03-06#LATE_FEE_REVERSAL', '2026-03-06#PENALTY_REVERSAL'],
        },
      );
    const first = reversed('L-1', 500, 20);
    const batch = [first, reversed('L-2', 0, 9), reversed('L-3', 0, 4, 'USD'), first];
    expect((await service()(sqsEventOf(batch))).batchItemFailures).toEqual([]);
    expect((await service()(sqsEventOf([first], 'again'))).batchItemFailures).toEqual([]);
    expect(await report('2026-03-06')).toMatchObject({
      chargesApplied: { CNY: 100 },
      chargesReversed: { CNY: 529, USD: 4 },
      eventsByRun: { [RUN.runId]: 3 },
    });
  });

  it('messages delivered twice still count once (same batch, later batch)', async () => {
    const event = overdue('L-1', '2026-03-03', 2, 'M1', 10_300);
    const other = overdue('L-2', '2026-03-03', 46, 'M2', 20_000);
    expect((await service()(sqsEventOf([event, event]))).batchItemFailures).toEqual([]);
    expect((await service()(sqsEventOf([other, event], 'again'))).batchItemFailures).toEqual([]);
    expect(await report('2026-03-03')).toMatchObject({
      loansOverdue: 2,
      buckets: { M1: 1, M2: 1 },
      amountOverdue: { CNY: 30_300 },
    });
  });

  it('records each counted event under a digest of its id, the id kept, with an expiry for TTL', async () => {
    const event = overdue('L-9', '2026-03-04', 3, 'M1', 1);
    await service()(sqsEventOf([event]));
    const key = eventMarkerKey(event.id);
    expect(key).toMatch(/^counted#[0-9a-f]{64}$/);
    const { Item } = await clients.doc.send(
      new GetCommand({ TableName: table, Key: { asOf: key } }),
    );
    expect(Item).toEqual({
      asOf: key,
      eventId: event.id,
      expiresAt: NOW.getTime() / 1000 + EVENT_MARKER_TTL_SECONDS,
    });
  });

  it('an event an earlier release marked as counted (event#<id>) is not counted again', async () => {
    const asOf = '2026-03-14';
    const old = overdue('L-old', asOf, 3, 'M1', 1_000);
    const fresh = overdue('L-new', asOf, 3, 'M1', 7);
    // What the earlier release wrote with the counters, while its TTL keeps it.
    await clients.doc.send(
      new PutCommand({
        TableName: table,
        Item: { asOf: `event#${old.id}`, eventId: old.id, expiresAt: 2_000_000_000 },
      }),
    );
    expect((await service()(sqsEventOf([old, fresh]))).batchItemFailures).toEqual([]);
    expect(await report(asOf)).toMatchObject({ loansOverdue: 1, amountOverdue: { CNY: 7 } });
  });

  it("marks the report complete with the whole run's summary after its sweep.completed", async () => {
    const asOf = '2026-03-05';
    const run = wholeRun(asOf);
    const summary = {
      runId: run.runId,
      asOf,
      scope: 'shards',
      loansExamined: 12,
      loansOverdue: 1,
      eventsRecorded: 1,
      complete: true,
    };
    await service()(
      sqsEventOf([
        overdue('L-1', asOf, 4, 'M1', 100, 'CNY', run),
        buildSweepCompletedEvent(summary, d(asOf), run),
      ]),
    );
    expect(await report(asOf)).toMatchObject({ complete: true, summary, loansOverdue: 1 });
  });

  it('completes the day only once the last event the run recorded is counted, whatever the order', async () => {
    const asOf = '2026-03-15';
    const run = wholeRun(asOf);
    const [first, second, third] = [1, 2, 3].map((n) =>
      overdue(`L-${n}`, asOf, 4, 'M1', 100, 'CNY', run),
    );
    if (!first || !second || !third) throw new Error('three events');
    // A summary recorded before summaries carried their scope: `sweep-<asOf>` is the whole run.
    const summary = { runId: run.runId, asOf, eventsRecorded: 3, complete: true };
    const completed = buildSweepCompletedEvent(summary, d(asOf), run);
    // sweep.completed overtakes the loan events (SNS and SQS do not keep order).
    await service()(sqsEventOf([completed, first], 'a'));
    expect(await report(asOf)).toMatchObject({ complete: false, summary });
    await service()(sqsEventOf([second, first], 'b'));
    expect((await report(asOf))?.complete).toBe(false);
    await service()(sqsEventOf([third], 'c'));
    expect(await report(asOf)).toMatchObject({
      complete: true,
      loansOverdue: 3,
      eventsByRun: { [run.runId]: 3 },
    });
    // Final: a redelivery changes nothing.
    await service()(sqsEventOf([completed, first, second, third], 'd'));
    expect(await report(asOf)).toMatchObject({ complete: true, loansOverdue: 3 });
  });

  it('never completes the day for a run that did not cover every loan', async () => {
    const asOf = '2026-03-16';
    const run = wholeRun(asOf);
    const summary = { runId: run.runId, asOf, eventsRecorded: 0, complete: false };
    await service()(sqsEventOf([buildSweepCompletedEvent(summary, d(asOf), run)]));
    const stored = await report(asOf);
    expect(stored?.complete).toBe(false);
    expect(stored?.summary).toBeUndefined();
    expect(stored?.runs[run.runId]).toMatchObject({ scope: 'shards', complete: false });
  });

  it('a malformed message is a batch item failure while the rest of the batch is counted', async () => {
    const response = await service()(
      sqsEventOf([overdue('L-1', '2026-03-06', 5, 'M1', 100), '{"type":"loan.overdue"}', 'nope']),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm2' },
    ]);
    expect((await report('2026-03-06'))?.loansOverdue).toBe(1);
  });

  it('concurrent batches on one date count every event exactly once', async () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      overdue(`L-c${i}`, '2026-03-07', 10, 'M1', 100 + i),
    );
    const batches = [0, 1, 2, 3].map((b) => events.slice(b * 10, b * 10 + 10));
    await Promise.all(batches.map((batch, b) => deliverUntilDone(service(), batch, `b${b}-`)));
    // And the whole lot once more, as a redelivery storm would.
    await deliverUntilDone(service(), events.slice(0, 10), 'again-');
    expect(await report('2026-03-07')).toMatchObject({
      loansOverdue: 40,
      buckets: { M1: 40 },
      amountOverdue: { CNY: 40 * 100 + (39 * 40) / 2 },
    });
  });

  it('retries a transaction conflict, and fails the messages only after repeated conflicts', async () => {
    let conflictsLeft = 2;
    const conflicting = faultyDynamoDb('TransactWriteItemsCommand', () =>
      conflictsLeft-- > 0
        ? new TransactionCanceledException({
            message: 'Transaction cancelled',
            $metadata: {},
            CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
          })
        : undefined,
    );
    const event = overdue('L-1', '2026-03-08', 8, 'M1', 100);
    expect((await service(conflicting)(sqsEventOf([event]))).batchItemFailures).toEqual([]);
    expect((await report('2026-03-08'))?.loansOverdue).toBe(1);

    conflictsLeft = 100;
    const later = overdue('L-2', '2026-03-08', 8, 'M1', 100);
    expect((await service(conflicting)(sqsEventOf([later]))).batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
    ]);
    expect((await report('2026-03-08'))?.loansOverdue).toBe(1);
  });

  it('an unexpected DynamoDB error fails the whole batch and counts nothing', async () => {
    const failing = faultyDynamoDb('TransactWriteItemsCommand', () =>
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    );
    const response = await service(failing)(
      sqsEventOf([
        overdue('L-1', '2026-03-09', 9, 'M1', 1),
        overdue('L-2', '2026-03-09', 9, 'M1', 1),
      ]),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
      { itemIdentifier: 'm1' },
    ]);
    expect((await report('2026-03-09'))?.loansOverdue).toBe(0);
  });
});

describe("a day's report is final and true", () => {
  /** A run's `sweep.completed`: its summary says what it covered and recorded. */
  function completion(asOf: string, run: RunContext, fields: Record<string, unknown>) {
    return buildSweepCompletedEvent(
      { runId: run.runId, asOf, complete: true, eventsRecorded: 0, ...fields },
      d(asOf),
      run,
    );
  }
  const namedRun = (asOf: string, tag: string, minute = 50) => ({
    runId: `sweep-${asOf}-${tag}`,
    occurredAt: `2026-03-01T16:${minute}:00.000Z`,
  });

  it("a later loanIds run is listed beside the day's summary, never over it", async () => {
    const asOf = '2026-04-01';
    const whole = wholeRun(asOf);
    const named = namedRun(asOf, '0a1b2c3d4e');
    const wholeSummary = {
      scope: 'shards',
      loansExamined: 3,
      loansOverdue: 2,
      eventsRecorded: 2,
      charges: { CNY: { lateFees: 0, penaltyInterest: 2_750 } },
    };
    await service()(
      sqsEventOf([
        overdue('L-1', asOf, 5, 'M1', 100, 'CNY', whole),
        overdue('L-2', asOf, 5, 'M1', 100, 'CNY', whole),
        completion(asOf, whole, wholeSummary),
      ]),
    );
    const final = await report(asOf);
    expect(final).toMatchObject({ complete: true, summary: wholeSummary });
    // An operator sweeps one loan the whole run could not reach ("700% of 1 loans examined").
    await service()(
      sqsEventOf(
        [
          overdue('L-unreached', asOf, 9, 'M1', 40, 'CNY', named),
          completion(asOf, named, {
            scope: 'loanIds',
            loansExamined: 1,
            loansOverdue: 1,
            eventsRecorded: 1,
          }),
        ],
        'n',
      ),
    );
    const after = await report(asOf);
    expect(after?.summary).toEqual(final?.summary);
    expect(after).toMatchObject({
      complete: true,
      // Its loan's event is one the day had not counted: it counts, once.
      loansOverdue: 3,
      runs: {
        [whole.runId]: { scope: 'shards', complete: true, loansExamined: 3, eventsRecorded: 2 },
        [named.runId]: { scope: 'loanIds', complete: true, loansExamined: 1, eventsRecorded: 1 },
      },
    });
  });

  it('a loanIds run never completes a day by itself, even with all its events counted', async () => {
    const asOf = '2026-04-02';
    const named = namedRun(asOf, '5f6a7b8c9d');
    await service()(
      sqsEventOf([
        overdue('L-1', asOf, 5, 'M1', 100, 'CNY', named),
        completion(asOf, named, { scope: 'loanIds', loansExamined: 1, eventsRecorded: 1 }),
        // Without a scope, a run id other than sweep-<asOf> is a run of named loans too.
        completion(asOf, namedRun(asOf, 'legacy'), { loansExamined: 1 }),
      ]),
    );
    const stored = await report(asOf);
    expect(stored).toMatchObject({ complete: false, loansOverdue: 1 });
    expect(stored?.summary).toBeUndefined();
    expect(Object.keys(stored?.runs ?? {}).sort()).toEqual([
      `sweep-${asOf}-5f6a7b8c9d`,
      `sweep-${asOf}-legacy`,
    ]);
  });

  it('a re-run that found the work done leaves the summary as it was, whatever its id', async () => {
    const asOf = '2026-04-03';
    const whole = wholeRun(asOf);
    const first = completion(asOf, whole, {
      scope: 'shards',
      loansExamined: 5,
      eventsRecorded: 0,
      charges: { CNY: { lateFees: 500, penaltyInterest: 2_250 } },
    });
    await service()(sqsEventOf([first]));
    expect(await report(asOf)).toMatchObject({ complete: true, summary: first.data });
    // The re-run's completion re-sends the same id with zeros: a duplicate.
    const zeros = completion(asOf, wholeRun(asOf, '2026-03-02T09:00:00.000Z'), {
      scope: 'shards',
      loansExamined: 5,
      charges: {},
    });
    await service()(sqsEventOf([zeros], 'again'));
    // Even under another id, a later whole run is listed, never the day's summary.
    const other = { ...zeros, id: `${zeros.id}:resumed` };
    const later = completion(
      asOf,
      { runId: 'r-later', occurredAt: zeros.occurredAt },
      {
        scope: 'shards',
        loansExamined: 0,
      },
    );
    await service()(sqsEventOf([other, later], 'other'));
    const stored = await report(asOf);
    expect(stored).toMatchObject({ complete: true, summary: first.data });
    expect(stored?.runs[whole.runId]).toMatchObject({ loansExamined: 5 });
    expect(stored?.runs['r-later']).toMatchObject({ scope: 'shards', loansExamined: 0 });
  });

  it(`lists at most ${MAX_LISTED_RUNS} runs a day and counts the rest; the whole run still completes it`, async () => {
    const asOf = '2026-04-04';
    const named = Array.from({ length: MAX_LISTED_RUNS + 5 }, (_, i) =>
      completion(asOf, namedRun(asOf, `n${i}`), { scope: 'loanIds', loansExamined: 1 }),
    );
    for (let start = 0; start < named.length; start += 10) {
      const batch = named.slice(start, start + 10);
      expect((await service()(sqsEventOf(batch, `b${start}-`))).batchItemFailures).toEqual([]);
    }
    const whole = wholeRun(asOf);
    await service()(
      sqsEventOf(
        [
          overdue('L-1', asOf, 5, 'M1', 100, 'CNY', whole),
          completion(asOf, whole, { scope: 'shards', eventsRecorded: 1 }),
        ],
        'whole',
      ),
    );
    const stored = await report(asOf);
    expect(Object.keys(stored?.runs ?? {})).toHaveLength(MAX_LISTED_RUNS);
    expect(stored?.runsNotListed).toBe(6);
    expect(stored).toMatchObject({ complete: true, summary: { runId: whole.runId } });
  });
});

describe('a poison event fails alone', () => {
  const nineOn = (asOf: string, prefix: string) =>
    Array.from({ length: 9 }, (_, i) => overdue(`${prefix}-${i}`, asOf, 10, 'M1', 100 + i));
  const nineTotal = 9 * 100 + 36;

  it('an id the envelope check refuses fails alone; redelivery counts nothing twice', async () => {
    const good = nineOn('2026-03-10', 'L-p');
    const poison = {
      ...overdue('L-poison', '2026-03-10', 10, 'M1', 1),
      id: 'x'.repeat(MAX_EVENT_ID_BYTES + 1),
    };
    const batch = [...good.slice(0, 4), poison, ...good.slice(4)];
    const first = await service()(sqsEventOf(batch));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm4' }]);
    const again = await service()(sqsEventOf(batch, 'again-'));
    expect(again.batchItemFailures).toEqual([{ itemIdentifier: 'again-4' }]);
    expect(await report('2026-03-10')).toMatchObject({
      loansOverdue: 9,
      buckets: { M1: 9 },
      amountOverdue: { CNY: nineTotal },
    });
  });

  it('an id longer than a DynamoDB key is counted once (its marker is a digest)', async () => {
    const asOf = '2026-03-17';
    const long = { ...overdue('L-long', asOf, 10, 'M1', 5), id: `${'y'.repeat(3_000)}` };
    expect((await service()(sqsEventOf([long, long]))).batchItemFailures).toEqual([]);
    expect((await service()(sqsEventOf([long], 'again'))).batchItemFailures).toEqual([]);
    expect(await report(asOf)).toMatchObject({ loansOverdue: 1, amountOverdue: { CNY: 5 } });
  });

  /**
   * Past the schema (as a future field the schema does not yet know might be): the batch's real
   * transaction on DynamoDB Local fails, and each event is committed on its own.
   */
  async function countDirectly(events: readonly EventEnvelope[], prefix: string) {
    return countEvents(
      events.map((event, i) => ({ messageId: `${prefix}${i}`, event: event as ParsedEvent })),
      {
        store: createReportStore(clients.doc, table, resources.tables.CREDIT_RECORDS_TABLE_NAME),
        now: () => NOW,
        sleep: async () => {},
      },
    );
  }

  it.each([
    // The report counts each run's events under its run id, a map key of at most 64 KB.
    ['a run id too long for a map key', '2026-03-11', { runId: 'r'.repeat(70_000) }],
    [
      "a whole run's summary nested deeper than 32 levels",
      '2026-03-12',
      wholeRunSummary('2026-03-12', deep(40)),
    ],
    [
      "an unsafe integer in a whole run's summary",
      '2026-03-13',
      wholeRunSummary('2026-03-13', { n: 2 ** 53 + 2 }),
    ],
  ] as const)(
    'the store rejects %s: that event alone fails, the nine are counted once',
    async (_name, asOf, change) => {
      const good = nineOn(asOf, `L-${asOf}`);
      const poison = { ...overdue('L-bad', asOf, 10, 'M1', 1), ...change } as EventEnvelope;
      const batch = [...good.slice(0, 7), poison, ...good.slice(7)];

      const first = await countDirectly(batch, 'm');
      expect(first.failedMessageIds).toEqual(['m7']);
      expect(first.rejected.map((r) => r.eventId)).toEqual([poison.id]);
      expect(first.counted).toHaveLength(9);

      const redelivered = await countDirectly(batch, 'r');
      expect(redelivered.counted).toEqual([]);
      expect([...redelivered.duplicates].sort()).toEqual(good.map((e) => e.id).sort());
      expect(redelivered.failedMessageIds).toEqual(['r7']);

      expect(await report(asOf)).toMatchObject({
        loansOverdue: 9,
        amountOverdue: { CNY: nineTotal },
        complete: false,
      });
    },
  );
});

/** What turns an event into the `sweep.completed` of the date's whole run with `data` in its summary. */
function wholeRunSummary(asOf: string, data: Record<string, unknown>) {
  const runId = `sweep-${asOf}`;
  return {
    type: 'sweep.completed',
    runId,
    data: { ...data, runId, asOf, scope: 'shards', complete: true, eventsRecorded: 0 },
  };
}

/** `{ a: { a: … } }` nested `levels` deep. */
function deep(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

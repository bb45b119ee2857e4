/**
 * The reminder service's benchmark (`npm run bench`): a book of borrowers holding 1–5 loans each,
 * one reminder event per loan and business date (overdue on a cadence day, due-soon, or the
 * credit-report notice: every event gives its loan a line, the most writing case), shuffled and
 * delivered in SQS batches of ten by a fixed number of concurrent invocations of the real service
 * (built through its wiring). Beside it, in the same run on the same emulator, the floor: the same
 * batches at the same concurrency, each event one conditional UpdateItem of its line and a
 * message into the borrower's item of the date, with no loan read, no rule and no rendering.
 * Two unmeasured warm-up rounds over the whole book come first; rounds alternate which side goes
 * first, each round a week after the last (no weekly cap in the way).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { documentClient } from '../functions/adapters/dynamodb';
import { ENV } from '../functions/contract/environment';
import { LOANS_TABLE, REMINDERS_TABLE } from '../functions/contract/tables';
import { instantOn } from '../functions/core/contact-policy';
import { addDays } from '../functions/core/dates';
import { buildLoanEvent, messageBodyOf } from '../functions/core/events';
import { renderReminderMessage } from '../functions/core/reminder-message';
import type { ReminderEvent, ReminderLine } from '../functions/core/reminders';
import type { BusinessDate, EventEnvelope } from '../functions/core/types';
import { loadReminderConfig } from '../functions/reminder/config';
import { createReminder } from '../functions/reminder/wiring';
import { seededRandom } from './demo-portfolio';
import { localAwsEnv, startDynamoDbLocal } from './emulators';
import { createTable, uniqueSuffix } from './local-resources';
import { type CapacityMeter, meterDynamoDb } from './meters';
import { scanReminderItems } from './reminder-items';

/** What the reminder bench is asked to do. */
export interface ReminderBenchOptions {
  readonly borrowers: number;
  readonly asOf: BusinessDate;
  /** Invocations (SQS batches) in flight at once, for the service and the floor alike. */
  readonly concurrency: number;
  readonly rounds: number;
  readonly seed: number;
  readonly onProgress?: (phase: string, done: number, total: number) => void;
}

/** One side's figures over every round. */
export interface ReminderBenchSide {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly callsPerEvent: number;
  readonly calls: Record<string, number>;
  readonly readUnitsPerEvent: number;
  readonly writeUnitsPerEvent: number;
}

export interface ReminderBenchResult {
  readonly borrowers: number;
  readonly loans: number;
  /** Borrowers by the number of loans they hold (1–5). */
  readonly loansPerBorrower: Record<string, number>;
  readonly rounds: number;
  readonly concurrency: number;
  readonly service: ReminderBenchSide;
  readonly floor: ReminderBenchSide;
  /** The service's events per second ÷ the floor's. */
  readonly ratio: number;
  /** Reminder items the service wrote in the last round (one per borrower) and lines in them. */
  readonly check: { readonly reminders: number; readonly lines: number; readonly failed: number };
}

const SQS_BATCH = 10;
/** Unmeasured rounds over the whole book before the measured ones. */
const WARM_UP_ROUNDS = 2;
const BATCH_WRITE_LIMIT = 25;
const ZONE = 'Asia/Shanghai';
const RUN = { runId: 'bench-reminders', occurredAt: '2026-01-01T00:00:00.000Z' };

interface BookLoan {
  readonly loanId: string;
  readonly borrowerId: string;
}

function loanItem(loan: BookLoan, asOf: BusinessDate, rounds: number): Record<string, unknown> {
  const instalment = (seq: number, dueDate: BusinessDate) => ({
    seq,
    dueDate,
    principalDue: 50_000,
    interestDue: 1_500,
    principalPaid: 0,
    interestPaid: 0,
  });
  return {
    ...loan,
    currency: 'CNY',
    principal: 200_000,
    dailyInterestRate: 0.0005,
    status: 'ACTIVE',
    sweepShard: 0,
    locale: loan.loanId.endsWith('3') ? 'en' : 'zh-CN',
    // Overdue since a week before the first date; one instalment due three days after each date.
    installments: [
      instalment(1, addDays(asOf, -7)),
      ...Array.from({ length: rounds }, (_, r) => instalment(r + 2, addDays(asOf, 7 * r + 3))),
    ],
  };
}

/** The event of `loan` on round `round`'s date: overdue (dpd 7), due-soon (D-3) or the notice. */
function eventOf(loan: BookLoan, date: BusinessDate, round: number, roll: number): EventEnvelope {
  if (roll < 0.6) {
    return buildLoanEvent('loan.overdue', loan, { bucket: 'M1', dpd: 7 }, date, RUN, {
      dpd: 7,
      bucket: 'M1',
      inGrace: false,
      forbearance: false,
      amountOverdue: 51_500,
      currency: 'CNY',
    });
  }
  if (roll < 0.9) {
    return buildLoanEvent('loan.payment_due_soon', loan, { bucket: 'M1', dpd: 7 }, date, RUN, {
      installmentSeq: round + 2,
      dueDate: addDays(date, 3),
      daysUntilDue: 3,
      amountDue: 51_500,
      currency: 'CNY',
    });
  }
  return buildLoanEvent('loan.credit_report_notice', loan, { bucket: 'M1', dpd: 7 }, date, RUN, {
    dpd: 7,
    amountOverdue: 51_500,
    currency: 'CNY',
    settlementDate: date,
    delinquentSince: addDays(date, -6),
  });
}

/** The floor's line of an event: what the event says, with no loan read and no rule. */
function floorLine(event: ReminderEvent): ReminderLine {
  const base = { loanId: event.loanId, currency: 'CNY', locale: 'zh-CN' as const };
  switch (event.type) {
    case 'loan.payment_due_soon':
      return { ...base, kind: 'PAYMENT_DUE_SOON', ...event.data };
    case 'loan.credit_report_notice':
      return {
        ...base,
        kind: 'CREDIT_REPORT_NOTICE',
        dpd: event.data.dpd,
        amountOverdue: event.data.amountOverdue,
        settlementDate: event.data.settlementDate,
      };
    default:
      return { ...base, kind: 'OVERDUE', dpd: 7, amountOverdue: 51_500 };
  }
}

function sqsEventOf(events: readonly EventEnvelope[], prefix: string): SQSEvent {
  return {
    Records: events.map((event, i) => ({
      messageId: `${prefix}-${i}`,
      receiptHandle: `${prefix}-${i}`,
      body: messageBodyOf(event),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:bench',
      awsRegion: 'us-east-1',
    })),
  };
}

/**
 * Runs `work` over `items` with `concurrency` workers, each taking the next item when it is done
 * with its last; returns the seconds it took.
 */
async function timed<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number, worker: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++; i < items.length; i = next++) await work(items[i] as T, i, worker);
    }),
  );
  return (performance.now() - started) / 1000;
}

function sideOf(events: number, seconds: number, meter: CapacityMeter): ReminderBenchSide {
  const calls = Object.values(meter.calls).reduce((a, b) => a + b, 0);
  const per = (n: number) => Math.round((n / events) * 100) / 100;
  return {
    events,
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(events / seconds),
    callsPerEvent: per(calls),
    calls: meter.calls,
    readUnitsPerEvent: per(meter.readUnits),
    writeUnitsPerEvent: per(meter.writeUnits),
  };
}

/** Seeds the book on a DynamoDB Local of its own, then measures the floor and the service. */
export async function benchReminders(options: ReminderBenchOptions): Promise<ReminderBenchResult> {
  const { borrowers, asOf, concurrency, rounds } = options;
  const progress = options.onProgress ?? (() => {});
  const random = seededRandom(options.seed);
  const book: BookLoan[] = [];
  const loansPerBorrower: Record<string, number> = {};
  for (let b = 0; b < borrowers; b++) {
    const held = 1 + Math.floor(random() * 5);
    loansPerBorrower[held] = (loansPerBorrower[held] ?? 0) + 1;
    for (let l = 0; l < held; l++) {
      book.push({
        loanId: `RL-${String(b).padStart(6, '0')}-${l}`,
        borrowerId: `RB-${String(b).padStart(6, '0')}`,
      });
    }
  }

  const emulator = await startDynamoDbLocal();
  const clientOf = () =>
    new DynamoDBClient({ endpoint: emulator.endpoint, ...localAwsEnvClientConfig() });
  const setup = clientOf();
  const serviceClient = clientOf();
  const floorClient = clientOf();
  try {
    const suffix = `bench-${uniqueSuffix()}`;
    const tables = {
      loans: `${suffix}-loans`,
      reminders: `${suffix}-reminders`,
      floor: `${suffix}-floor`,
    };
    const { stream: _stream, ...loansTable } = LOANS_TABLE;
    await Promise.all([
      createTable(setup, loansTable, tables.loans),
      createTable(setup, REMINDERS_TABLE, tables.reminders),
      createTable(setup, REMINDERS_TABLE, tables.floor),
    ]);
    const seeding = documentClient(setup, { exactNumbers: false });
    for (let i = 0; i < book.length; i += BATCH_WRITE_LIMIT) {
      await writeAll(
        seeding,
        tables.loans,
        book.slice(i, i + BATCH_WRITE_LIMIT).map((loan) => loanItem(loan, asOf, rounds + 1)),
      );
      progress(
        'seeding the reminder book',
        Math.min(i + BATCH_WRITE_LIMIT, book.length),
        book.length,
      );
    }

    let today = asOf;
    // The instant is worked out once per date: a Lambda's clock costs nothing, and the service
    // reads it once per batch.
    let nowMs = instantOn(today, 600, ZONE).epochMs;
    const setToday = (date: BusinessDate) => {
      today = date;
      nowMs = instantOn(today, 600, ZONE).epochMs;
    };
    const config = loadReminderConfig({
      [ENV.loansTable]: tables.loans,
      [ENV.remindersTable]: tables.reminders,
      [ENV.businessTimeZone]: ZONE,
    });
    // Ten in the morning of the round's date: its window is open, its notices are today's. One
    // service per concurrent invocation, as each Lambda execution environment builds its own.
    const services = Array.from({ length: concurrency }, () =>
      createReminder({ dynamodb: serviceClient }, config, {
        clock: () => new Date(nowMs),
      }),
    );
    const floorDoc = documentClient(floorClient, { exactNumbers: false });
    const serviceMeter = meterDynamoDb(serviceClient);
    const floorMeter = meterDynamoDb(floorClient);
    let failed = 0;

    const batchesOf = (date: BusinessDate, round: number, loans: readonly BookLoan[]) => {
      const events = loans.map((loan) => eventOf(loan, date, round, random()));
      // Shuffled: a borrower's loans reach the queue apart, as the sweep's shards send them.
      for (let i = events.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [events[i], events[j]] = [events[j] as EventEnvelope, events[i] as EventEnvelope];
      }
      const batches: EventEnvelope[][] = [];
      for (let i = 0; i < events.length; i += SQS_BATCH)
        batches.push(events.slice(i, i + SQS_BATCH));
      return batches;
    };
    const runService = (batches: EventEnvelope[][], label: string) => {
      // Built before the clock starts, as the floor's requests are: Lambda hands the function its
      // SQS event ready-made.
      const deliveries = batches.map((batch, i) => sqsEventOf(batch, `${label}-${i}`));
      return timed(deliveries, concurrency, async (delivery, _i, worker) => {
        const service = services[worker] as (typeof services)[number];
        const { batchItemFailures } = await service.handle(delivery);
        failed += batchItemFailures.length;
      });
    };
    const runFloor = (batches: EventEnvelope[][]) => {
      // Prepared before the clock starts: the floor renders nothing.
      const requests = batches.map((batch) =>
        batch.map((event) => {
          const line = floorLine(event as ReminderEvent);
          return new UpdateCommand({
            TableName: tables.floor,
            Key: { borrowerId: event.borrowerId, asOf: event.asOf },
            UpdateExpression: 'SET #lines = :lines, #message = :message, #revision = :revision',
            ConditionExpression: 'attribute_not_exists(#revision) OR #revision <> :revision',
            ExpressionAttributeNames: {
              '#lines': 'lines',
              '#message': 'message',
              '#revision': 'revision',
            },
            ExpressionAttributeValues: {
              ':lines': { [line.loanId]: line },
              ':message': renderReminderMessage([line], 'zh-CN'),
              ':revision': `${event.id}`,
            },
          });
        }),
      );
      return timed(requests, concurrency, async (batch) => {
        await Promise.all(batch.map((request) => floorDoc.send(request)));
      });
    };

    /** One round of both sides on the same batches, the floor first in even rounds. */
    const runRound = async (round: number, batches: EventEnvelope[][], label: string) => {
      if (round % 2 === 0) {
        const floor = await runFloor(batches);
        return { floor, service: await runService(batches, label) };
      }
      const service = await runService(batches, label);
      return { service, floor: await runFloor(batches) };
    };

    // Warm-up rounds over the whole book on dates of their own, measured by neither side and
    // alternated as the measured rounds are. DynamoDB Local's JIT keeps making both sides faster
    // for about a book's worth of requests: a shorter warm-up let that fall on whichever side went
    // first in the first measured round (docs/performance.md, Reminders).
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      setToday(addDays(asOf, -7 * (WARM_UP_ROUNDS + 1 - round)));
      progress(`reminders warm-up ${round + 1}/${WARM_UP_ROUNDS}`, round, WARM_UP_ROUNDS);
      await runRound(round, batchesOf(today, round, book), `warm${round}`);
    }
    const warmMeters = {
      service: { ...serviceMeter, calls: { ...serviceMeter.calls } },
      floor: { ...floorMeter, calls: { ...floorMeter.calls } },
    };
    failed = 0;

    let serviceSeconds = 0;
    let floorSeconds = 0;
    let events = 0;
    for (let round = 0; round < rounds; round++) {
      setToday(addDays(asOf, 7 * round));
      const batches = batchesOf(today, round, book);
      events += book.length;
      progress(`reminders round ${round + 1}/${rounds}`, round, rounds);
      const took = await runRound(round, batches, `r${round}`);
      floorSeconds += took.floor;
      serviceSeconds += took.service;
    }
    progress(`reminders round ${rounds}/${rounds}`, rounds, rounds);

    const lastDay = await countReminders(seeding, tables.reminders, today);
    const since = (meter: CapacityMeter, before: CapacityMeter): CapacityMeter => ({
      readUnits: meter.readUnits - before.readUnits,
      writeUnits: meter.writeUnits - before.writeUnits,
      calls: Object.fromEntries(
        Object.entries(meter.calls)
          .map(([name, n]) => [name, n - (before.calls[name] ?? 0)] as const)
          .filter(([, n]) => n > 0),
      ),
    });
    const serviceSide = sideOf(events, serviceSeconds, since(serviceMeter, warmMeters.service));
    const floorSide = sideOf(events, floorSeconds, since(floorMeter, warmMeters.floor));
    return {
      borrowers,
      loans: book.length,
      loansPerBorrower,
      rounds,
      concurrency,
      service: serviceSide,
      floor: floorSide,
      ratio: Math.round((serviceSide.eventsPerSecond / floorSide.eventsPerSecond) * 100) / 100,
      check: { ...lastDay, failed },
    };
  } finally {
    for (const client of [setup, serviceClient, floorClient]) client.destroy();
    await emulator.stop();
  }
}

/** Credentials and region for the local emulator (the SDK's own variables, without endpoints). */
function localAwsEnvClientConfig() {
  const env = localAwsEnv({});
  return {
    region: env.AWS_REGION,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  };
}

async function writeAll(doc: DynamoDBDocumentClient, tableName: string, items: unknown[]) {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  while (requests.length > 0) {
    const { UnprocessedItems } = await doc.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }),
    );
    requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}

/** Reminder items of `asOf` and the lines in them (a scan: the bench's own check, not timed). */
async function countReminders(doc: DynamoDBDocumentClient, tableName: string, asOf: BusinessDate) {
  let reminders = 0;
  let lines = 0;
  for await (const item of scanReminderItems(doc, tableName, asOf)) {
    reminders++;
    lines += Object.keys(item.lines as object).length;
  }
  return { reminders, lines };
}

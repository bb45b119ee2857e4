/**
 * SQS records for the consumers' fuzz (docs/contract.md: Events, Reminders, Reports): batches of up to ten records mixing good
 * envelopes (sometimes with fields a newer producer might add), duplicates (in the batch and of
 * earlier batches), hostile records (not JSON, wrong types, missing fields, impossible values,
 * oversized ids, deep or huge summaries) and poison events that pass the envelope check but that
 * the reports table cannot store.
 */
import fc from 'fast-check';
import { BUCKETS } from '../../functions/contract/events';
import { addDays } from '../../functions/core/dates';
import {
  buildLoanEvent,
  buildSweepCompletedEvent,
  messageBodyOf,
} from '../../functions/core/events';
import type { BusinessDate, EventEnvelope, RunContext } from '../../functions/core/types';
import { oracleDate } from './requests';
import {
  anyDate,
  type FuzzScale,
  hugeString,
  junk,
  oddKey,
  oddString,
  personalValue,
} from './values';

type Envelope = Record<string, unknown>;

/** How a record is meant: counted, failed, failed by storage, or a copy of a counted one. */
export type RecordKind = 'good' | 'hostile' | 'poison' | 'duplicate';

/** One record of a batch: its body and, unless hostile, the event it carries. */
export interface RecordCase {
  readonly kind: RecordKind;
  readonly body: string;
  /** The event as sent (good, duplicate, poison). */
  readonly event?: EventEnvelope;
}

/** What a batch is built from: its business date, its number, and events counted before. */
export interface BatchContext {
  readonly asOf: BusinessDate;
  readonly batch: number;
  readonly earlier: readonly EventEnvelope[];
}

/** Loans the reminder reads: seeded by the consumers' harness; one id names no loan. */
export const CONSUMER_LOAN_IDS = ['C-0', 'C-1', 'C-2', 'C-3', 'C-4', 'C-5', 'C-404'] as const;

const CURRENCIES = ['CNY', 'USD', 'JPY', 'EUR'] as const;
const amount = fc.nat(50_000_000);
const REMINDER_DPDS = [1, 3, 7, 15, 30, 60, 90, 120, 180];

type LoanEventBuilder = (asOf: BusinessDate, run: RunContext) => EventEnvelope;

/** A valid loan event of any type for a loan of the pool (or an odd but valid loan id). */
const loanEvent = (): fc.Arbitrary<LoanEventBuilder> =>
  fc
    .record({
      loanId: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...CONSUMER_LOAN_IDS) },
        // The longest id whose event id (`loanId:type:asOf`) still fits 2,000 bytes.
        fc.constantFrom('字-1', '👩‍👩‍👧', 'L "q"', 'x'.repeat(1_950)),
      ),
      // Mostly the loan's own borrower (loanItem's `B-<loanId>`), so reminders get lines.
      borrowerId: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: personalValue() },
      ),
      bucket: fc.constantFrom(...BUCKETS),
      dpd: fc.oneof(fc.constantFrom(...REMINDER_DPDS), fc.integer({ min: 1, max: 400 })),
      currency: fc.constantFrom(...CURRENCIES),
      a: amount,
      b: amount,
      flag: fc.boolean(),
      seq: fc.integer({ min: 1, max: 72 }),
      days: fc.constantFrom(0, 1, 3),
      type: fc.constantFrom(
        'loan.payment_due_soon',
        'loan.overdue',
        'loan.overdue',
        'loan.fee_applied',
        'loan.delinquency_changed',
        'loan.charged_off',
        'loan.credit_report_notice',
        'loan.hardship_offer',
        'loan.promise_broken',
      ),
    })
    .map((g) => (asOf: BusinessDate, run: RunContext): EventEnvelope => {
      const who = { loanId: g.loanId, borrowerId: g.borrowerId ?? `B-${g.loanId}` };
      const state = { bucket: g.bucket, dpd: g.dpd };
      switch (g.type) {
        case 'loan.payment_due_soon': {
          const dueDate = new Date(Date.parse(`${asOf}T00:00:00Z`) + g.days * 86_400_000)
            .toISOString()
            .slice(0, 10) as BusinessDate;
          return buildLoanEvent(g.type, who, { bucket: 'M0', dpd: 0 }, asOf, run, {
            installmentSeq: g.seq,
            dueDate,
            daysUntilDue: g.days,
            amountDue: g.a,
            currency: g.currency,
          });
        }
        case 'loan.overdue':
          return buildLoanEvent(g.type, who, state, asOf, run, {
            dpd: g.dpd,
            bucket: g.bucket,
            inGrace: g.dpd <= 3,
            forbearance: g.flag && g.dpd % 2 === 0,
            amountOverdue: g.a,
            currency: g.currency,
          });
        case 'loan.fee_applied':
          return buildLoanEvent(g.type, who, state, asOf, run, {
            lateFee: g.a % 10_000,
            penaltyInterest: g.b % 100_000,
            currency: g.currency,
            capped: g.flag,
            entryIds: [`${asOf}#LATE_FEE`],
          });
        case 'loan.delinquency_changed':
          return buildLoanEvent(g.type, who, state, asOf, run, {
            from: g.bucket,
            to: g.flag ? 'M0' : g.bucket,
            dpd: g.flag ? 0 : g.dpd,
          });
        case 'loan.credit_report_notice':
          return buildLoanEvent(g.type, who, state, asOf, run, {
            dpd: g.dpd,
            amountOverdue: g.a,
            currency: g.currency,
            settlementDate: asOf,
            delinquentSince: asOf,
          });
        case 'loan.hardship_offer':
          return buildLoanEvent(g.type, who, state, asOf, run, {
            offerId: `${g.loanId}:hardship:${asOf}`,
            dpd: g.dpd,
            amountOverdue: g.a,
            currency: g.currency,
          });
        case 'loan.promise_broken':
          return buildLoanEvent(g.type, who, state, asOf, run, {
            promiseId: `P-${g.seq}`,
            until: asOf,
            amount: g.a,
            paid: g.b % (g.a + 1),
            currency: g.currency,
          });
        default:
          return buildLoanEvent('loan.charged_off', who, state, asOf, run, {
            dpd: g.dpd,
            principalOutstanding: g.a,
            chargesTotal: g.b,
            currency: g.currency,
          });
      }
    });

/** A valid `sweep.completed` with a small summary. */
const sweepCompleted = (): fc.Arbitrary<LoanEventBuilder> =>
  fc.record({ examined: fc.nat(10_000), recorded: fc.nat(10) }).map(
    ({ examined, recorded }) =>
      (asOf: BusinessDate, run: RunContext) =>
        buildSweepCompletedEvent(
          {
            runId: run.runId,
            asOf,
            complete: true,
            loansExamined: examined,
            eventsPublished: recorded,
          },
          asOf,
          run,
        ),
  );

/** Fields a newer producer may add: accepted, ignored, never stored. */
const extraFields = (scale: FuzzScale) =>
  fc.dictionary(
    oddKey(scale).filter(
      (key) =>
        ![
          'id',
          'type',
          'schemaVersion',
          'asOf',
          'occurredAt',
          'runId',
          'loanId',
          'borrowerId',
          'bucket',
          'dpd',
          'data',
        ].includes(key),
    ),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  );

/** One way to make an envelope (as an object) fail the envelope check. */
type Corrupt = (envelope: Envelope) => Envelope | string;

const withField =
  (field: string, value: unknown): Corrupt =>
  (envelope) => ({ ...envelope, [field]: value });
const withData =
  (field: string, value: unknown): Corrupt =>
  (envelope) => ({ ...envelope, data: { ...(envelope.data as Envelope), [field]: value } });
const without =
  (field: string): Corrupt =>
  (envelope) => {
    const { [field]: _dropped, ...rest } = envelope;
    return rest;
  };

/** Corruptions that break every envelope, and those of each type's data. */
const corruption = (scale: FuzzScale, loanEvent: boolean, type: string): fc.Arbitrary<Corrupt> => {
  const common: fc.Arbitrary<Corrupt>[] = [
    fc.constantFrom(
      ...['id', 'type', 'schemaVersion', 'asOf', 'occurredAt', 'runId', 'data'].map(without),
      withField('schemaVersion', 2),
      withField('schemaVersion', '1'),
      withField('type', 'loan.unknown'),
      withField('id', ''),
      // 4,200 bytes: over the longest event id the schema takes.
      withField('id', '字'.repeat(1_400)),
      withField('occurredAt', ''),
      withField('runId', ''),
      withField('bucket', 'M9'),
      withField('dpd', -1),
      withField('dpd', 1.5),
      withField('data', 'none'),
    ),
    junk(scale)
      .filter((v) => typeof v !== 'string' || v === '')
      .chain((v) =>
        fc.constantFrom(
          withField('id', v),
          withField('runId', v),
          withField('occurredAt', v),
          withField('type', v),
        ),
      ),
    anyDate(scale)
      .filter((v) => oracleDate(v) === undefined)
      .map((v) => withField('asOf', v)),
    // Not JSON at all, or JSON that is not an object.
    fc
      .oneof(
        oddString().map((s) => `{${s}`),
        fc.constantFrom('', '{', '{"id":', 'undefined', "{'id': 1}", '\uFEFF{}'),
        fc.constantFrom('5', '"x"', '[]', 'null', 'true', '[{}]'),
        hugeString(scale).map((s) => `[${s}`),
      )
      .map(
        (text): Corrupt =>
          () =>
            text,
      ),
  ];
  if (loanEvent) {
    common.push(
      fc.constantFrom(
        without('loanId'),
        without('borrowerId'),
        withField('loanId', ''),
        withField('loanId', 'x'.repeat(2049)),
        withField('borrowerId', ''),
        withField('borrowerId', 13_812_345_678),
      ),
    );
  }
  const data: Record<string, Corrupt[]> = {
    'loan.payment_due_soon': [
      withData('installmentSeq', -1),
      withData('dueDate', '2026-02-30'),
      withData('amountDue', 2 ** 53),
      withData('currency', 'cny'),
    ],
    'loan.overdue': [
      withData('dpd', 0),
      withData('bucket', 'M9'),
      withData('inGrace', 'true'),
      withData('amountOverdue', -1),
      withData('amountOverdue', 1.5),
    ],
    'loan.fee_applied': [
      withData('lateFee', '500'),
      withData('penaltyInterest', 2 ** 60),
      withData('entryIds', 'x'),
      withData('capped', null),
    ],
    'loan.delinquency_changed': [withData('from', 'M-1'), withData('dpd', -5)],
    'loan.charged_off': [withData('principalOutstanding', -1), without('data')],
    'sweep.completed': [
      withField('data', []),
      withData('huge', 1e300),
      withData('tiny', 1e-131),
      withData('', 1),
      withData('deep', JSON.parse(`${'['.repeat(20)}1${']'.repeat(20)}`)),
      withData('big', 'x'.repeat(262_145)),
    ],
  };
  return fc.oneof(...common, fc.constantFrom(...(data[type] ?? [without('type')])));
};

/**
 * A date only this poison event uses: in a batch, a later `sweep.completed` of the same date would
 * replace a poison summary before it is stored, and the poison would rightly be counted.
 */
const poisonDate = (context: BatchContext, index: number): BusinessDate =>
  addDays(context.asOf, 36_500 + context.batch * 10 + index);

/** What one generated record becomes once its batch's date and number are known. */
type RecordPlan = (context: BatchContext, index: number) => RecordCase;

const run = (context: BatchContext, tag: string | number): RunContext => ({
  runId: `run-${context.batch}-${tag}`,
  occurredAt: `${context.asOf}T16:30:00.000Z`,
});

const recordPlan = (scale: FuzzScale): fc.Arbitrary<RecordPlan> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.oneof({ weight: 6, arbitrary: loanEvent() }, sweepCompleted()),
          fc.option(extraFields(scale), { freq: 4 }),
          fc.nat(1),
        )
        .map(
          ([build, extra, runTag]): RecordPlan =>
            (context) => {
              const event = build(context.asOf, run(context, runTag));
              const sent =
                extra && event.type !== 'sweep.completed'
                  ? { ...event, ...extra, data: { ...(event.data as Envelope), ...extra } }
                  : event;
              return {
                kind: 'good',
                body: messageBodyOf(sent as EventEnvelope),
                event: sent as EventEnvelope,
              };
            },
        ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.oneof(loanEvent(), sweepCompleted()), fc.nat())
        .chain(([build, seed]) => {
          const probe = build('2026-01-01' as BusinessDate, { runId: 'r', occurredAt: 'x' });
          return corruption(scale, probe.type !== 'sweep.completed', probe.type).map(
            (corrupt): RecordPlan =>
              (context) => {
                const event = build(context.asOf, run(context, seed % 2));
                const { bucket: _b, dpd: _d, ...envelope } = event as unknown as Envelope;
                const broken = corrupt(envelope);
                return {
                  kind: 'hostile',
                  body: typeof broken === 'string' ? broken : JSON.stringify(broken),
                };
              },
          );
        }),
    },
    {
      weight: 2,
      arbitrary: fc.nat().map(
        (pick): RecordPlan =>
          (context, index) => {
            const earlier = context.earlier[pick % Math.max(1, context.earlier.length)];
            if (!earlier) {
              const event = buildSweepCompletedEvent(
                { runId: 'r' },
                context.asOf,
                run(context, `dup${index}`),
              );
              return { kind: 'good', body: messageBodyOf(event), event };
            }
            return { kind: 'duplicate', body: messageBodyOf(earlier), event: earlier };
          },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<RecordPlan>(
        // A whole run's summary (the one a report keeps) with a key longer than DynamoDB's
        // 64 KB attribute names.
        (context, index) => {
          const asOf = poisonDate(context, index);
          const runId = `sweep-${asOf}`;
          const event = {
            ...buildSweepCompletedEvent(
              { runId, asOf, scope: 'shards', complete: true, ['k'.repeat(70_000)]: 1 },
              asOf,
              { ...run(context, 'p'), runId },
            ),
            id: `poison:${context.batch}:${index}`,
          };
          return { kind: 'poison', body: messageBodyOf(event), event };
        },
        // A run id the report's per-run counter cannot use as a map key (over 64 KB).
        (context, index) => {
          const event = {
            ...buildLoanEvent(
              'loan.overdue',
              { loanId: 'C-0', borrowerId: 'B-0' },
              { bucket: 'M1', dpd: 7 },
              poisonDate(context, index),
              { runId: 'r'.repeat(70_000), occurredAt: 'x' },
              {
                dpd: 7,
                bucket: 'M1',
                inGrace: false,
                forbearance: false,
                amountOverdue: 100,
                currency: 'CNY',
              },
            ),
            id: `poison:${context.batch}:${index}`,
          };
          return { kind: 'poison', body: messageBodyOf(event), event };
        },
      ),
    },
  );

/**
 * A batch of one to ten records. Within a batch an event id is sent with one content only: a
 * second good record with an id already used becomes an exact copy of the first (a duplicate).
 */
export const batchCase = (
  scale: FuzzScale,
): fc.Arbitrary<(context: BatchContext) => RecordCase[]> =>
  fc
    .tuple(fc.array(recordPlan(scale), { minLength: 1, maxLength: 10 }), fc.nat(9))
    .map(([plans, repeatAt]) => (context: BatchContext) => {
      const seen = new Map<string, RecordCase>();
      const records = plans.map((plan, index) => {
        const record = plan(context, index);
        const id = record.event?.id;
        if (record.kind === 'good' && id !== undefined) {
          const first = seen.get(id);
          if (first) return { ...first, kind: 'duplicate' as const };
          seen.set(id, record);
        }
        return record;
      });
      // Sometimes the same message body twice in one batch.
      const repeated = records[repeatAt];
      if (repeated?.event && records.length < 10)
        records.push({ ...repeated, kind: repeated.kind === 'good' ? 'duplicate' : repeated.kind });
      return records;
    });

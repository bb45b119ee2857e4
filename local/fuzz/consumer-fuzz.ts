/**
 * The consumers' fuzz property on the emulators (docs/contract.md: Reminders, Reports, issue 14), shared by the test suite
 * and `npm run fuzz`: the real reminder and reporting Lambda handlers (middy, Powertools batch
 * processing, configuration from the environment) get the same random SQS batch. Neither throws;
 * a hostile record fails alone and a poison event fails alone in reporting; every good record is
 * processed — counted exactly once in its day's report, however often it is delivered, and given
 * its line: the borrower's reminder of the line's date names the loan exactly when some event for
 * the loan and date gives it a line (or the weekly cap holds that line back, kept apart).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { heldPartitionOf } from '../../functions/adapters/reminder-item';
import { createReportStore, eventMarkerKey } from '../../functions/adapters/report-store';
import { contactWindowOn, DEFAULT_CONTACT_POLICY } from '../../functions/core/contact-policy';
import { addDays, businessDateOf } from '../../functions/core/dates';
import { parseLoanItem } from '../../functions/core/loan';
import { policyFor } from '../../functions/core/policy';
import {
  isReminderEvent,
  type LoanState,
  lineDatesOf,
  lineFor,
  type ReminderEvent,
} from '../../functions/core/reminders';
import type { BusinessDate, EventEnvelope } from '../../functions/core/types';
import { lambdaContext } from '../fixtures/lambda';
import { installmentItem, loanItem } from '../fixtures/loans';
import { sqsRecord } from '../fixtures/sqs';
import { BOOK, clients, FEE_POLICY, putItems } from '../fixtures/sweep';
import type { LocalResources } from '../local-resources';
import { type BatchContext, CONSUMER_LOAN_IDS, type RecordCase } from './records';
import { canonicalJson, Tally, withTimeout } from './tally';

type Item = Record<string, unknown>;
type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** The first business date of the batches; batch `n` is `n` days later. */
const FIRST_DATE = '2026-01-01' as BusinessDate;
const HANDLER_TIMEOUT_MS = 60_000;

/** Monthly instalments from January 2025 to December 2030, some paid. */
function monthly(paidEvery: number): Item[] {
  return Array.from({ length: 72 }, (_, i) => {
    const date = new Date(Date.UTC(2025, i, 5)).toISOString().slice(0, 10);
    return installmentItem(i + 1, date, paidEvery > 0 && i % paidEvery === 0);
  });
}

/** The loans the reminder reads: overdue, partly paid, opted out, malformed, in forbearance, closed. */
function consumerLoans(): Item[] {
  return [
    loanItem('C-0', monthly(0)),
    loanItem('C-1', monthly(3), { locale: 'en' }),
    loanItem('C-2', monthly(0), { remindersOptOut: true }),
    loanItem('C-3', monthly(0), { currency: 'cny' }),
    loanItem('C-4', monthly(2), { forbearanceUntil: '2027-06-30' }),
    loanItem('C-5', monthly(1), { status: 'PAID_OFF' }),
  ];
}

/** The queue the fuzz's records come from. */
const FUZZ_QUEUE_ARN = 'arn:aws:sqs:ap-east-1:000000000000:fuzz';

/** The counters of one date's report that the counted events determine (zeros dropped). */
interface Counters {
  loansOverdue: number;
  dueSoon: number;
  chargedOff: number;
  cured: number;
  chargesApplied: Record<string, number>;
  amountOverdue: Record<string, number>;
  eventsByRun: Record<string, number>;
}

function emptyCounters(): Counters {
  return {
    loansOverdue: 0,
    dueSoon: 0,
    chargedOff: 0,
    cured: 0,
    chargesApplied: {},
    amountOverdue: {},
    eventsByRun: {},
  };
}

function add(map: Record<string, number>, key: string, value: number) {
  if (value !== 0) map[key] = (map[key] ?? 0) + value;
}

/** What counting `events` once each adds to a report, computed here from docs/contract.md, Reports alone. */
function countersOf(events: Iterable<EventEnvelope>): Counters {
  const counters = emptyCounters();
  for (const event of events) {
    const data = event.data as Item;
    if (event.type !== 'sweep.completed') add(counters.eventsByRun, event.runId, 1);
    if (event.type === 'loan.overdue') {
      counters.loansOverdue += 1;
      add(counters.amountOverdue, String(data.currency), Number(data.amountOverdue));
    }
    if (event.type === 'loan.payment_due_soon') counters.dueSoon += 1;
    if (event.type === 'loan.charged_off') counters.chargedOff += 1;
    if (event.type === 'loan.delinquency_changed' && data.to === 'M0') counters.cured += 1;
    if (event.type === 'loan.fee_applied') {
      add(
        counters.chargesApplied,
        String(data.currency),
        Number(data.lateFee) + Number(data.penaltyInterest),
      );
    }
  }
  return counters;
}

const nonZero = (map: Readonly<Partial<Record<string, number>>>) =>
  Object.fromEntries(Object.entries(map).filter(([, v]) => v !== 0 && v !== undefined));

/**
 * The consumers' property on `resources`: the handlers are imported with the environment their
 * stack would give them; `check` delivers one batch to both and judges what they answered and
 * stored.
 */
export async function createConsumersFuzz(
  resources: LocalResources,
  tally = new Tally('consumers'),
) {
  Object.assign(process.env, resources.env, {
    BUSINESS_TIMEZONE: 'Asia/Shanghai',
    FEE_POLICY,
  });
  const reminder = (await import('../../functions/reminder/handler')).handler as unknown as (
    event: SQSEvent,
    context: unknown,
  ) => Promise<SQSBatchResponse>;
  const reporting = (await import('../../functions/reporting/handler')).handler as unknown as (
    event: SQSEvent,
    context: unknown,
  ) => Promise<SQSBatchResponse>;
  const handlers: Record<'reminder' | 'reporting', BatchHandler> = {
    reminder: (event) => reminder(event, lambdaContext('reminder')),
    reporting: (event) => reporting(event, lambdaContext('reporting')),
  };
  const loans = consumerLoans();
  await putItems(resources.tables.LOANS_TABLE_NAME, loans);
  const loanById = new Map(loans.map((item) => [String(item.loanId), parseLoanItem(item)]));
  const store = createReportStore(clients.doc, resources.tables.REPORTS_TABLE_NAME);
  /** Every event counted so far, by id. */
  const counted = new Map<string, EventEnvelope>();
  /** Per borrower, date and loan: whether any event so far gave the loan a line. */
  const lines = new Map<
    string,
    { borrowerId: string; asOf: BusinessDate; loanId: string; line: boolean }
  >();
  let batch = 0;

  const deliver = async (
    name: keyof typeof handlers,
    event: SQSEvent,
    check: ReturnType<Tally['begin']>,
  ) => {
    try {
      const answer = await withTimeout(handlers[name](event), HANDLER_TIMEOUT_MS);
      const failures = answer?.batchItemFailures;
      if (!Array.isArray(failures)) {
        check.violate(
          'no-batch-response',
          `${name} answered ${JSON.stringify(answer)?.slice(0, 200)}`,
        );
        return undefined;
      }
      return new Set(failures.map((failure) => failure.itemIdentifier));
    } catch (error) {
      tally.count('crashes');
      const text =
        error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error);
      check.violate('crash', `${name} threw ${text}`);
      return undefined;
    }
  };

  const stateOf = (loanId: string): LoanState => {
    const read = loanById.get(loanId);
    if (!read) return { kind: 'missing' };
    return read.ok
      ? { kind: 'found', loan: read.loan }
      : { kind: 'unreadable', reason: read.reason };
  };
  /** The dates an event's line goes to and whether it gives one, as docs/contract.md, Reminders says. */
  const decisions = (event: ReminderEvent) => {
    const now = new Date();
    const zone = 'Asia/Shanghai';
    const today = businessDateOf(now, zone);
    const closed = now.getTime() > contactWindowOn(today, DEFAULT_CONTACT_POLICY, zone).closesAtMs;
    // The first date only: a notice after today's window also goes into tomorrow's reminder.
    const [date = event.asOf] = lineDatesOf(event, today, closed);
    const decision = lineFor(event, stateOf(event.loanId), (loan) =>
      policyFor(BOOK, loan.productCode),
    );
    return { date, line: 'line' in decision };
  };

  return {
    tally,
    /** Delivers one batch (built for the next business date) to both consumers and judges them. */
    async check(build: (context: BatchContext) => RecordCase[]) {
      const asOf = addDays(FIRST_DATE, batch);
      const records = build({ asOf, batch, earlier: [...counted.values()] });
      const ids = records.map((_, i) => `b${batch}-m${i}`);
      batch += 1;
      const check = tally.begin(records.map((r) => ({ kind: r.kind, body: r.body })));
      const event: SQSEvent = {
        Records: records.map((r, i) => sqsRecord(r.body, ids[i] as string, FUZZ_QUEUE_ARN)),
      };
      tally.count('batches');
      tally.count('records tried', records.length);
      for (const r of records) tally.count(`${r.kind} records`);

      const failedReporting = await deliver('reporting', event, check);
      const failedReminder = await deliver('reminder', event, check);

      records.forEach((record, i) => {
        const id = ids[i] as string;
        const label = `${record.kind} record ${id}`;
        const mustFail = record.kind === 'hostile' || record.kind === 'poison';
        if (failedReporting && failedReporting.has(id) !== mustFail) {
          check.violate(
            mustFail ? 'bad-record-passed' : 'good-record-failed',
            `reporting: ${label}`,
          );
        }
        if (failedReminder) {
          const failed = failedReminder.has(id);
          if (record.kind === 'hostile' && !failed)
            check.violate('bad-record-passed', `reminder: ${label}`);
          if ((record.kind === 'good' || record.kind === 'duplicate') && failed) {
            check.violate('good-record-failed', `reminder: ${label}`);
          }
        }
        if (failedReporting?.has(id)) tally.count('reporting failures');
        if (failedReminder?.has(id)) tally.count('reminder failures');
      });

      // Reporting: each good event counted once, whatever the duplicates; poison never counted.
      const dates = new Set<string>();
      for (const record of records) {
        if (!record.event) continue;
        dates.add(record.event.asOf);
        if (record.kind === 'good' && !counted.has(record.event.id))
          counted.set(record.event.id, record.event);
      }
      for (const date of dates) {
        const report = await store.get(date as BusinessDate);
        const expected = countersOf([...counted.values()].filter((e) => e.asOf === date));
        const actual: Counters = {
          loansOverdue: report?.loansOverdue ?? 0,
          dueSoon: report?.dueSoon ?? 0,
          chargedOff: report?.chargedOff ?? 0,
          cured: report?.cured ?? 0,
          chargesApplied: nonZero(report?.chargesApplied ?? {}) as Record<string, number>,
          amountOverdue: nonZero(report?.amountOverdue ?? {}) as Record<string, number>,
          eventsByRun: nonZero(report?.eventsByRun ?? {}) as Record<string, number>,
        };
        if (canonicalJson(actual) !== canonicalJson(expected)) {
          check.violate(
            'miscounted',
            `report ${date}: ${JSON.stringify(actual).slice(0, 300)} ≠ ${JSON.stringify(expected).slice(0, 300)}`,
          );
        }
      }
      for (const record of records) {
        if (!record.event || record.kind === 'hostile') continue;
        const { Item: marker } = await clients.doc.send(
          new GetCommand({
            TableName: resources.tables.REPORTS_TABLE_NAME,
            Key: { asOf: eventMarkerKey(record.event.id) },
          }),
        );
        if (record.kind === 'poison' && marker)
          check.violate('poison-counted', `${record.event.id}`);
        if (record.kind !== 'poison' && !marker) {
          check.violate('not-counted', `no marker for ${record.event.id.slice(0, 100)}`);
        } else if (record.kind !== 'poison') tally.count('good records counted');
      }

      // Reminders: every reminder event handled gives its line, one item per borrower and date.
      records.forEach((record, i) => {
        const event = record.event;
        if (!event || !isReminderEvent(event)) return;
        if (record.kind === 'poison' && failedReminder?.has(ids[i] as string)) return;
        const { date, line } = decisions(event);
        const key = [event.borrowerId, date, event.loanId].join('\u0000');
        const known = lines.get(key);
        lines.set(key, {
          borrowerId: event.borrowerId,
          asOf: date,
          loanId: event.loanId,
          line: (known?.line ?? false) || line,
        });
      });
      for (const record of records) {
        const event = record.event;
        if (!event || !isReminderEvent(event)) continue;
        const { date } = decisions(event);
        const expected = lines.get([event.borrowerId, date, event.loanId].join('\u0000'));
        if (!expected) continue;
        const linesAt = async (partition: string) => {
          const { Item } = await clients.doc.send(
            new GetCommand({
              TableName: resources.tables.REMINDERS_TABLE_NAME,
              Key: { borrowerId: partition, asOf: expected.asOf },
              ConsistentRead: true,
            }),
          );
          return (Item?.lines ?? {}) as Record<string, unknown>;
        };
        const inReminder = Object.hasOwn(await linesAt(expected.borrowerId), expected.loanId);
        // Held back by the weekly cap: kept apart, under the borrower's held-lines partition.
        const held = Object.hasOwn(
          await linesAt(heldPartitionOf(expected.borrowerId)),
          expected.loanId,
        );
        const where = inReminder ? 'a line' : held ? 'a held line' : 'no line';
        if (inReminder && held) {
          check.violate(
            'wrong-reminder',
            `${expected.loanId.slice(0, 40)} ${expected.asOf}: both a line and a held one`,
          );
        } else if ((inReminder || held) !== expected.line) {
          check.violate(
            'wrong-reminder',
            `${expected.loanId.slice(0, 40)} ${expected.asOf}: ${where}, yet ${expected.line ? 'a line was due' : 'none was'}`,
          );
        } else {
          tally.count('reminder lines checked');
          if (expected.line) tally.count('reminder lines given');
        }
      }
      return check.done();
    },
  };
}

/** Loan ids of the consumers' loans, for generators. */
export { CONSUMER_LOAN_IDS };

/**
 * Event messages (docs/contract.md, Events): the one schema of the event envelope and of each type's data, used by
 * every consumer to parse an SQS message body (raw SNS delivery: the body is the envelope). It also
 * checks what the consumers' tables can store (docs/contract.md, Reports): an event the schema accepts never fails a
 * DynamoDB write for its size, key length, number range or nesting depth.
 */
import { z } from 'zod';
import { RISK_CLASSES } from '../contract/events';
import { MAX_ID_BYTES } from '../contract/tables';
import { parseBusinessDate } from './dates';
import { isBucket } from './delinquency';
import type { LoanEventDataByType, LoanEventType } from './events';
import type { Bucket, BusinessDate, EventEnvelope } from './types';
import { bounded, isRecord, utf8ByteLength } from './values';

/**
 * Longest event id, in UTF-8 bytes: a loan id's 2,048 bytes with its type and date fit with room.
 * Consumers key what they store by a digest of the id, never by the id itself.
 */
export const MAX_EVENT_ID_BYTES = 4096;

/** Longest loan id, in UTF-8 bytes: it is a partition key of the loans and reminders tables. */
export const MAX_LOAN_ID_BYTES = MAX_ID_BYTES;

/**
 * Deepest nesting of a `sweep.completed` summary (the data object is level 1). The report item
 * stores it under `summary`; DynamoDB allows 32 levels, and a summary needs 4 or 5.
 */
export const MAX_SUMMARY_DEPTH = 16;

/**
 * Largest `sweep.completed` summary, as JSON in UTF-8 bytes: SNS's message limit (256 KiB), so any
 * summary SNS could deliver is counted, and it still fits a 400 KB report item beside the counters.
 */
export const MAX_SUMMARY_BYTES = 256 * 1024;

/** Problems listed one by one in a reason; the rest are counted. */
const MAX_LISTED_ISSUES = 10;

/** Longest reason, in characters: it goes to the logs. */
const MAX_REASON_CHARS = 2000;

/** A loan event whose envelope and data have been validated. */
export type ParsedLoanEvent = {
  [K in LoanEventType]: EventEnvelope<LoanEventDataByType[K]> & {
    readonly type: K;
    readonly loanId: string;
    readonly borrowerId: string;
  };
}[LoanEventType];

/** A validated `sweep.completed` event; `data` is the run summary of docs/contract.md, Sweep. */
export type SweepCompletedEvent = EventEnvelope<Record<string, unknown>> & {
  readonly type: 'sweep.completed';
};

/** Any validated event. */
export type ParsedEvent = ParsedLoanEvent | SweepCompletedEvent;

/** The result of parsing a message body: the event, or a reason naming each problem. */
export type EventParseResult =
  | { readonly ok: true; readonly event: ParsedEvent }
  | { readonly ok: false; readonly reason: string };

const businessDate = z.custom<BusinessDate>((value) => parseBusinessDate(value) !== undefined, {
  error: 'must be a YYYY-MM-DD date',
});
const bucket = z.custom<Bucket>(isBucket, { error: 'must be a bucket M0–M7' });
const riskClass = z.enum(RISK_CLASSES, { error: `must be one of ${RISK_CLASSES.join(', ')}` });
// zod's int() accepts safe integers only (|n| ≤ 2^53 − 1), which DynamoDB and JSON keep exact.
const minorUnitsError = { error: 'must be a safe integer ≥ 0 (minor units)' };
const minorUnits = z.number(minorUnitsError).int(minorUnitsError).min(0, minorUnitsError);
const countError = { error: 'must be a safe integer ≥ 0' };
const count = z.number(countError).int(countError).min(0, countError);
const currency = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' });
const nonEmpty = z.string({ error: 'must be a non-empty string' }).min(1);

/** A non-empty string of at most `maxBytes` UTF-8 bytes (a DynamoDB key, or part of one). */
const keyString = (maxBytes: number) =>
  nonEmpty.refine((text) => utf8ByteLength(text) <= maxBytes, {
    error: `must be at most ${maxBytes} bytes in UTF-8 (a DynamoDB key)`,
  });

const header = {
  id: nonEmpty.refine((text) => utf8ByteLength(text) <= MAX_EVENT_ID_BYTES, {
    error: `must be at most ${MAX_EVENT_ID_BYTES} bytes in UTF-8`,
  }),
  schemaVersion: z.literal(1, { error: 'must be 1' }),
  asOf: businessDate,
  occurredAt: nonEmpty,
  runId: nonEmpty,
  bucket: bucket.optional(),
  dpd: count.optional(),
};
// The borrower id keys the borrower's reminders: it must fit a partition key too.
const loanHeader = {
  ...header,
  loanId: keyString(MAX_LOAN_ID_BYTES),
  borrowerId: keyString(MAX_ID_BYTES),
};

/** Smallest non-zero magnitude DynamoDB stores (its numbers range over 1E-130 … 9.99…E+125). */
const DYNAMODB_MIN_MAGNITUDE = 1e-130;

/**
 * Adds an issue for each thing in a summary a DynamoDB item cannot hold: nesting deeper than
 * {@link MAX_SUMMARY_DEPTH}, a number the document client would refuse (not a safe magnitude) or
 * DynamoDB would (below 1E-130), an empty map key, and a size over {@link MAX_SUMMARY_BYTES}.
 */
function checkStorable(data: unknown, context: z.RefinementCtx): void {
  if (!isRecord(data)) return; // reported by the type check
  const size = utf8ByteLength(JSON.stringify(data));
  if (size > MAX_SUMMARY_BYTES) {
    context.addIssue({
      code: 'custom',
      message: `is ${size} bytes as JSON, over ${MAX_SUMMARY_BYTES}`,
      path: [],
    });
    return;
  }
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: data, path: [] }];
  let tooDeep = false;
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof value === 'number') {
      const magnitude = Math.abs(value);
      if (
        !Number.isFinite(value) ||
        magnitude > Number.MAX_SAFE_INTEGER ||
        (magnitude !== 0 && magnitude < DYNAMODB_MIN_MAGNITUDE)
      ) {
        context.addIssue({
          code: 'custom',
          message: 'must be a number DynamoDB keeps exactly (|n| ≤ 2^53 − 1, 0 or ≥ 1E-130)',
          path,
        });
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    // The data object is level 1; each nested list or map one more.
    if (path.length + 1 > MAX_SUMMARY_DEPTH) {
      if (!tooDeep) {
        context.addIssue({
          code: 'custom',
          message: `nests deeper than ${MAX_SUMMARY_DEPTH} levels`,
          path,
        });
      }
      tooDeep = true;
      continue;
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, index): [number, unknown] => [index, item])
      : Object.entries(value);
    for (const [key, item] of entries) {
      if (key === '') {
        context.addIssue({ code: 'custom', message: 'has an empty key', path });
        continue;
      }
      stack.push({ value: item, path: [...path, key] });
    }
  }
}

const promiseDecided = z.object({
  promiseId: nonEmpty,
  until: businessDate,
  amount: minorUnits,
  paid: minorUnits,
  currency,
});

// Objects are not strict: a newer producer may add fields without breaking this consumer.
const envelope = z.discriminatedUnion(
  'type',
  [
    z.object({
      ...loanHeader,
      type: z.literal('loan.payment_due_soon'),
      data: z.object({
        installmentSeq: count,
        dueDate: businessDate,
        daysUntilDue: count,
        amountDue: minorUnits,
        currency,
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.overdue'),
      data: z.object({
        dpd: count.min(1, { error: 'must be ≥ 1' }),
        bucket,
        inGrace: z.boolean(),
        forbearance: z.boolean(),
        amountOverdue: minorUnits,
        currency,
        // Absent on events recorded before the episode rules: read as not known.
        riskClass: riskClass.optional(),
        delinquentSince: businessDate.optional(),
        creditHold: z.boolean().optional(),
        creditNoticeOn: businessDate.optional(),
        promisePending: z.boolean().optional(),
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.fee_applied'),
      data: z.object({
        lateFee: minorUnits,
        penaltyInterest: minorUnits,
        currency,
        capped: z.boolean(),
        entryIds: z.array(z.string()),
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.charges_reversed'),
      data: z.object({
        lateFeeReversed: minorUnits,
        penaltyReversed: minorUnits,
        currency,
        paymentIds: z.array(z.string()),
        entryIds: z.array(z.string()),
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.delinquency_changed'),
      data: z.object({ from: bucket, to: bucket, dpd: count }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.risk_class_changed'),
      data: z.object({ from: riskClass, to: riskClass, dpd: count }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.credit_hold'),
      data: z.object({ dpd: count, bucket, delinquentSince: businessDate }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.credit_released'),
      data: z.object({ dpd: count, delinquentSince: businessDate }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.credit_report_notice'),
      data: z.object({
        dpd: count,
        amountOverdue: minorUnits,
        currency,
        settlementDate: businessDate,
        delinquentSince: businessDate,
      }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.hardship_offer'),
      data: z.object({ offerId: nonEmpty, dpd: count, amountOverdue: minorUnits, currency }),
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.promise_kept'),
      data: promiseDecided,
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.promise_broken'),
      data: promiseDecided,
    }),
    z.object({
      ...loanHeader,
      type: z.literal('loan.charged_off'),
      data: z.object({
        dpd: count,
        principalOutstanding: minorUnits,
        chargesTotal: minorUnits,
        currency,
      }),
    }),
    z.object({
      ...header,
      type: z.literal('sweep.completed'),
      data: z
        .custom<Record<string, unknown>>(isRecord, { error: 'must be an object' })
        .superRefine(checkStorable),
    }),
  ],
  { error: 'type: not a known event type' },
);

function describe(issue: z.core.$ZodIssue): string {
  // Keys of a summary are untrusted: a path is shown only in part.
  const where = bounded(issue.path.map(String).join('.'), 200);
  return where.length > 0 ? `${where}: ${issue.message}` : issue.message;
}

/** The first issues one by one, the rest counted; bounded, since the reason is logged. */
function reasonOf(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map(describe);
  if (issues.length > MAX_LISTED_ISSUES) {
    listed.push(`… and ${issues.length - MAX_LISTED_ISSUES} more problems`);
  }
  return bounded(listed.join('; '), MAX_REASON_CHARS);
}

/**
 * Parses an SQS message body (raw SNS delivery: the body is the envelope, docs/contract.md, Events).
 * @returns the validated event, or a reason naming every problem (for logs and the DLQ).
 */
export function parseEventMessage(body: string): EventParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    // The parser's message quotes part of the body, which may hold personal data.
    return { ok: false, reason: `body is not JSON (${body.length} characters)` };
  }
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error.issues) };
  // zod has checked every field the types name; its inferred type only lacks `readonly`.
  return { ok: true, event: parsed.data as ParsedEvent };
}

/** A message whose body is no valid event, with the reason naming each problem. */
export interface MalformedMessage {
  readonly messageId: string;
  readonly reason: string;
}

/** An event with the id of the SQS message that brought it. */
export interface ReceivedEvent {
  readonly messageId: string;
  readonly event: ParsedEvent;
}

/**
 * Parses each record of an SQS batch ({@link parseEventMessage}), in order: the events by the
 * message that brought each, and the messages whose body is no valid event.
 */
export function parseEventBatch(
  records: readonly { readonly messageId: string; readonly body: string }[],
): { readonly events: ReceivedEvent[]; readonly malformed: MalformedMessage[] } {
  const events: ReceivedEvent[] = [];
  const malformed: MalformedMessage[] = [];
  for (const { messageId, body } of records) {
    const parsed = parseEventMessage(body);
    if (parsed.ok) events.push({ messageId, event: parsed.event });
    else malformed.push({ messageId, reason: parsed.reason });
  }
  return { events, malformed };
}

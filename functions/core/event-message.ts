/**
 * Event messages (SPEC §6): the one schema of the event envelope and of each type's data, used by
 * every consumer to parse an SQS message body (raw SNS delivery: the body is the envelope).
 */
import { z } from 'zod';
import { parseBusinessDate } from './dates';
import { isBucket } from './delinquency';
import type { LoanEventDataByType, LoanEventType } from './events';
import type { Bucket, BusinessDate, EventEnvelope } from './types';

/** A loan event whose envelope and data have been validated. */
export type ParsedLoanEvent = {
  [K in LoanEventType]: EventEnvelope<LoanEventDataByType[K]> & {
    readonly type: K;
    readonly loanId: string;
    readonly borrowerId: string;
  };
}[LoanEventType];

/** A validated `sweep.completed` event; `data` is the run summary of SPEC §5. */
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
const minorUnits = z
  .number({ error: 'must be an integer ≥ 0 (minor units)' })
  .int({ error: 'must be an integer ≥ 0 (minor units)' })
  .min(0, { error: 'must be an integer ≥ 0 (minor units)' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'must be a safe integer' });
const count = z.number({ error: 'must be an integer ≥ 0' }).int().min(0);
const currency = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' });
const nonEmpty = z.string({ error: 'must be a non-empty string' }).min(1);

const header = {
  id: nonEmpty,
  schemaVersion: z.literal(1, { error: 'must be 1' }),
  asOf: businessDate,
  occurredAt: nonEmpty,
  runId: nonEmpty,
  bucket: bucket.optional(),
  dpd: count.optional(),
};
const loanHeader = { ...header, loanId: nonEmpty, borrowerId: nonEmpty };

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
      type: z.literal('loan.delinquency_changed'),
      data: z.object({ from: bucket, to: bucket, dpd: count }),
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
      data: z.record(z.string(), z.unknown()),
    }),
  ],
  { error: 'type: not a known event type' },
);

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.map(String).join('.');
  return where.length > 0 ? `${where}: ${issue.message}` : issue.message;
}

/**
 * Parses an SQS message body (raw SNS delivery: the body is the envelope, SPEC §6).
 * @returns the validated event, or a reason naming every problem (for logs and the DLQ).
 */
export function parseEventMessage(body: string): EventParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `body is not JSON (${reason})` };
  }
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map(describe).join('; ') };
  }
  // zod has checked every field the types name; its inferred type only lacks `readonly`.
  return { ok: true, event: parsed.data as ParsedEvent };
}

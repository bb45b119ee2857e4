/**
 * The outbox as the loans table stores it. A loan item is paid for by the kilobyte, twice in a
 * transaction and once more in the due index that projects every attribute, so the compact JSON
 * of functions/core/outbox.ts is deflated against a preset dictionary of the events' own
 * vocabulary: a first night's seven events (about 1,000 bytes of JSON) take about 180 characters,
 * which keeps the item under the kilobyte (docs/performance.md, Writes per loan).
 *
 * The attribute stays a string (`z1:` and base64), so the stream filter, the console and every
 * tool read it as before; text without the prefix is the JSON stored before compression and is
 * read as it is. A stored outbox must stay readable for as long as it can be in the table or its
 * stream: the dictionary of `z1` never changes; another dictionary takes another prefix.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type DecodedOutbox, decodeOutbox, encodeOutbox } from '../core/outbox';
import type { EventEnvelope } from '../core/types';

const PREFIX = 'z1:';

/**
 * What the events of a write say again and again: the envelope's fields, each event type with its
 * data's keys in the order the sweep builds them, the common values. Deflate finds later text
 * cheaper, so the most frequent (overdue, fee applied) come last.
 */
const DICTIONARY_Z1 = Buffer.from(
  [
    '{"asOf":"2026-01-01","runId":"sweep-2026-01-01","at":"2026-01-01T16:00:00.000Z","borrowerId":"',
    '","bucket":"M0","dpd":0,"events":[',
    '["sweep.completed",{"asOf":"2026-01-01","runId":"sweep-2026-01-01","dryRun":false,"complete":true}]',
    '["loan.charged_off",{"dpd":0,"principalOutstanding":0,"chargesTotal":0,"currency":"CNY"}]',
    '["loan.promise_kept",{"promiseId":"","until":"2026-01-01","amount":0,"paid":0,"currency":"CNY"}]',
    '["loan.promise_broken",{"promiseId":"","until":"2026-01-01","amount":0,"paid":0,"currency":"CNY"}]',
    '["loan.credit_released",{"dpd":0,"delinquentSince":"2026-01-01"}]',
    '["loan.charges_reversed",{"lateFeeReversed":0,"penaltyReversed":0,"currency":"CNY","paymentIds":["P-"],"entryIds":["2026-01-01#PENALTY_REVERSAL","2026-01-01#LATE_FEE_REVERSAL"]}]',
    '["loan.hardship_offer",{"offerId":":hardship:2026-01-01","dpd":0,"amountOverdue":0,"currency":"CNY"}]',
    '["loan.credit_report_notice",{"dpd":0,"amountOverdue":0,"currency":"CNY","settlementDate":"2026-01-31","delinquentSince":"2026-01-01"}]',
    '["loan.credit_hold",{"dpd":0,"bucket":"M1","delinquentSince":"2026-01-01"}]',
    '["loan.risk_class_changed",{"from":"NORMAL","to":"SPECIAL_MENTION","dpd":0}]',
    '["loan.risk_class_changed",{"from":"SUBSTANDARD","to":"DOUBTFUL","dpd":0}]',
    '["loan.delinquency_changed",{"from":"M0","to":"M1","dpd":0}]',
    '["loan.payment_due_soon",{"installmentSeq":1,"dueDate":"2026-01-01","daysUntilDue":3,"amountDue":0,"currency":"CNY"}]',
    '["loan.fee_applied",{"lateFee":0,"penaltyInterest":0,"currency":"CNY","capped":false,"entryIds":["2026-01-01#LATE_FEE","2026-01-01#PENALTY_INTEREST"]}]',
    '["loan.overdue",{"dpd":0,"bucket":"M1","inGrace":false,"forbearance":false,"amountOverdue":0,"currency":"CNY","riskClass":"NORMAL","delinquentSince":"2026-01-01","creditHold":true,"creditNoticeOn":"2026-01-01","promisePending":false}]',
  ].join(','),
  'utf8',
);

/** A stored outbox is part of one item: it can never inflate past DynamoDB's 400 KB. */
const MAX_OUTBOX_BYTES = 400 * 1024;

/**
 * The stored text of one write's events (all of one loan, asOf and run; or a run's
 * `sweep.completed`).
 * @returns undefined when there are no events (the write removes the attribute).
 */
export function storedOutboxOf(events: readonly EventEnvelope[]): string | undefined {
  const json = encodeOutbox(events);
  if (json === undefined) return undefined;
  const packed = deflateRawSync(json, { level: 9, dictionary: DICTIONARY_Z1 });
  return `${PREFIX}${packed.toString('base64')}`;
}

/**
 * The events of an item's stored `outbox` attribute (compressed or the JSON of before), rebuilt
 * as full envelopes for the loan, or run record, of key `loanId`; or why it cannot be read.
 */
export function eventsOfStoredOutbox(value: unknown, loanId: string): DecodedOutbox {
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) return decodeOutbox(value, loanId);
  const packed = Buffer.from(value.slice(PREFIX.length), 'base64');
  let json: string;
  try {
    json = inflateRawSync(packed, {
      dictionary: DICTIONARY_Z1,
      maxOutputLength: MAX_OUTBOX_BYTES,
    }).toString('utf8');
  } catch {
    return { ok: false, reason: 'outbox: not a readable compressed outbox' };
  }
  return decodeOutbox(json, loanId);
}

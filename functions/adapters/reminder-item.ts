/**
 * Reminder items ⇄ borrower dates (docs/contract.md, Reminders): the codec of the reminders table
 * at the DynamoDB edge. A reminder item holds a borrower's reminder of one date: `lines` (loan id →
 * line), the derived `kind`, `locale`, `message`, `sendAfter`, `sendBefore`, `status`, whether the
 * date is at the weekly cap (`capped`), and a `revision` that conditional writes compare. The lines
 * the cap holds back live in a separate item per borrower and date, under a partition key derived
 * from the borrower id that no borrower's reminders use, so a reader of a borrower's reminders
 * never meets them. Pure apart from hashing.
 */
import { createHash } from 'node:crypto';
import type { DayState } from '../core/contact-calendar';
import { parseBusinessDate } from '../core/dates';
import { REMINDER_KINDS, type ReminderLine } from '../core/reminders';
import type { BusinessDate, Locale } from '../core/types';
import { bounded, isRecord } from '../core/values';
import type { ReminderText, StoredDay } from '../reminder/ports';

/** The status of a reminder the gateway has not sent; lines are added only while it has it. */
export const PENDING = 'PENDING';

/** The prefix of the partition key of held lines (a reminder's key is the borrower id itself). */
const HELD_PREFIX = '#held#';

/** The partition key of a borrower's held lines: a digest, so any valid borrower id fits. */
export function heldPartitionOf(borrowerId: string): string {
  return `${HELD_PREFIX}${createHash('sha256').update(borrowerId, 'utf8').digest('hex')}`;
}

/** A stored item could not be read back: it names the attribute (never a value). */
export class StoredReminderError extends Error {
  constructor(asOf: string, problem: string) {
    super(`reminder item of ${bounded(asOf, 20)}: ${problem}`);
    this.name = 'StoredReminderError';
  }
}

const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
const NUMBER_FIELDS = [
  'dpd',
  'amountOverdue',
  'installmentSeq',
  'daysUntilDue',
  'amountDue',
  'amount',
  'paid',
] as const;
const DATE_FIELDS = ['dueDate', 'settlementDate', 'noticeRaisedOn', 'until'] as const;
const TEXT_FIELDS = ['offerId', 'promiseId'] as const;

/** Canonical JSON (keys sorted) of a value made of plain objects, arrays, strings and numbers. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The lines as a DynamoDB map (loan id → line); `Object.fromEntries` keeps any id a plain key. */
export function encodeLines(lines: ReadonlyMap<string, ReminderLine>): Record<string, unknown> {
  return Object.fromEntries(lines);
}

/**
 * A deterministic revision of what a date holds (its lines and whether it is at the cap): the same
 * content always has the same revision, so an item is the same whatever order built it.
 */
export function revisionOf(lines: ReadonlyMap<string, ReminderLine>, capped: boolean): string {
  const sorted = [...lines.keys()].sort().map((loanId) => [loanId, lines.get(loanId)]);
  return createHash('sha256')
    .update(canonical({ capped, lines: sorted }), 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/**
 * A stored number as the document client hands it over: a JS number, or exact decimal text
 * (`NumberValue`) when the client reads numbers exactly; anything else is left for the check.
 */
function numberOf(value: unknown): unknown {
  if (isRecord(value) || (typeof value === 'object' && value !== null && 'value' in value)) {
    const text = (value as { value?: unknown }).value;
    return typeof text === 'string' && /^\d{1,16}$/.test(text) ? Number(text) : value;
  }
  return value;
}

function decodeLine(asOf: string, loanId: string, value: unknown): ReminderLine {
  const at = `lines[${bounded(loanId, 40)}]`;
  if (!isRecord(value)) throw new StoredReminderError(asOf, `${at}: not a map`);
  if (value.loanId !== loanId) throw new StoredReminderError(asOf, `${at}.loanId: not its key`);
  if (!(REMINDER_KINDS as readonly unknown[]).includes(value.kind)) {
    throw new StoredReminderError(asOf, `${at}.kind: not a reminder kind`);
  }
  if (typeof value.currency !== 'string' || !/^[A-Z]{3}$/.test(value.currency)) {
    throw new StoredReminderError(asOf, `${at}.currency: not an ISO 4217 code`);
  }
  if (!(LOCALES as readonly unknown[]).includes(value.locale)) {
    throw new StoredReminderError(asOf, `${at}.locale: not zh-CN or en`);
  }
  const line: Record<string, unknown> = {
    loanId,
    kind: value.kind,
    currency: value.currency,
    locale: value.locale,
  };
  for (const field of NUMBER_FIELDS) {
    const n = numberOf(value[field]);
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new StoredReminderError(asOf, `${at}.${field}: not a safe integer ≥ 0`);
    }
    line[field] = n;
  }
  for (const field of DATE_FIELDS) {
    const date = value[field];
    if (date === undefined) continue;
    if (!parseBusinessDate(date)) throw new StoredReminderError(asOf, `${at}.${field}: not a date`);
    line[field] = date;
  }
  for (const field of TEXT_FIELDS) {
    const text = value[field];
    if (text === undefined) continue;
    if (typeof text !== 'string' || text.length === 0) {
      throw new StoredReminderError(asOf, `${at}.${field}: not a non-empty string`);
    }
    line[field] = text;
  }
  return line as unknown as ReminderLine;
}

function decodeLines(asOf: string, value: unknown): Map<string, ReminderLine> {
  if (!isRecord(value)) throw new StoredReminderError(asOf, 'lines: not a map');
  return new Map(
    Object.entries(value).map(([loanId, line]) => [loanId, decodeLine(asOf, loanId, line)]),
  );
}

function dateOf(item: Record<string, unknown>): BusinessDate {
  const asOf = parseBusinessDate(item.asOf);
  if (!asOf) throw new StoredReminderError(String(item.asOf), 'asOf: not a date');
  return asOf;
}

/**
 * The attributes a reminder item is read with (its keys and what {@link decodeReminderItem}
 * reads): the rendered message and window are written, never read back.
 */
export const REMINDER_STATE_ATTRIBUTES: readonly string[] = [
  'borrowerId',
  'asOf',
  'lines',
  'capped',
  'status',
  'revision',
];

/** A reminder item as the service sees it: the date's reminder and its revision. */
export function decodeReminderItem(item: Record<string, unknown>): {
  readonly asOf: BusinessDate;
  readonly stored: StoredDay;
} {
  const asOf = dateOf(item);
  const lines = decodeLines(asOf, item.lines);
  if (typeof item.revision !== 'string') {
    throw new StoredReminderError(asOf, 'revision: missing');
  }
  return {
    asOf,
    stored: {
      state: {
        held: new Map(),
        // An item without lines is not a reminder (none is written); it counts as none.
        ...(lines.size > 0 && {
          reminder: { lines, capped: item.capped === true, pending: item.status === PENDING },
        }),
      },
      reminderRevision: item.revision,
    },
  };
}

/** A held-lines item: the lines the cap holds back on its date, and their revision. */
export function decodeHeldItem(item: Record<string, unknown>): {
  readonly asOf: BusinessDate;
  readonly held: ReadonlyMap<string, ReminderLine>;
  readonly revision: string;
} {
  const asOf = dateOf(item);
  if (typeof item.revision !== 'string') {
    throw new StoredReminderError(asOf, 'revision: missing');
  }
  return { asOf, held: decodeLines(asOf, item.lines), revision: item.revision };
}

/** The reminder item of a date's new state (which has a reminder), status pending. */
export function encodeReminderItem(
  borrowerId: string,
  asOf: BusinessDate,
  state: DayState,
  text: ReminderText,
): Record<string, unknown> {
  const reminder = state.reminder;
  if (!reminder) throw new RangeError('a reminder item needs a reminder');
  return {
    borrowerId,
    asOf,
    lines: encodeLines(reminder.lines),
    kind: text.kind,
    locale: text.locale,
    message: text.message,
    sendAfter: text.sendAfter,
    sendBefore: text.sendBefore,
    status: PENDING,
    capped: reminder.capped,
    revision: revisionOf(reminder.lines, reminder.capped),
  };
}

/** The held-lines item of a date's new state (which holds lines back). */
export function encodeHeldItem(
  borrowerId: string,
  asOf: BusinessDate,
  held: ReadonlyMap<string, ReminderLine>,
): Record<string, unknown> {
  return {
    borrowerId: heldPartitionOf(borrowerId),
    asOf,
    lines: encodeLines(held),
    revision: revisionOf(held, true),
  };
}

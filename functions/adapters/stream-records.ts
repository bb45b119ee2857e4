/**
 * Stream records of the loans table, read at the DynamoDB edge. A record arrives in DynamoDB's
 * typed JSON (`{"S": "…"}`, `{"N": "…"}`, `{"M": {…}}`, …) from Lambda's event source mapping, or
 * from the DynamoDB Streams API (binary as bytes) in the local stream pump; this module reads it
 * into what the stream publisher works with: the item's key, the events the write recorded (its
 * new outbox minus its old one), and the item's index keys. Pure and strict: each attribute is read
 * on its own, so an attribute of a type this reader does not know (or a malformed value) makes that
 * attribute unreadable, with a reason naming it, and never the whole record or its batch.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_ATTRIBUTE, SWEEP_SHARDS } from '../contract/tables';
import { parseBusinessDate } from '../core/dates';
import { parseDecimal } from '../core/rational';
import { bounded, isRecord, MAX_REASON_CHARS, quoted } from '../core/values';
import type {
  IndexKeyFault,
  LoanTableWrite,
  RecordedEvents,
  WrittenItem,
} from '../publisher/ports';
import { decodeLoanItem } from './item-codec';
import { eventsOfStoredOutbox } from './outbox-text';

/** Deepest nesting DynamoDB allows in an attribute value; deeper input is not an item's. */
const MAX_DEPTH = 32;

/** DynamoDB's number syntax (at most 38 digits of precision, but any length is read exactly). */
const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A problem with one attribute value; caught per attribute. */
class ValueProblem extends Error {}

/** An image read attribute by attribute. */
export interface ReadImage {
  /** The attributes as the exact-number document client reads them (numbers as NumberValue). */
  readonly item: Readonly<Record<string, unknown>>;
  /** The attributes that could not be read, each with the reason. */
  readonly unreadable: Readonly<Record<string, string>>;
}

function defineProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  // Never through assignment: a key such as `__proto__` would set the prototype.
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function numberOf(text: unknown): NumberValue {
  if (typeof text !== 'string' || !NUMBER_TEXT.test(text)) {
    throw new ValueProblem(`${quoted(text)} is not a DynamoDB number`);
  }
  return NumberValue.from(text);
}

function binaryOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  // Lambda's JSON carries binary as base64 text.
  if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    return new Uint8Array(Buffer.from(value, 'base64'));
  }
  throw new ValueProblem('binary value is neither bytes nor base64');
}

function listOf(value: unknown, type: string): unknown[] {
  if (!Array.isArray(value)) throw new ValueProblem(`${type} value is not a list`);
  return value;
}

/** One attribute value in DynamoDB JSON → its JS value; throws a ValueProblem. */
function decodeValue(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new ValueProblem(`nested deeper than ${MAX_DEPTH} levels`);
  if (!isRecord(value)) throw new ValueProblem('not a DynamoDB attribute value');
  const types = Object.keys(value);
  const [type] = types;
  if (type === undefined || types.length !== 1) {
    throw new ValueProblem(`not a DynamoDB attribute value (${types.length} type keys)`);
  }
  const content = value[type];
  switch (type) {
    case 'S':
      if (typeof content !== 'string') throw new ValueProblem('S value is not a string');
      return content;
    case 'N':
      return numberOf(content);
    case 'BOOL':
      if (typeof content !== 'boolean') throw new ValueProblem('BOOL value is not a boolean');
      return content;
    case 'NULL':
      if (content !== true) throw new ValueProblem('NULL value is not true');
      return null;
    case 'B':
      return binaryOf(content);
    case 'SS':
      return new Set(
        listOf(content, type).map((item) => {
          if (typeof item !== 'string') throw new ValueProblem('SS member is not a string');
          return item;
        }),
      );
    case 'NS':
      return new Set(listOf(content, type).map(numberOf));
    case 'BS':
      return new Set(listOf(content, type).map(binaryOf));
    case 'L':
      return listOf(content, type).map((item) => decodeValue(item, depth + 1));
    case 'M': {
      if (!isRecord(content)) throw new ValueProblem('M value is not a map');
      const map: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(content)) {
        defineProperty(map, key, decodeValue(item, depth + 1));
      }
      return map;
    }
    default:
      throw new ValueProblem(`unknown attribute type ${quoted(type)}`);
  }
}

/** One attribute as read: its value (undefined when absent), or why it cannot be read. */
type AttributeRead = { readonly value: unknown } | { readonly reason: string };

function readAttribute(value: unknown): AttributeRead {
  try {
    return { value: decodeValue(value, 1) };
  } catch (error) {
    const problem = error instanceof ValueProblem ? error.message : 'cannot be read';
    return { reason: bounded(problem, MAX_REASON_CHARS) };
  }
}

/**
 * Reads an image (or a record's keys) attribute by attribute, as the exact-number document client
 * would (numbers as NumberValue, sets as Sets, binary as bytes); undefined when it is no map.
 */
export function readImage(image: unknown): ReadImage | undefined {
  if (!isRecord(image)) return undefined;
  const item: Record<string, unknown> = {};
  const unreadable: Record<string, string> = {};
  for (const [name, value] of Object.entries(image)) {
    const read = readAttribute(value);
    if ('reason' in read) defineProperty(unreadable, name, read.reason);
    else defineProperty(item, name, read.value);
  }
  return { item, unreadable };
}

/**
 * An image whose attributes are read only when asked for, each once: the publisher needs a handful
 * of them on every write, and the whole item (its instalments) only when an index key is at fault.
 */
interface LazyImage {
  has(name: string): boolean;
  attribute(name: string): AttributeRead;
  /** Every attribute read. */
  whole(): ReadImage;
}

function lazyImage(image: unknown): LazyImage | undefined {
  if (!isRecord(image)) return undefined;
  const reads = new Map<string, AttributeRead>();
  const has = (name: string) => Object.hasOwn(image, name);
  return {
    has,
    attribute(name) {
      if (!has(name)) return { value: undefined };
      let read = reads.get(name);
      if (read === undefined) {
        read = readAttribute(image[name]);
        reads.set(name, read);
      }
      return read;
    },
    whole: () => readImage(image) as ReadImage,
  };
}

/** The item's key from the record's `Keys` (or, failing those, an image). */
function keyOf(
  keys: LazyImage | undefined,
  image: LazyImage | undefined,
): { readonly loanId: string } | { readonly reason: string } {
  const source = keys ?? image;
  if (source === undefined) return { reason: 'loanId: the record has no keys' };
  const read = source.attribute('loanId');
  if ('reason' in read) return { reason: `loanId: ${read.reason}` };
  const loanId = read.value;
  if (typeof loanId !== 'string' || loanId.length === 0) {
    return { reason: `loanId: ${loanId === undefined ? 'missing' : 'not a non-empty string'}` };
  }
  return { loanId };
}

/** The outbox as stored on an image: its text, absent, or why it cannot be read. */
function outboxOf(image: LazyImage | undefined): AttributeRead {
  const read = image?.attribute(OUTBOX_ATTRIBUTE) ?? { value: undefined };
  return 'reason' in read ? { reason: `${OUTBOX_ATTRIBUTE}: ${read.reason}` } : read;
}

function recordedEvents(
  loanId: string,
  before: LazyImage | undefined,
  after: LazyImage | undefined,
): RecordedEvents {
  const stored = outboxOf(after);
  if ('reason' in stored) return { ok: false, reason: stored.reason };
  const added = eventsOfStoredOutbox(stored.value, loanId);
  if (!added.ok) return { ok: false, reason: added.reason };
  if (added.events.length === 0) return added;
  // Events the old image already carried were published with the write that recorded them.
  const previous = outboxOf(before);
  const earlier = 'value' in previous ? eventsOfStoredOutbox(previous.value, loanId) : undefined;
  const seen = new Set(earlier?.ok ? earlier.events.map((event) => event.id) : []);
  return { ok: true, events: added.events.filter((event) => !seen.has(event.id)) };
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** What is wrong with `sweepShard` as the due index's partition key, if anything. */
function sweepShardFault(image: LazyImage): string | undefined {
  const read = image.attribute('sweepShard');
  if ('reason' in read) return `sweepShard: ${read.reason}`;
  const value = read.value;
  if (isAbsent(value)) return 'sweepShard: missing';
  if (!(value instanceof NumberValue)) return `sweepShard: ${quoted(value)} is not a number`;
  const exact = parseDecimal(value.value);
  const shown = quoted(value.value).replace(/^"|"$/g, '');
  if (exact === undefined || exact.denominator !== 1n)
    return `sweepShard: ${shown} is not an integer`;
  if (exact.numerator < 0n || exact.numerator >= BigInt(SWEEP_SHARDS)) {
    return `sweepShard: ${shown} is outside 0–${SWEEP_SHARDS - 1}`;
  }
  return undefined;
}

/** What is wrong with `nextDueDate` as the due index's sort key, if anything. */
function nextDueDateFault(image: LazyImage): string | undefined {
  const read = image.attribute('nextDueDate');
  if ('reason' in read) return `nextDueDate: ${read.reason}`;
  const value = read.value;
  if (isAbsent(value)) return 'nextDueDate: missing';
  if (parseBusinessDate(value) === undefined) {
    return `nextDueDate: ${quoted(value)} is not a YYYY-MM-DD date`;
  }
  return undefined;
}

function writtenItem(image: LazyImage): WrittenItem {
  const read = image.attribute('status');
  const status = 'value' in read ? read.value : undefined;
  const keyFaults: IndexKeyFault[] = [];
  const shard = sweepShardFault(image);
  if (shard !== undefined) keyFaults.push({ attribute: 'sweepShard', reason: shard });
  const due = nextDueDateFault(image);
  if (due !== undefined) keyFaults.push({ attribute: 'nextDueDate', reason: due });
  const base = typeof status === 'string' ? { status, keyFaults } : { keyFaults };
  if (keyFaults.length === 0 || status !== 'ACTIVE') return base;
  // Whether anything is unpaid is the loan's to say: read it with its index keys set aside.
  const whole = image.whole();
  const { nextDueDate: _due, ...rest } = whole.item;
  const [unreadable] = Object.keys(whole.unreadable).filter(
    (name) => name !== 'sweepShard' && name !== 'nextDueDate' && name !== OUTBOX_ATTRIBUTE,
  );
  const loan =
    unreadable === undefined
      ? decodeLoanItem({ ...rest, sweepShard: NumberValue.from('0') })
      : {
          ok: false as const,
          reason: bounded(`${unreadable}: ${whole.unreadable[unreadable]}`, MAX_REASON_CHARS),
        };
  return { ...base, loan };
}

/**
 * Reads one stream record of the loans table (as Lambda delivers it, or as the DynamoDB Streams
 * API returns it). Never throws: what cannot be read is said in the result.
 */
export function readLoanTableWrite(record: unknown): LoanTableWrite {
  const stream = isRecord(record) && isRecord(record.dynamodb) ? record.dynamodb : {};
  const sequenceNumber =
    typeof stream.SequenceNumber === 'string' ? stream.SequenceNumber : undefined;
  const after = lazyImage(stream.NewImage);
  const before = lazyImage(stream.OldImage);
  const key = keyOf(lazyImage(stream.Keys), after ?? before);
  const base = sequenceNumber === undefined ? {} : { sequenceNumber };
  const written = after === undefined ? {} : { written: writtenItem(after) };
  if ('reason' in key) {
    // Without the key, recorded events cannot be rebuilt (their ids derive from it).
    const carriesEvents = after?.has(OUTBOX_ATTRIBUTE) === true;
    return {
      ...base,
      recorded: carriesEvents ? { ok: false, reason: key.reason } : { ok: true, events: [] },
      ...written,
    };
  }
  return {
    ...base,
    loanId: key.loanId,
    recorded: recordedEvents(key.loanId, before, after),
    ...written,
  };
}

/** Small checks on untrusted values (items, payloads, messages), shared by every parser. */

/**
 * A stored number that a JS number cannot hold exactly — a decimal rate such as `0.0003`, or an
 * integer beyond 2^53 − 1 — kept as its decimal text. The item codecs at the storage edge make
 * these, so parsers in the core see plain values: strings, booleans, JS numbers, lists, maps and
 * exact numbers, never a storage client's shapes.
 */
export class ExactNumber {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    Object.freeze(this);
  }
}

/**
 * True for a plain object, as JSON and the item codecs give a map: not null, not an array, and no
 * class instance — an {@link ExactNumber}, a Set (a string or number set) or a Uint8Array (binary)
 * is no map, whatever keys it has.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const THROTTLING = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests/;

/**
 * A short reason for an error that survived the SDK's retries: `throttled: …` or `error: …`, its
 * name and at most `limit` characters of its message (SDK messages can quote request data).
 */
export function describeError(error: unknown, limit = 120): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const kind = THROTTLING.test(`${name} ${message}`) ? 'throttled' : 'error';
  return `${kind}: ${name}: ${bounded(message, limit)}`;
}

/** Longest reason a skipped loan is reported with, in characters (docs/contract.md, Summary). */
export const MAX_REASON_CHARS = 200;

/** Longest text (in characters, as it would be shown) that a message quotes whole. */
export const MAX_QUOTED_CHARS = 40;

/** How a value may be shown. */
export interface QuoteOptions {
  /**
   * The value may be personal data (docs/contract.md, Summary: `borrowerId`): only its kind is shown, never its
   * content or size.
   */
  readonly personal?: boolean;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * An untrusted value as an error message, skip reason or log line may show it (docs/contract.md, Summary): a short
 * string (JSON-quoted, at most {@link MAX_QUOTED_CHARS} characters inside the quotes), a short
 * number, a boolean or null as itself; anything else — a long string or number, a list, a map —
 * by its kind and size only, so a message never echoes a long or nested value, nor the attributes a
 * map may hide. With `personal`, only the kind.
 */
export function quoted(value: unknown, options: QuoteOptions = {}): string {
  const personal = options.personal === true;
  switch (typeof value) {
    case 'string': {
      if (personal) return 'a string';
      const text = JSON.stringify(value);
      return text.length <= MAX_QUOTED_CHARS + 2
        ? text
        : `a string of ${plural(value.length, 'character')}`;
    }
    case 'number':
    case 'bigint': {
      if (personal) return 'a number';
      const text = String(value);
      return text.length <= MAX_QUOTED_CHARS ? text : `a number of ${text.length} characters`;
    }
    case 'boolean':
      return personal ? 'a boolean' : String(value);
    case 'undefined':
      return 'nothing';
    case 'object':
      if (value === null) return 'null';
      if (personal) return Array.isArray(value) ? 'a list' : 'a map';
      if (Array.isArray(value)) return `a list of ${plural(value.length, 'item')}`;
      return `a map of ${plural(Object.keys(value).length, 'entry', 'entries')}`;
    default:
      return `a ${typeof value}`;
  }
}

/**
 * `text` cut to at most `max` characters (UTF-16 code units), ending in `…` when it was cut; a
 * surrogate pair is never split.
 */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Bytes of `text` in UTF-8, as DynamoDB measures key and attribute sizes (a lone surrogate counts
 * as the 3 bytes of the replacement character it would be sent as).
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * `build` remembered by key: each key built once, and every entry forgotten once `limit` keys are
 * held, so keys that come from data (currency codes, zones, dates) cannot grow it without bound.
 * For values that are a pure function of their key and costly to build (Intl formats).
 */
export function boundedMemo<K extends string, V>(
  limit: number,
  build: (key: K) => V,
): (key: K) => V {
  const built = new Map<K, V>();
  return (key) => {
    let value = built.get(key);
    if (value === undefined) {
      value = build(key);
      if (built.size >= limit) built.clear();
      built.set(key, value);
    }
    return value;
  };
}

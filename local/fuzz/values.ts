/**
 * Building blocks of the fuzz suite (issue 14): how large the hostile inputs may grow, hostile JSON
 * values (strange unicode, huge strings and lists, deep nesting, odd keys), personal-looking values
 * and timestamps of every kind. Everything here is plain fast-check; the properties that use it
 * live in `checks.ts`.
 */
import fc from 'fast-check';

/** How large generated inputs may grow: small for `npm test`, large for `npm run fuzz`. */
export interface FuzzScale {
  /** Longest "huge" string, in characters. */
  readonly hugeChars: number;
  /** Longest hostile list (a list of loan ids crosses the 1,000 limit at this scale too). */
  readonly longList: number;
  /** Deepest nesting of junk values. */
  readonly depth: number;
  /** Most loan items in one sweep of the malformed-items property. */
  readonly maxItems: number;
  /** Most instalments of a generated loan item. */
  readonly maxInstalments: number;
}

/** Sizes for `npm test`: every kind of input, bounded so the suite stays fast. */
export const TEST_SCALE: FuzzScale = {
  hugeChars: 5_000,
  longList: 1_100,
  depth: 40,
  maxItems: 10,
  maxInstalments: 4,
};

/** Sizes for `npm run fuzz`: strings of hundreds of KB, lists of thousands, 150 loans a run. */
export const LARGE_SCALE: FuzzScale = {
  hugeChars: 300_000,
  longList: 5_000,
  depth: 200,
  maxItems: 150,
  maxInstalments: 40,
};

/** A value as Lambda delivers a payload: what survives JSON (no undefined, NaN or functions). */
export function asJson<T>(value: T): T {
  const text = JSON.stringify(value);
  return (text === undefined ? null : JSON.parse(text)) as T;
}

/** Characters that break naive code: controls, BOM, bidi overrides, zero-width, lone surrogates. */
const ODD_CHARACTERS = [
  '\u0000',
  '\u0007',
  '\n',
  '\r\n',
  '\t',
  '\uFEFF',
  '\u202E',
  '\u200B',
  '\u200D',
  '\u2028',
  '\uD800',
  '\uDFFF',
  '\uFFFD',
  '\uFFFF',
  '𝕏',
  '👩‍👩‍👧',
  'é',
  'e\u0301',
  '字',
  'ﷺ',
  '١',
  '１',
  '"',
  '\\',
  '%s',
  '\u0024{x}', // a template placeholder
  '<script>',
  "'; DROP TABLE loans; --",
];

/** A string of odd characters mixed with ordinary ones. */
export const oddString = (): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(fc.constantFrom(...ODD_CHARACTERS), fc.string({ unit: 'binary', maxLength: 4 })),
      {
        minLength: 1,
        maxLength: 12,
      },
    )
    .map((parts) => parts.join(''));

/** A string of 1,000 up to `scale.hugeChars` characters (ASCII, CJK or a lone surrogate repeated). */
export const hugeString = (scale: FuzzScale): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: Math.min(1_000, scale.hugeChars), max: scale.hugeChars }),
      fc.constantFrom('x', '字', '\uD800', 'ab\u0000', '👩‍👩‍👧'),
    )
    .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** Keys an attacker would try: prototype names, empty, odd characters, long ones. */
export const oddKey = (scale: FuzzScale): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'part', 'asOf'),
    oddString(),
    {
      weight: 1,
      arbitrary: hugeString({ ...scale, hugeChars: Math.min(scale.hugeChars, 70_000) }),
    },
  );

/** Numbers JSON can carry that code gets wrong: -0, huge, tiny, unsafe, fractional. */
export const oddNumber = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(
      0,
      -0,
      -1,
      1.5,
      2 ** 53,
      -(2 ** 53),
      Number.MAX_SAFE_INTEGER,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      1e-131,
      1e126,
      20261128,
      1796140800000,
    ),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );

/** Nested lists or maps `depth` levels deep around a scalar. */
export const deepValue = (scale: FuzzScale): fc.Arbitrary<unknown> =>
  fc
    .tuple(fc.integer({ min: 2, max: scale.depth }), fc.boolean(), fc.jsonValue({ maxDepth: 0 }))
    .map(([depth, lists, leaf]) => {
      let value: unknown = leaf;
      for (let i = 0; i < depth; i++) value = lists ? [value] : { a: value };
      return value;
    });

/** A long list of one repeated scalar (cheap to build at any length). */
export const longList = (scale: FuzzScale): fc.Arbitrary<unknown[]> =>
  fc
    .tuple(fc.integer({ min: 0, max: scale.longList }), fc.jsonValue({ maxDepth: 0 }))
    .map(([length, item]) => Array.from({ length }, () => item));

/** Any hostile JSON value: scalars of every type, odd and huge strings, lists, maps, nesting. */
export const junk = (scale: FuzzScale): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 2, arbitrary: oddString() },
    { weight: 2, arbitrary: oddNumber() },
    fc.constantFrom(null, true, false, '', [], {}),
    hugeString(scale),
    longList(scale),
    deepValue(scale),
    fc.dictionary(oddKey(scale), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 5 }),
  );

const SURNAMES = ['张', '王', '李', '赵', '陈', 'Smith', 'García', 'Nguyễn'];
const GIVEN = ['伟', '秀英', '娜', '强', 'Anna', 'José', 'Minh'];

/**
 * A value that is personal data: a name with a mobile number, an e-mail address or an identity
 * number. Each is long and random enough never to appear in output by chance.
 */
export const personalValue = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...SURNAMES),
        fc.constantFrom(...GIVEN),
        fc.integer({ min: 130_000_000, max: 199_999_999 }),
        fc.integer({ min: 10, max: 99 }),
      )
      .map(([surname, given, mobile, tail]) => `${surname}${given} ${mobile}${tail}`),
    fc
      .tuple(fc.constantFrom(...GIVEN), fc.integer({ min: 100_000, max: 999_999 }))
      .map(([given, n]) => `${given.toLowerCase()}.${n}@mail.example`),
    fc
      .tuple(
        fc.integer({ min: 110_000, max: 659_999 }),
        fc.integer({ min: 10_000_000, max: 99_999_999 }),
      )
      .map(([region, n]) => `${region}1990${n}X`),
  );

// ---------------------------------------------------------------------------------------------
// Timestamps

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `instant` written as an ISO-8601 instant with the given UTC offset (minutes) and fraction digits. */
export function isoInstant(instant: Date, offsetMinutes: number, fractionDigits: number): string {
  const local = new Date(instant.getTime() + offsetMinutes * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const millis = pad(local.getUTCMilliseconds(), 3);
  const fraction =
    fractionDigits === 0 ? '' : `.${millis.padEnd(fractionDigits, '0').slice(0, fractionDigits)}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const zone = offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${date}T${time}${fraction}${zone}`;
}

/** An instant between `from` and `to` (inclusive), written in a strict ISO-8601 form. */
export const strictInstant = (from: Date, to: Date): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: from.getTime(), max: to.getTime() }),
      fc.constantFrom(0, 0, 0, 480, -300, 330, 840, -720, 345),
      fc.constantFrom(0, 0, 1, 3, 6, 9),
    )
    .map(([ms, offset, digits]) => isoInstant(new Date(ms), offset, digits));

/** Texts that `new Date()` would read as a time but that are not strict ISO-8601 instants. */
const LENIENT_TIMES = [
  '1',
  '2026',
  '2026-11-28',
  '2026-11-28T01:00',
  '2026-11-28T01:00:00',
  '2026-11-28 01:00:00Z',
  '2026-11-28t01:00:00z',
  '2026-11-28T01:00:00+0800',
  '2026-11-28T01:00:00+08',
  '2026-11-28T1:00:00Z',
  '2026-11-28T01:00:00.Z',
  '2026-11-28T01:00:00.1234567890Z',
  '+002026-11-28T01:00:00Z',
  ' 2026-11-28T01:00:00Z',
  '2026-11-28T01:00:00Z ',
  'Sat Nov 28 2026 09:00:00 GMT+0800',
  'Sat, 28 Nov 2026 01:00:00 GMT',
  '2026-W48-6T01:00:00Z',
  '2026-332T01:00:00Z',
  '２０２６-11-28T01:00:00Z',
  '2026-11-28T01:00:00Z\u0000',
  '2026-02-30T00:00:00Z',
  '2025-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-00-10T00:00:00Z',
  '2026-11-31T00:00:00Z',
  '2026-11-00T00:00:00Z',
  '2026-11-28T24:00:00Z',
  '2026-11-28T23:60:00Z',
  '2026-11-27T23:59:60Z',
  '2026-11-28T01:00:00+24:00',
  '2026-11-28T01:00:00-00:60',
];

/** Strings shaped like instants with random digits: many impossible, some real. */
export const patternedInstant = (): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom('', '.5', '.123456789', '.1234567890'),
      fc.constantFrom('Z', '+08:00', '-24:00', '+23:59', '+05:60', ''),
    )
    .map(
      ([y, mo, d, h, mi, s, fraction, zone]) =>
        `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction}${zone}`,
    );

/**
 * Any value in a time field: strict instants in the past, within the 5-minute skew and in the
 * future, lenient and impossible texts, patterned strings, and junk of every type.
 */
export const anyTime = (now: Date, scale: FuzzScale): fc.Arbitrary<unknown> => {
  const minute = 60_000;
  const year = 365 * 24 * 60 * minute;
  return fc.oneof(
    { weight: 4, arbitrary: strictInstant(new Date(now.getTime() - 3 * year), now) },
    { weight: 2, arbitrary: strictInstant(now, new Date(now.getTime() + 4 * minute)) },
    {
      weight: 2,
      arbitrary: strictInstant(
        new Date(now.getTime() + 5 * minute + 1_000),
        new Date(now.getTime() + 30 * year),
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...LENIENT_TIMES) },
    { weight: 2, arbitrary: patternedInstant() },
    { weight: 2, arbitrary: junk(scale) },
  );
};

/** Any value in a business-date field: real dates (past, today, future), impossible and lenient ones, junk. */
export const anyDate = (scale: FuzzScale): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2026-11-28T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString().slice(0, 10)),
    },
    {
      weight: 2,
      arbitrary: fc
        .date({
          min: new Date('2026-11-29T00:00:00Z'),
          max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString().slice(0, 10)),
    },
    fc.constantFrom(
      '0000-01-01',
      '9999-12-31',
      '2026-02-30',
      '2026-13-01',
      '2026-1-1',
      '20261128',
      '2026-11-28T00:00:00Z',
      '2026/11/28',
      ' 2026-11-28',
      '２０２６-11-28',
      'today',
    ),
    fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      )
      .map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`),
    junk(scale),
  );

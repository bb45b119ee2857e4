/**
 * Sweep inputs for the fuzz suite (docs/contract.md, Inputs): operator payloads, scheduled and rule events, shard
 * parts and stray payloads, valid-looking and hostile, each with what the contract expects of it.
 *
 * Operator, scheduled and rule payloads are judged by `expectRequest`, a second, independent
 * reading of docs/contract.md, Inputs (strict ISO-8601 instants naming real dates, nothing later than today for a
 * non-dry run, the 5-minute skew, loan-id limits), so the fuzz can tell a wrongly accepted input
 * from a rightly rejected one. Parts are built from a valid part and a list of corruptions, each
 * known to make it invalid and naming the field a message must name.
 */
import fc from 'fast-check';
import type { BusinessDate } from '../../functions/core/types';
import { runIdOf } from '../../functions/sweep/job';
import { emptyTotals } from '../../functions/sweep/summary';
import {
  anyDate,
  anyTime,
  type FuzzScale,
  hugeString,
  junk,
  oddKey,
  oddString,
  personalValue,
} from './values';

/** What the contract expects of an input. */
export type Expected =
  | { readonly accept: true; readonly asOf: string; readonly dryRun: boolean }
  | {
      readonly accept: false;
      /** Each problem's names: the message must contain at least one name of every problem. */
      readonly names: readonly (readonly string[])[];
    };

/** Which input path a payload takes. */
export type RequestKind =
  | 'operator'
  | 'scheduled'
  | 'rule'
  | 'part'
  | 'plan'
  | 'resume'
  | 'finish'
  | 'forged'
  | 'other';

/** One generated input and its expectation. */
export interface RequestCase {
  readonly kind: RequestKind;
  readonly payload: unknown;
  readonly expected: Expected;
}

/** The clock and zone the oracle judges in (the harness's fixed clock, Asia/Shanghai). */
export interface OracleContext {
  readonly now: Date;
}

/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991; older instants are long past. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const SKEW_MS = 5 * 60_000;
const MAX_LOAN_IDS = 1000;
const MAX_ID_CHARS = 1024;
const MAX_ID_BYTES = 2048;

const hasOwn = (value: object, key: string) => Object.hasOwn(value, key);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The business date (Asia/Shanghai) of an instant, `YYYY-MM-DD`. */
export function shanghaiDate(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A strict `YYYY-MM-DD` naming a real date, or undefined. */
export function oracleDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return value;
}

/** A strict ISO-8601 instant (`YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`, real date), or undefined. */
export function oracleInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match =
    /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(
      value,
    );
  if (!match) return undefined;
  const [, date, hh, mm, ss, fraction, sign, oh, om] = match;
  if (!oracleDate(date)) return undefined;
  const [hour, minute, second] = [Number(hh), Number(mm), Number(ss)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetHours = Number(oh ?? 0);
  const offsetMinutes = Number(om ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const [year, month, day] = (date as string).split('-').map(Number) as [number, number, number];
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Number((fraction ?? '').padEnd(3, '0').slice(0, 3)));
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(utc.getTime() - offset);
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** True when `id` is a loan id the contract accepts (non-empty, ≤ 1,024 chars, ≤ 2,048 bytes). */
export function isValidLoanId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= MAX_ID_CHARS &&
    byteLength(id) <= MAX_ID_BYTES
  );
}

function loanIdsValid(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LOAN_IDS) return false;
  return value.every(isValidLoanId) && new Set(value).size === value.length;
}

/** The problem with a scheduled or rule time, or undefined when the time is acceptable. */
function timeProblem(value: unknown, context: OracleContext): boolean {
  const instant = oracleInstant(value);
  if (!instant) return true;
  if (instant.getTime() - context.now.getTime() > SKEW_MS) return true;
  return shanghaiDate(instant) > shanghaiDate(context.now);
}

const EVENTBRIDGE_FIELDS = new Set([
  'version',
  'id',
  'detail-type',
  'source',
  'account',
  'time',
  'region',
  'resources',
  'detail',
  'replay-name',
]);
const UNKNOWN = ['unknown field', 'Unrecognized key'];

/**
 * What docs/contract.md, Inputs expects of a whole-run payload (operator, scheduled, rule) or a stray one, judged
 * independently of the code under test. Parts are judged by their corruptions (`partCase`).
 */
export function expectRequest(payload: unknown, context: OracleContext): Expected {
  const today = shanghaiDate(context.now);
  if (payload === null || payload === undefined)
    return { accept: true, asOf: today, dryRun: false };
  if (!isPlainObject(payload)) return { accept: false, names: [['payload']] };
  if (hasOwn(payload, 'part')) return { accept: false, names: [['part']] };
  const names: string[][] = [];
  const timed = hasOwn(payload, 'scheduledTime')
    ? 'scheduledTime'
    : hasOwn(payload, 'detail-type')
      ? 'time'
      : undefined;
  if (timed) {
    const allowed = timed === 'scheduledTime' ? new Set(['scheduledTime']) : EVENTBRIDGE_FIELDS;
    if (Object.keys(payload).some((key) => !allowed.has(key))) names.push(UNKNOWN);
    if (timeProblem(payload[timed], context)) names.push([timed]);
    if (names.length > 0) return { accept: false, names };
    return {
      accept: true,
      asOf: shanghaiDate(oracleInstant(payload[timed]) as Date),
      dryRun: false,
    };
  }
  const allowed = new Set(['asOf', 'dryRun', 'loanIds']);
  if (Object.keys(payload).some((key) => !allowed.has(key))) names.push(UNKNOWN);
  const asOf = hasOwn(payload, 'asOf') ? oracleDate(payload.asOf) : today;
  if (asOf === undefined) names.push(['asOf']);
  const dryRun = payload.dryRun === true;
  if (hasOwn(payload, 'dryRun') && typeof payload.dryRun !== 'boolean') names.push(['dryRun']);
  if (asOf !== undefined && asOf > today && !dryRun) names.push(['asOf']);
  if (hasOwn(payload, 'loanIds') && !loanIdsValid(payload.loanIds)) names.push(['loanIds']);
  if (names.length > 0 || asOf === undefined) return { accept: false, names };
  return { accept: true, asOf, dryRun };
}

// ---------------------------------------------------------------------------------------------
// Whole-run payloads

/** Loan ids an operator might name: the harness's loans, unknown ids, odd but valid ids, bad ones. */
const loanIdValue = (scale: FuzzScale, known: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `X-${s}`) },
    { weight: 2, arbitrary: oddString() },
    fc.constantFrom(
      '',
      'x'.repeat(1024),
      'x'.repeat(1025),
      '字'.repeat(683),
      '字'.repeat(700),
      '\uD800',
    ),
    personalValue(),
    junk(scale),
  );

const loanIdsValue = (scale: FuzzScale, known: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(loanIdValue(scale, known), { minLength: 1, maxLength: 6 }) },
    {
      weight: 2,
      arbitrary: fc.uniqueArray(fc.constantFrom(...known), {
        minLength: 1,
        maxLength: known.length,
      }),
    },
    fc
      .integer({ min: 990, max: Math.max(1_010, scale.longList) })
      .map((n) => Array.from({ length: n }, (_, i) => `N-${i}`)),
    fc.constantFrom([], ['X-1', 'X-1'], [known[0], known[0]]),
    junk(scale),
  );

/** Unknown fields an attacker or a typo adds. */
const extraFields = (scale: FuzzScale) =>
  fc.dictionary(oddKey(scale), junk(scale), { minKeys: 1, maxKeys: 3 });

/** Operator payloads: each field absent, valid or hostile, sometimes with unknown fields. */
export const operatorPayload = (
  scale: FuzzScale,
  known: readonly string[],
): fc.Arbitrary<unknown> =>
  fc
    .record(
      {
        asOf: anyDate(scale),
        dryRun: fc.oneof({ weight: 5, arbitrary: fc.boolean() }, junk(scale)),
        loanIds: loanIdsValue(scale, known),
        extra: fc.option(extraFields(scale), { freq: 5 }),
      },
      { requiredKeys: [] },
    )
    .map(({ extra, ...fields }) => ({ ...(extra ?? {}), ...fields }));

/** EventBridge Scheduler's `{scheduledTime}`, sometimes without it or with more fields. */
export const scheduledPayload = (now: Date, scale: FuzzScale): fc.Arbitrary<unknown> =>
  fc
    .tuple(anyTime(now, scale), fc.option(extraFields(scale), { freq: 5 }))
    .map(([time, extra]) => ({ ...(extra ?? {}), scheduledTime: time }));

/** An EventBridge rule event (`detail-type`, `time`, …), its time of every kind, sometimes junk fields. */
export const rulePayload = (now: Date, scale: FuzzScale): fc.Arbitrary<unknown> =>
  fc
    .record(
      {
        time: anyTime(now, scale),
        version: fc.constant('0'),
        id: fc.uuid(),
        source: fc.constantFrom('aws.events', 'ops.manual'),
        account: fc.constant('000000000000'),
        region: fc.constant('ap-east-1'),
        resources: fc.constant([]),
        detail: fc.oneof(fc.constant({}), junk(scale)),
        extra: fc.option(extraFields(scale), { freq: 6 }),
      },
      { requiredKeys: ['id'] },
    )
    .map(({ extra, ...fields }) => ({
      ...(extra ?? {}),
      'detail-type': 'Scheduled Event',
      ...fields,
    }));

/** Payloads that are no sweep input at all: scalars, lists, empty objects, nested junk. */
export const strayPayload = (scale: FuzzScale): fc.Arbitrary<unknown> =>
  fc.oneof(junk(scale), fc.constantFrom(null, {}, [], '', 0, 'sweep', [{ asOf: '2026-11-28' }]));

// ---------------------------------------------------------------------------------------------
// Shard parts

type Part = Record<string, unknown>;

/** One way to make a valid part invalid, and the names a message must use for it. */
interface Corruption {
  readonly names: readonly string[];
  /** Only named when it is the part's only problem (the shape is checked first). */
  readonly deferred?: boolean;
  /** Changes the payload beside the part, not the part. */
  readonly outside?: boolean;
  /** Applies the corruption; false when it cannot (the part is no longer an object). */
  readonly apply: (event: Event) => boolean;
}

type Event = { part: unknown } & Record<string, unknown>;

/** Runs `change` on the part when it is still an object. */
const onPart =
  (change: (part: Part) => void) =>
  (event: Event): boolean => {
    if (!isPlainObject(event.part)) return false;
    change(event.part);
    return true;
  };

const RUN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const validTotals = fc
  .record({
    loansExamined: fc.nat(1_000),
    loansCharged: fc.nat(1_000),
    chargedOff: fc.nat(10),
    lateFees: fc.nat(1_000_000),
    skipped: fc.array(
      fc.record({ loanId: fc.string({ maxLength: 30 }), reason: fc.string({ maxLength: 60 }) }),
      { maxLength: 3 },
    ),
  })
  .map(({ loansExamined, loansCharged, chargedOff, lateFees, skipped }) => {
    // What one run's counting can produce: no more charged or charged off than examined, at
    // least a minor unit per loan charged, and (in a real run) its event with each charge.
    const charged = Math.min(loansCharged, loansExamined);
    return {
      ...emptyTotals(),
      loansExamined,
      loansOverdue: loansExamined,
      loansCharged: charged,
      chargedOff: Math.min(chargedOff, loansExamined),
      charges: charged > 0 ? { CNY: { lateFees: charged + lateFees, penaltyInterest: 0 } } : {},
      eventsRecorded: charged,
      skipped: { count: skipped.length, loans: skipped },
    };
  });

/** `totals` as a dry run would carry them: it records no event. */
const dryTotals = (totals: unknown): unknown =>
  isPlainObject(totals) ? { ...totals, eventsRecorded: 0 } : totals;

/** A change that sets `field` to `value`. */
const assign =
  (field: string, value: unknown) =>
  (part: Part): void => {
    part[field] = value;
  };

/** Sets `key` as an own field, even `__proto__`, as JSON.parse would. */
function defineField(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    configurable: true,
    writable: true,
  });
}

const corruptions = (scale: FuzzScale, today: string): fc.Arbitrary<Corruption> =>
  fc.oneof(
    junk(scale)
      .filter((v) => typeof v !== 'string' || !RUN_ID.test(v))
      .map((v) => ({ names: ['runId'], apply: onPart(assign('runId', v)) })),
    // Well formed, but not the run id the part's date and dry-run flag determine (issue 24):
    // checked once the part's shape is, so named only when nothing else is wrong (deferred).
    // A suffix no run id of any date or flag has.
    fc.constantFrom('-0', '-x').map((suffix) => ({
      names: ['runId'],
      deferred: true,
      apply: (e: Event) => {
        if (!isPlainObject(e.part)) return false;
        e.part.runId = `${String(e.part.runId)}${suffix}`;
        return true;
      },
    })),
    // Figures of the right types that one run's counting cannot produce together (deferred too).
    fc.constantFrom(...impossibleTotals.slice(0, 3)).map(([patch]) => ({
      names: ['totals'],
      deferred: true,
      apply: (e: Event) => {
        if (!isPlainObject(e.part)) return false;
        const base = isPlainObject(e.part.totals) ? e.part.totals : emptyTotals();
        e.part.totals = JSON.parse(JSON.stringify({ ...base, ...patch }));
        return true;
      },
    })),
    anyDate(scale)
      .filter((v) => oracleDate(v) === undefined)
      .map((v) => ({ names: ['asOf'], apply: onPart(assign('asOf', v)) })),
    junk(scale)
      .filter((v) => typeof v !== 'boolean')
      .map((v) => ({ names: ['dryRun'], apply: onPart(assign('dryRun', v)) })),
    junk(scale)
      .filter((v) => !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 15))
      .map((v) => ({
        names: ['shard'],
        apply: onPart((part) => {
          delete part.loanIds;
          part.shard = v;
        }),
      })),
    fc
      .oneof(
        junk(scale).filter((v) => !isPlainObject(v)),
        fc.constantFrom(
          { nextDueDate: '2026-11-01' },
          { loanId: 'L-1' },
          // A cursor carries the due-index key as stored, which need not be a date (part.ts),
          // but it is a non-empty string within DynamoDB's 1,024-byte sort key.
          { nextDueDate: '', loanId: 'L-1' },
          { nextDueDate: 'x'.repeat(1025), loanId: 'L-1' },
          { nextDueDate: 20261101, loanId: 'L-1' },
          { nextDueDate: '2026-11-01', loanId: '' },
          { nextDueDate: '2026-11-01', loanId: 'x'.repeat(1025) },
          { nextDueDate: '2026-11-01', loanId: '字'.repeat(700) },
          { nextDueDate: '2026-11-01', loanId: 7 },
          { nextDueDate: '2026-11-01', loanId: 'L-1', shard: 3 },
        ),
        personalValue().map((p) => ({ nextDueDate: '2026-11-01', loanId: 'L-1', [p]: 1 })),
      )
      .map((v) => ({
        names: ['cursor'],
        apply: onPart((part) => {
          delete part.loanIds;
          part.shard ??= 0;
          part.cursor = v;
        }),
      })),
    fc
      .oneof(
        junk(scale).filter((v) => !loanIdsValid(v)),
        fc.constantFrom([], ['L-1', 'L-1'], ['x'.repeat(1025)], ['字'.repeat(700)], [''], [7]),
        fc
          .integer({ min: 1_001, max: Math.max(1_001, scale.longList) })
          .map((n) => Array.from({ length: n }, (_, i) => `N-${i}`)),
      )
      .map((v) => ({
        names: ['loanIds'],
        apply: onPart((part) => {
          delete part.shard;
          delete part.cursor;
          part.loanIds = v;
        }),
      })),
    fc.constant<Corruption>({
      names: ['shard', 'loanIds'],
      apply: onPart((part) => {
        part.shard = 1;
        part.loanIds = ['L-1'];
      }),
    }),
    fc.constant<Corruption>({
      names: ['shard', 'loanIds'],
      apply: onPart((part) => {
        delete part.shard;
        delete part.cursor;
        delete part.loanIds;
      }),
    }),
    fc
      .oneof(
        junk(scale).filter((v) => !isPlainObject(v)),
        // Totals with one field replaced (undefined: removed).
        fc
          .constantFrom<Record<string, unknown>>(
            { loansExamined: -1 },
            { loansCharged: 1.5 },
            { chargedOff: 2 ** 53 },
            { charges: { cny: { lateFees: 1, penaltyInterest: 0 } } },
            { charges: { CNY: { lateFees: -5, penaltyInterest: 0 } } },
            { extra: 1 },
            { skipped: undefined },
            {
              skipped: {
                count: 101,
                loans: Array.from({ length: 101 }, (_, i) => ({ loanId: `L-${i}`, reason: 'r' })),
              },
            },
            { skipped: { count: 1, loans: [{ loanId: 'L-1', reason: 'r'.repeat(201) }] } },
            { preview: 'none' },
          )
          .map((patch) => ({ patch })),
        hugeString(scale).map((key) => ({ patch: { [key]: 1 } })),
      )
      .map((v) => ({
        names: ['totals'],
        apply: onPart((part) => {
          if (isPlainObject(v) && isPlainObject(v.patch)) {
            const base = isPlainObject(part.totals) ? part.totals : {};
            part.totals = JSON.parse(JSON.stringify({ ...emptyTotals(), ...base, ...v.patch }));
          } else part.totals = v;
        }),
      })),
    junk(scale)
      .filter((v) => !(Number.isSafeInteger(v) && (v as number) >= 0))
      .map((v) => ({ names: ['durationMs'], apply: onPart(assign('durationMs', v)) })),
    fc
      .tuple(oddKey(scale), junk(scale))
      .filter(
        ([key]) =>
          ![
            'runId',
            'asOf',
            'dryRun',
            'shard',
            'cursor',
            'loanIds',
            'totals',
            'durationMs',
          ].includes(key),
      )
      .map(([key, value]) => ({
        names: UNKNOWN,
        apply: onPart((part) => defineField(part, key, value)),
      })),
    fc
      .tuple(oddKey(scale), junk(scale))
      .filter(([key]) => key !== 'part')
      .map(([key, value]) => ({
        names: UNKNOWN,
        outside: true,
        apply: (e: Event) => {
          defineField(e, key, value);
          return true;
        },
      })),
    junk(scale)
      .filter((v) => !isPlainObject(v))
      .map((v) => ({
        names: ['part'],
        apply: (e: Event) => {
          e.part = v;
          return true;
        },
      })),
    anyDate(scale)
      .filter((v) => typeof v === 'string' && oracleDate(v) !== undefined && v > today)
      .map((v) => ({
        names: ['asOf'],
        deferred: true,
        apply: (e: Event) => {
          // Not over a dryRun another corruption made invalid: that problem would be hidden.
          if (!isPlainObject(e.part) || typeof e.part.dryRun !== 'boolean') return false;
          e.part.asOf = v;
          e.part.dryRun = false;
          return true;
        },
      })),
  );

/** The field a corruption changes: two corruptions of one field would undo each other. */
function groupOf(corruption: Corruption): string {
  if (corruption.outside) return 'outside';
  const [first] = corruption.names;
  if (first === 'shard' || first === 'cursor' || first === 'loanIds') return 'scope';
  return corruption.names.join('|');
}

/**
 * Shard parts: a valid part (a shard from the start or from a cursor, or named loans; totals and
 * busy time carried or not), then none to three corruptions. With none, it must be accepted.
 */
export const partCase = (
  scale: FuzzScale,
  context: OracleContext,
  known: readonly string[],
): fc.Arbitrary<RequestCase> => {
  const today = shanghaiDate(context.now);
  const base = fc.record(
    {
      runId: fc.stringMatching(RUN_ID),
      asOf: anyDate(scale).filter((v) => oracleDate(v) !== undefined),
      dryRun: fc.boolean(),
      scope: fc.oneof(
        fc.record(
          {
            shard: fc.integer({ min: 0, max: 15 }),
            cursor: fc.record({
              nextDueDate: fc.oneof(
                anyDate(scale).filter((v) => oracleDate(v) !== undefined),
                // Upstream's text in the index, resumed after as stored.
                fc.constantFrom('2026-02-30', '2026-11-03T12:00'),
              ),
              loanId: fc.oneof(
                fc.constantFrom(...known),
                fc.string({ minLength: 1, maxLength: 40 }),
              ),
            }),
          },
          { requiredKeys: ['shard'] },
        ),
        fc.record({
          loanIds: fc.uniqueArray(fc.constantFrom(...known, 'X-1', 'X-2'), { minLength: 1 }),
        }),
      ),
      totals: validTotals,
      durationMs: fc.nat(900_000),
    },
    { requiredKeys: ['runId', 'asOf', 'dryRun', 'scope'] },
  );
  return fc
    .tuple(base, fc.array(corruptions(scale, today), { maxLength: 3 }), fc.nat(3))
    .map(([{ scope, ...header }, applied, coin]) => {
      // A valid part never asks a non-dry run for a date after today; its run id is the one its
      // date, flag and (for named loans) ids determine, and a dry run's totals record no event.
      const dryRun = header.dryRun || (header.asOf as string) > today;
      const asOf = header.asOf as BusinessDate;
      const runId =
        'loanIds' in scope
          ? runIdOf(asOf, dryRun, scope.loanIds as string[])
          : runIdOf(asOf, dryRun);
      const totals =
        'totals' in header ? { totals: dryRun ? dryTotals(header.totals) : header.totals } : {};
      const event = {
        part: { ...header, ...totals, runId, dryRun, ...scope } as Part,
      } as { part: unknown } & Part;
      // Most corruptions come alone, so each is seen without others hiding it; together, one per
      // field (a later one would undo an earlier one), and a replaced part stands alone.
      const byGroup = new Map(
        (coin === 0 ? applied : applied.slice(0, 1)).map((c) => [groupOf(c), c]),
      );
      const replaced = byGroup.get('part');
      const chosen = replaced
        ? [...byGroup.values()].filter((c) => c === replaced || c.outside)
        : [...byGroup.values()];
      const used = chosen.filter((corruption) => corruption.apply(event));
      const payload = JSON.parse(JSON.stringify(event)) as unknown;
      const immediate = used.filter((c) => !c.deferred);
      const named = immediate.length > 0 ? immediate : used;
      const expected: Expected =
        used.length === 0
          ? { accept: true, asOf: header.asOf as string, dryRun }
          : { accept: false, names: named.map((c) => c.names) };
      return { kind: 'part' as const, payload, expected };
    });
};

/** A step's figures that one run cannot count, each with the field the refusal must name. */
const impossibleTotals: readonly [Record<string, unknown>, string][] = [
  [{ loansExamined: 0, loansCharged: 1, eventsRecorded: 1 }, 'loansCharged'],
  [{ loansExamined: Number.MAX_SAFE_INTEGER }, 'loansExamined'],
  [{ skipped: { count: 0, loans: [{ loanId: 'L-1', reason: 'r' }] } }, 'skipped'],
  [{ loansExamined: -1 }, 'loansExamined'],
];

/** A valid header of a step (a whole run's, or named loans'), its run id the one it determines. */
const stepHeader = (scale: FuzzScale, today: string, named: boolean) =>
  fc
    .record({
      asOf: anyDate(scale).filter((v) => oracleDate(v) !== undefined),
      dryRun: fc.boolean(),
      ids: fc.uniqueArray(fc.constantFrom('L-1', 'L-2', 'X-1'), { minLength: 1 }),
    })
    .map(({ asOf, dryRun: asked, ids }) => {
      const dryRun = asked || (asOf as string) > today;
      const date = asOf as BusinessDate;
      return {
        runId: named ? runIdOf(date, dryRun, ids) : runIdOf(date, dryRun),
        asOf: asOf as string,
        dryRun,
        ids,
      };
    });

/** What one corruption of a step does, and the field its refusal names. */
type StepCorruption = { readonly name: string; readonly apply: (step: Part) => void };

const stepCorruptions = (scale: FuzzScale): fc.Arbitrary<StepCorruption> =>
  fc.oneof(
    // The other flag's run id, or another date's: never the one the step determines.
    fc.constantFrom('flag', 'date').map((which) => ({
      name: 'runId',
      apply: (step: Part) => {
        const prefix = step.dryRun === true ? 'sweep' : 'dryrun';
        step.runId =
          which === 'flag' ? `${prefix}-${String(step.asOf)}` : `${String(step.runId)}-0`;
      },
    })),
    fc.constantFrom(...impossibleTotals).map(([patch, name]) => ({
      name,
      apply: (step: Part) => {
        const base = isPlainObject(step.totals) ? step.totals : emptyTotals();
        step.totals = JSON.parse(JSON.stringify({ ...base, ...patch }));
      },
    })),
    fc
      .tuple(oddKey(scale), junk(scale))
      .filter(([key]) => !['runId', 'asOf', 'dryRun', 'totals', 'shards', 'scope'].includes(key))
      .map(([key, value]) => ({
        name: 'unknown',
        apply: (step: Part) => defineField(step, key, value),
      })),
  );

/** `totals` as a run of `dryRun` carries them. */
const stepTotals = (totals: unknown, dryRun: boolean) => (dryRun ? dryTotals(totals) : totals);

/**
 * Resumes (`{"plan": {"resume": …}}`, the input a direct run hands on): valid, then none or one
 * corruption — a run id not the one its date, flag and scope determine, or impossible totals.
 */
export const resumeCase = (scale: FuzzScale, context: OracleContext): fc.Arbitrary<RequestCase> => {
  const today = shanghaiDate(context.now);
  return fc
    .tuple(
      fc.boolean().chain((named) => stepHeader(scale, today, named).map((h) => ({ named, h }))),
      fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 16 }),
      validTotals,
      fc.option(stepCorruptions(scale), { nil: undefined }),
    )
    .map(([{ named, h }, shards, totals, corruption]) => {
      const resume: Part = {
        runId: h.runId,
        asOf: h.asOf,
        dryRun: h.dryRun,
        scope: named
          ? { kind: 'loan-ids', loanIds: h.ids }
          : { kind: 'due-index', shards: shards.map((shard) => ({ shard })) },
        totals: stepTotals(totals, h.dryRun),
      };
      corruption?.apply(resume);
      const payload = JSON.parse(JSON.stringify({ plan: { resume } })) as unknown;
      const expected: Expected = corruption
        ? { accept: false, names: [[corruption.name]] }
        : { accept: true, asOf: h.asOf, dryRun: h.dryRun };
      return { kind: 'resume' as const, payload, expected };
    });
};

/**
 * Finishes: each shard's last answer (or the named loans' one), valid, then none or one
 * corruption — a wrong run id, impossible totals in an answer, answers that add up past 2^53.
 */
export const finishCase = (scale: FuzzScale, context: OracleContext): fc.Arbitrary<RequestCase> => {
  const today = shanghaiDate(context.now);
  const answer = (shard: number | undefined, totals: unknown, dryRun: boolean) => ({
    complete: true,
    ...(shard !== undefined && { shard }),
    totals: stepTotals(totals, dryRun),
    durationMs: 1,
  });
  const overflow: StepCorruption = {
    name: 'loansExamined',
    apply: (finish) => {
      const shards = finish.shards as { totals: Record<string, unknown> }[];
      for (const a of shards) a.totals = { ...a.totals, loansExamined: 2 ** 52, loansOverdue: 0 };
      if (shards.length === 1) shards.push({ ...(shards[0] as object), shard: 15 } as never);
    },
  };
  return fc
    .tuple(
      fc.boolean().chain((named) => stepHeader(scale, today, named).map((h) => ({ named, h }))),
      fc.uniqueArray(fc.integer({ min: 0, max: 14 }), { minLength: 1, maxLength: 15 }),
      fc.array(validTotals, { minLength: 15, maxLength: 15 }),
      fc.option(
        fc.oneof(
          stepCorruptions(scale).map((c) => ({ ...c, inAnswer: true })),
          fc.constant({ ...overflow, inAnswer: false }),
        ),
        { nil: undefined },
      ),
    )
    .map(([{ named, h }, shards, totals, corruption]) => {
      const answers = named
        ? [answer(undefined, totals[0], h.dryRun)]
        : shards.map((shard, i) => answer(shard, totals[i], h.dryRun));
      const finish: Part = { runId: h.runId, asOf: h.asOf, dryRun: h.dryRun, shards: answers };
      if (corruption) {
        // Totals corruptions go into the first answer; the others into the finish itself.
        const target =
          corruption.inAnswer && corruption.name !== 'runId' && corruption.name !== 'unknown'
            ? (answers[0] as unknown as Part)
            : finish;
        if (corruption.name === 'loansExamined' && !corruption.inAnswer && named) {
          finish.shards = [answer(0, totals[0], h.dryRun), answer(1, totals[1], h.dryRun)];
          finish.runId = runIdOf(h.asOf as BusinessDate, h.dryRun);
        }
        corruption.apply(target);
      }
      const payload = JSON.parse(JSON.stringify({ finish })) as unknown;
      const expected: Expected = corruption
        ? { accept: false, names: [[corruption.name]] }
        : { accept: true, asOf: h.asOf, dryRun: h.dryRun };
      return { kind: 'finish' as const, payload, expected };
    });
};

/**
 * Steps from outside a running execution (issue 24): a valid finish, resume or part naming an
 * execution that is not running, of another state machine, or no ARN at all. (A step naming none
 * is sent as the harness's running execution's; test/integration/workflow covers that case.)
 */
export const forgedCase = (
  scale: FuzzScale,
  context: OracleContext,
  known: readonly string[],
): fc.Arbitrary<RequestCase> =>
  fc
    .tuple(
      fc.oneof(
        finishCase(scale, context),
        resumeCase(scale, context),
        partCase(scale, context, known),
      ),
      fc.oneof(
        fc.constantFrom(
          'arn:aws:states:us-east-1:000000000000:execution:OverdueSweep-sweep-run:ended',
          'arn:aws:states:us-east-1:000000000000:execution:OverdueSweep-sweep-run/SweepShards:x',
          'arn:aws:states:us-east-1:000000000000:execution:Other-sweep-run:x',
          'arn:aws:states:us-east-1:111111111111:execution:OverdueSweep-sweep-run:x',
        ),
        junk(scale).filter((v) => v !== undefined),
      ),
    )
    .filter(([c]) => c.expected.accept && isPlainObject(c.payload))
    .map(([c, execution]) => ({
      kind: 'forged' as const,
      payload: JSON.parse(JSON.stringify({ ...(c.payload as object), execution })) as unknown,
      expected: { accept: false, names: [['execution']] },
    }));

/** Every kind of sweep input with its expectation; whole-run payloads judged by `expectRequest`. */
export const requestCase = (
  scale: FuzzScale,
  context: OracleContext,
  known: readonly string[],
): fc.Arbitrary<RequestCase> => {
  const judged = (kind: RequestKind, payload: fc.Arbitrary<unknown>) =>
    payload.map((raw) => {
      const value = raw === null ? null : (JSON.parse(JSON.stringify(raw) ?? 'null') as unknown);
      return { kind, payload: value, expected: expectRequest(value, context) };
    });
  return fc.oneof(
    { weight: 4, arbitrary: judged('operator', operatorPayload(scale, known)) },
    { weight: 3, arbitrary: judged('scheduled', scheduledPayload(context.now, scale)) },
    { weight: 2, arbitrary: judged('rule', rulePayload(context.now, scale)) },
    { weight: 4, arbitrary: partCase(scale, context, known) },
    // A plan takes any execution input and judges it as a direct run would.
    {
      weight: 2,
      arbitrary: operatorPayload(scale, known).map((raw) => {
        const value = JSON.parse(JSON.stringify(raw) ?? 'null') as unknown;
        return {
          kind: 'plan' as const,
          payload: { plan: value },
          expected: expectRequest(value, context),
        };
      }),
    },
    { weight: 2, arbitrary: resumeCase(scale, context) },
    { weight: 2, arbitrary: finishCase(scale, context) },
    { weight: 1, arbitrary: forgedCase(scale, context, known) },
    { weight: 1, arbitrary: judged('other', strayPayload(scale)) },
  );
};

/**
 * The contact policy of borrower reminders (docs/contract.md, Reminders): the daily window in
 * business time within which a gateway may contact a borrower, and the weekly cap on the dates a
 * borrower is contacted. China's collection rules forbid contact between 22:00 and 08:00 without
 * consent, so a configured window must lie within 08:00–22:00. Parsed once at cold start (and at
 * synth) from the optional `CONTACT_POLICY` JSON; every bad field is named.
 */
import { MS_PER_MINUTE, wallClockOf } from './dates';
import type { BusinessDate } from './types';

/** The reminder function's contact policy, resolved. Times are minutes after midnight. */
export interface ContactPolicy {
  /** First minute of the day a borrower may be contacted, business time (09:00 = 540). */
  readonly windowStart: number;
  /** Last minute of the day a borrower may be contacted (inclusive), business time. */
  readonly windowEnd: number;
  /** Most business dates with a reminder in any 7 consecutive ones (1–7). */
  readonly maxContactDaysPer7: number;
}

/** The policy when `CONTACT_POLICY` is unset: 09:00–21:00, at most 3 dates in any 7. */
export const DEFAULT_CONTACT_POLICY: ContactPolicy = Object.freeze({
  windowStart: 9 * 60,
  windowEnd: 21 * 60,
  maxContactDaysPer7: 3,
});

/** Earliest and latest minutes a configured window may reach: 08:00 and 22:00 (inclusive). */
export const CONTACT_HOURS = Object.freeze({ earliest: 8 * 60, latest: 22 * 60 });

/** The name problems are reported under. */
const NAME = 'CONTACT_POLICY';
const FIELDS = ['windowStart', 'windowEnd', 'maxContactDaysPer7'] as const;

/** `CONTACT_POLICY` cannot be used; `.problems` names each bad field. */
export class ContactPolicyError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid ${NAME}: ${problems.join('; ')}`);
    this.name = 'ContactPolicyError';
    this.problems = problems;
  }
}

/** `HH:MM` as minutes after midnight (00:00–23:59, and 24:00 nowhere), or undefined. */
function minutesOf(value: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Minutes after midnight as `HH:MM`. */
export function formatMinutes(minutes: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`;
}

const ALLOWED = `${formatMinutes(CONTACT_HOURS.earliest)}–${formatMinutes(CONTACT_HOURS.latest)}`;

/** Shows a configured value in a problem: short and not personal (configuration, not data). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function readTime(
  raw: Record<string, unknown>,
  field: 'windowStart' | 'windowEnd',
  problems: string[],
): number | undefined {
  if (!(field in raw)) return undefined;
  const value = raw[field];
  const minutes = typeof value === 'string' ? minutesOf(value) : undefined;
  if (minutes === undefined) {
    problems.push(`${NAME}.${field}: ${shown(value)} is not a time HH:MM`);
    return undefined;
  }
  if (minutes < CONTACT_HOURS.earliest || minutes > CONTACT_HOURS.latest) {
    problems.push(`${NAME}.${field}: ${value} is outside ${ALLOWED}`);
    return undefined;
  }
  return minutes;
}

/**
 * Parses and validates `CONTACT_POLICY`. An absent or blank value is the default policy; a value
 * names only the fields it changes.
 * @throws ContactPolicyError naming every bad field, e.g.
 *   `CONTACT_POLICY.windowEnd: 22:30 is outside 08:00–22:00`.
 */
export function parseContactPolicy(json: string | undefined): ContactPolicy {
  if (json === undefined || json.trim() === '') return DEFAULT_CONTACT_POLICY;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ContactPolicyError([`${NAME}: not valid JSON`]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ContactPolicyError([`${NAME}: must be a JSON object`]);
  }
  const fields = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      problems.push(`${NAME}.${key.length > 40 ? `${key.slice(0, 39)}…` : key}: unknown field`);
    }
  }
  const start = readTime(fields, 'windowStart', problems);
  const end = readTime(fields, 'windowEnd', problems);
  let cap = DEFAULT_CONTACT_POLICY.maxContactDaysPer7;
  if ('maxContactDaysPer7' in fields) {
    const value = fields.maxContactDaysPer7;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 7) {
      problems.push(`${NAME}.maxContactDaysPer7: ${shown(value)} is not a whole number 1–7`);
    } else cap = value;
  }
  const windowStart = start ?? DEFAULT_CONTACT_POLICY.windowStart;
  const windowEnd = end ?? DEFAULT_CONTACT_POLICY.windowEnd;
  // Only when both ends are usable: a bad one is already named.
  const bothUsable =
    (start !== undefined || !('windowStart' in fields)) &&
    (end !== undefined || !('windowEnd' in fields));
  if (bothUsable && windowStart >= windowEnd) {
    problems.push(
      `${NAME}: windowStart ${formatMinutes(windowStart)} is not before windowEnd ${formatMinutes(windowEnd)}`,
    );
  }
  if (problems.length > 0) throw new ContactPolicyError(problems);
  return Object.freeze({ windowStart, windowEnd, maxContactDaysPer7: cap });
}

/** The contact window of one business date, as ISO-8601 instants with the zone's offset. */
export interface ContactWindow {
  /** The first instant a gateway may contact the borrower, e.g. `2026-11-28T09:00:00+08:00`. */
  readonly sendAfter: string;
  /** The last instant it may (the window includes its end), e.g. `2026-11-28T21:00:00+08:00`. */
  readonly sendBefore: string;
  /** `sendBefore` in milliseconds since the epoch. */
  readonly closesAtMs: number;
}

const two = (n: number) => String(n).padStart(2, '0');

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/**
 * The instant a wall clock in `timeZone` shows `minutes` after midnight on `date`, as ISO-8601
 * with the zone's offset then (daylight saving included; a time a DST gap skips resolves to the
 * instant just after the gap).
 */
export function instantOn(
  date: BusinessDate,
  minutes: number,
  timeZone: string,
): { readonly iso: string; readonly epochMs: number } {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day, Math.floor(minutes / 60), minutes % 60);
  // Two passes settle the offset when the naive guess lands on the other side of a DST change.
  const firstGuess = wallAsUtc - wallClockOf(wallAsUtc, timeZone).offsetMinutes * MS_PER_MINUTE;
  const epochMs = wallAsUtc - wallClockOf(firstGuess, timeZone).offsetMinutes * MS_PER_MINUTE;
  // Rendered from the instant itself, so even a time a DST gap skips stays a true instant.
  const wall = wallClockOf(epochMs, timeZone);
  const text = `${String(wall.year).padStart(4, '0')}-${two(wall.month)}-${two(wall.day)}`;
  const time = `${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}`;
  return { iso: `${text}T${time}${formatOffset(wall.offsetMinutes)}`, epochMs };
}

/** The contact window on `asOf` in business time under `policy`. */
export function contactWindowOn(
  asOf: BusinessDate,
  policy: ContactPolicy,
  timeZone: string,
): ContactWindow {
  const opens = instantOn(asOf, policy.windowStart, timeZone);
  const closes = instantOn(asOf, policy.windowEnd, timeZone);
  return { sendAfter: opens.iso, sendBefore: closes.iso, closesAtMs: closes.epochMs };
}

/**
 * Business dates (docs/contract.md, Business dates): calendar dates `YYYY-MM-DD` in the business time zone. All arithmetic
 * is calendar arithmetic on year/month/day through `Date.UTC`, never on local-time timestamps, so
 * it cannot drift with daylight saving or the machine's zone.
 */
import type { BusinessDate } from './types';
import { boundedMemo } from './values';

/** The business time zone when `BUSINESS_TIMEZONE` is not set. */
export const DEFAULT_BUSINESS_TIMEZONE = 'Asia/Shanghai';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** The UTC epoch day number of a valid date's Y/M/D (no time zone involved). */
function epochDayOf(date: BusinessDate): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new Error(`not a business date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / MS_PER_DAY;
}

function fromEpochDay(day: number): BusinessDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10) as BusinessDate;
}

/**
 * Parses a strict `YYYY-MM-DD` that names a real calendar date (no 2026-02-30).
 * @returns the date, or undefined for anything else (wrong type, format or impossible date).
 */
export function parseBusinessDate(value: unknown): BusinessDate | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE_PATTERN.exec(value);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear keeps the year as written.
  probe.setUTCFullYear(year, month - 1, day);
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return value as BusinessDate;
}

/** The date `days` calendar days after `date` (negative `days` goes back). */
export function addDays(date: BusinessDate, days: number): BusinessDate {
  return fromEpochDay(epochDayOf(date) + days);
}

/** Calendar days from `from` to `to` (`to − from`; negative when `to` is earlier). */
export function daysBetween(from: BusinessDate, to: BusinessDate): number {
  return epochDayOf(to) - epochDayOf(from);
}

/** The last calendar day of `date`'s month, e.g. 2026-02-28 for 2026-02-10. */
export function endOfMonth(date: BusinessDate): BusinessDate {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new Error(`not a business date: ${date}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  // Day 0 of the next month is the last day of this one.
  const probe = new Date(Date.UTC(2000, month, 0));
  probe.setUTCFullYear(year, month, 0);
  return `${match[1]}-${match[2]}-${String(probe.getUTCDate()).padStart(2, '0')}` as BusinessDate;
}

/** The later of two dates. */
export function maxDate(a: BusinessDate, b: BusinessDate): BusinessDate {
  return a >= b ? a : b;
}

/** The earlier of two dates. */
export function minDate(a: BusinessDate, b: BusinessDate): BusinessDate {
  return a <= b ? a : b;
}

/** True when `tz` is an IANA time zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  if (tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds in a minute. */
export const MS_PER_MINUTE = 60_000;

/** A wall-clock reading in an IANA zone, and the zone's offset from UTC there (minutes). */
export interface WallClock {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  /** 0–23 */
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly offsetMinutes: number;
}

/** The format that reads a wall clock in a zone, built once: building one costs far more than using it. */
const wallClockFormat = boundedMemo(
  64,
  (timeZone) =>
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      calendar: 'gregory',
      numberingSystem: 'latn',
    }),
);

/** The one reader of wall clocks: what a clock in `timeZone` shows at `epochMs` (ms since epoch). */
export function wallClockOf(epochMs: number, timeZone: string): WallClock {
  const parts = wallClockFormat(timeZone).formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const year = part('year');
  const month = part('month');
  const day = part('day');
  const hour = part('hour');
  const minute = part('minute');
  const second = part('second');
  const probe = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  // setUTCFullYear keeps years 0–99 as written (Date.UTC would map them to 1900–1999).
  probe.setUTCFullYear(year);
  const epochSeconds = Math.floor(epochMs / 1000) * 1000;
  const offsetMinutes = Math.round((probe.getTime() - epochSeconds) / MS_PER_MINUTE);
  return { year, month, day, hour, minute, second, offsetMinutes };
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

/** The calendar date of `instant` as seen on a wall clock in the IANA zone `timeZone`. */
export function businessDateOf(instant: Date, timeZone: string): BusinessDate {
  const wall = wallClockOf(instant.getTime(), timeZone);
  const date = `${String(wall.year).padStart(4, '0')}-${twoDigits(wall.month)}-${twoDigits(wall.day)}`;
  const parsed = parseBusinessDate(date);
  if (!parsed) throw new Error(`cannot derive a business date from ${instant.toISOString()}`);
  return parsed;
}

// YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM): the extended ISO-8601 / RFC 3339 form AWS sends.
const INSTANT_PATTERN =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses a strict ISO-8601 instant: `YYYY-MM-DDTHH:MM:SS`, optional fraction (up to 9 digits,
 * kept to the millisecond), and a zone `Z` or `±HH:MM`, naming a real calendar date and a real
 * time of day (no 24:00, no leap second). Unlike `new Date(text)` it accepts nothing else: no
 * bare numbers, no missing zone, no 2026-02-30.
 * @returns the instant, or undefined for anything else.
 */
export function parseInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = INSTANT_PATTERN.exec(value);
  if (!match) return undefined;
  const [, datePart, hh, mm, ss, fraction, zulu, sign, offsetHh, offsetMm] = match;
  const date = parseBusinessDate(datePart);
  const hour = Number(hh);
  const minute = Number(mm);
  const second = Number(ss);
  if (!date || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (!zulu) {
    const offsetHours = Number(offsetHh);
    const offsetMins = Number(offsetMm);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const local = new Date(Date.UTC(2000, 0, 1, hour, minute, second, millis));
  // setUTCFullYear keeps years 0–99 as written (Date.UTC would map them to 1900–1999).
  local.setUTCFullYear(year, month - 1, day);
  return new Date(local.getTime() - offsetMinutes * MS_PER_MINUTE);
}

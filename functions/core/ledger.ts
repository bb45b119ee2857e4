/**
 * Ledger entries as rule 7 reads them back (docs/contract.md: Loans table, Value-dated payments): each item of the ledger table →
 * its lines with the entry's kind, the instalment, the amount and, for penalty charges, the dates
 * and rate. Parsed at the edge like loan items: a problem becomes a reason naming the entry and the
 * attribute, so the sweep skips the loan instead of giving back a wrong amount.
 */
import { parseBusinessDate } from './dates';
import { exactNumberOf } from './loan';
import { toDecimalString } from './rational';
import type { ChargeEntry, LedgerEntry, LedgerKind, PostedLine } from './types';
import { bounded, isRecord, MAX_REASON_CHARS, quoted } from './values';

const KINDS: readonly LedgerKind[] = [
  'PENALTY_INTEREST',
  'LATE_FEE',
  'PENALTY_REVERSAL',
  'LATE_FEE_REVERSAL',
];

/** The lines of a loan's ledger entries, or why one cannot be read. */
export type PostedLinesResult =
  | { readonly ok: true; readonly lines: readonly PostedLine[] }
  | { readonly ok: false; readonly reason: string };

class EntryProblem extends Error {}

function count(value: unknown, path: string): number {
  const exact = exactNumberOf(value);
  const n = exact && exact.denominator === 1n ? Number(exact.numerator) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new EntryProblem(`${path}: not an integer ≥ 0`);
  }
  return n;
}

function linesOf(item: Record<string, unknown>, entryId: string): PostedLine[] {
  const kind = item.kind;
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw new EntryProblem(`kind: ${quoted(kind)} is not a ledger kind`);
  }
  if (!Array.isArray(item.lines)) throw new EntryProblem('lines: not a list');
  return item.lines.map((line: unknown, index): PostedLine => {
    const at = `lines[${index}]`;
    if (!isRecord(line)) throw new EntryProblem(`${at}: not a map`);
    const posted = {
      entryId,
      kind: kind as LedgerKind,
      installmentSeq: count(line.installmentSeq, `${at}.installmentSeq`),
      amount: count(line.amount, `${at}.amount`),
    };
    if (kind !== 'PENALTY_INTEREST') return posted;
    const fromDate = parseBusinessDate(line.fromDate);
    const toDate = parseBusinessDate(line.toDate);
    if (fromDate === undefined) throw new EntryProblem(`${at}.fromDate: not a YYYY-MM-DD date`);
    if (toDate === undefined) throw new EntryProblem(`${at}.toDate: not a YYYY-MM-DD date`);
    const rate = exactNumberOf(line.rate);
    if (rate === undefined || rate.numerator < 0n) {
      throw new EntryProblem(`${at}.rate: not a number ≥ 0`);
    }
    return { ...posted, fromDate, toDate, rate: toDecimalString(rate) };
  });
}

/**
 * The lines of a loan's ledger items (plain values, numbers exact: see `loan.ts`), in item order.
 * Never throws: a malformed item yields a reason such as
 * `ledger entry 2026-01-14#PENALTY_INTEREST: lines[0].rate: not a number ≥ 0`.
 */
export function parsePostedLines(items: readonly Record<string, unknown>[]): PostedLinesResult {
  const lines: PostedLine[] = [];
  for (const item of items) {
    const entryId = typeof item.entryId === 'string' ? item.entryId : '(no entryId)';
    try {
      lines.push(...linesOf(item, entryId));
    } catch (error) {
      const problem = error instanceof EntryProblem ? error.message : 'unexpected error';
      return {
        ok: false,
        reason: bounded(`ledger entry ${quoted(entryId)}: ${problem}`, MAX_REASON_CHARS),
      };
    }
  }
  return { ok: true, lines };
}

/** True for an entry of a charge (penalty interest or late fee), false for a reversal. */
export function isChargeEntry(entry: LedgerEntry): entry is ChargeEntry {
  return entry.kind === 'PENALTY_INTEREST' || entry.kind === 'LATE_FEE';
}

/** The lines of entries this product built (no parsing needed): for in-process books and tests. */
export function postedLinesOf(entries: readonly LedgerEntry[]): PostedLine[] {
  return entries.flatMap((entry) =>
    entry.lines.map((line): PostedLine => {
      const posted = {
        entryId: entry.entryId,
        kind: entry.kind,
        installmentSeq: line.installmentSeq,
        amount: line.amount,
      };
      if (entry.kind !== 'PENALTY_INTEREST' || !('base' in line)) return posted;
      return {
        ...posted,
        fromDate: line.fromDate,
        toDate: line.toDate,
        ...(line.rate !== undefined && { rate: line.rate }),
      };
    }),
  );
}

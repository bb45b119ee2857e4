/**
 * The item codec of the loans and ledger tables, at the DynamoDB edge: what the document client
 * reads becomes the plain values the core's parsers take (numbers as JS numbers, or as exact
 * decimal text where a JS number would not be exact), and a loan's new episode becomes the
 * attributes a write sets and removes. Pure; the only module that knows the client's number shape.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { type PostedLinesResult, parsePostedLines } from '../core/ledger';
import { parseLoanItem } from '../core/loan';
import type { EpisodeState, LoanParseResult } from '../core/types';
import { ExactNumber, isRecord } from '../core/values';

type Item = Record<string, unknown>;

const INTEGER_TEXT = /^-?\d+$/;

/** A DynamoDB number's decimal text as a plain value: a JS number when that is exact. */
function numberOf(text: string): number | ExactNumber {
  if (INTEGER_TEXT.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
  }
  return new ExactNumber(text);
}

/**
 * `value` as read by a document client, with every exact number (NumberValue, what
 * `wrapNumbers: true` gives) turned into a plain value, through lists and maps. Everything else —
 * strings, booleans, null, JS numbers, sets, binary — is left as it is (the parsers reject sets
 * and binary where the contract has none).
 */
export function plainValueOf(value: unknown): unknown {
  if (value instanceof NumberValue) return numberOf(value.value);
  if (Array.isArray(value)) return value.map(plainValueOf);
  if (!isRecord(value)) return value;
  const plain: Item = {};
  for (const [key, entry] of Object.entries(value)) plain[key] = plainValueOf(entry);
  return plain;
}

/** A loans-table item as read → the loan, or the reason it cannot be swept. */
export function decodeLoanItem(item: Item): LoanParseResult {
  return parseLoanItem(plainValueOf(item) as Item);
}

/** A loan's ledger items as read → their lines for rule 7, or why one cannot be read. */
export function decodeLedgerItems(items: readonly Item[]): PostedLinesResult {
  return parsePostedLines(items.map((item) => plainValueOf(item) as Item));
}

/** The loan item's episode attributes (docs/contract.md, Loans table): one name each. */
export const EPISODE_ATTRIBUTES = {
  riskClass: 'riskClass',
  delinquentSince: 'delinquentSince',
  creditHold: 'creditHold',
  creditNoticeOn: 'creditNoticeOn',
  hardshipOfferId: 'hardshipOfferId',
  promiseOutcome: 'promiseOutcome',
} as const satisfies { readonly [K in keyof EpisodeState]-?: string };

/** What a write does to the episode attributes: values to set, by name, and names to remove. */
export interface EpisodeWrite {
  readonly set: ReadonlyMap<string, unknown>;
  readonly remove: readonly string[];
}

/**
 * The episode attributes a write changes from `read` (as parsed, absent ones defaulted) to `next`:
 * only what differs, so a loan that was never overdue gets none (an absent `riskClass` is
 * `NORMAL`, an absent `creditHold` false), and a release writes `creditHold = false`.
 */
export function episodeWriteOf(read: EpisodeState, next: EpisodeState): EpisodeWrite {
  const set = new Map<string, unknown>();
  const remove: string[] = [];
  if (next.riskClass !== read.riskClass) set.set(EPISODE_ATTRIBUTES.riskClass, next.riskClass);
  if (next.creditHold !== read.creditHold) set.set(EPISODE_ATTRIBUTES.creditHold, next.creditHold);
  for (const key of ['delinquentSince', 'creditNoticeOn', 'hardshipOfferId'] as const) {
    const value = next[key];
    if (value === read[key]) continue;
    if (value === undefined) remove.push(EPISODE_ATTRIBUTES[key]);
    else set.set(EPISODE_ATTRIBUTES[key], value);
  }
  const outcome = next.promiseOutcome;
  const before = read.promiseOutcome;
  if (outcome === undefined) {
    if (before !== undefined) remove.push(EPISODE_ATTRIBUTES.promiseOutcome);
  } else if (
    before === undefined ||
    before.promiseId !== outcome.promiseId ||
    before.outcome !== outcome.outcome ||
    before.asOf !== outcome.asOf
  ) {
    set.set(EPISODE_ATTRIBUTES.promiseOutcome, {
      promiseId: outcome.promiseId,
      outcome: outcome.outcome,
      asOf: outcome.asOf,
    });
  }
  return { set, remove };
}

/**
 * `item` as a write of `episode` leaves it: for in-process books that apply a change to a plain
 * item as the DynamoDB write does.
 */
export function withEpisodeWrite(item: Item, episode: EpisodeWrite): Item {
  const next: Item = { ...item };
  for (const name of episode.remove) delete next[name];
  for (const [name, value] of episode.set) next[name] = value;
  return next;
}

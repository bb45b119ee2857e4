/**
 * The item codec at the DynamoDB edge: what the exact-number document client reads becomes plain
 * values (numbers exact), and a loan's new episode becomes only the attributes that change.
 */
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  decodeLedgerItems,
  decodeLoanItem,
  episodeWriteOf,
  plainValueOf,
  withEpisodeWrite,
} from '../../../functions/adapters/item-codec';
import { NO_EPISODE } from '../../../functions/core/episodes';
import { rational } from '../../../functions/core/rational';
import type { EpisodeState } from '../../../functions/core/types';
import { ExactNumber } from '../../../functions/core/values';
import { d, installmentItem, loanItem } from '../../../local/fixtures/loans';

const n = (text: string) => NumberValue.from(text);

/** A loan item as the exact-number client hands it over: every number a NumberValue. */
function wrapped(value: unknown): unknown {
  if (typeof value === 'number') return n(String(value));
  if (Array.isArray(value)) return value.map(wrapped);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrapped(v)]));
  }
  return value;
}

describe('plain values', () => {
  it('turns safe integers into JS numbers and every other number into exact decimal text', () => {
    expect(plainValueOf(n('100000'))).toBe(100_000);
    expect(plainValueOf(n('-3'))).toBe(-3);
    expect(plainValueOf(n('0.0003'))).toEqual(new ExactNumber('0.0003'));
    expect(plainValueOf(n('9007199254740993'))).toEqual(new ExactNumber('9007199254740993'));
  });

  it('goes through lists and maps and leaves strings, booleans, null, sets and binary alone', () => {
    const set = new Set(['a']);
    const bytes = new Uint8Array([1]);
    expect(
      plainValueOf({ a: [n('1'), { b: n('2.5') }], s: 'x', t: true, z: null, set, bytes }),
    ).toEqual({ a: [1, { b: new ExactNumber('2.5') }], s: 'x', t: true, z: null, set, bytes });
  });
});

describe('loan items', () => {
  const item = wrapped(
    loanItem('L-1', [installmentItem(1, '2026-01-10')], {
      version: 4,
      promiseToPay: { promiseId: 'P', madeOn: '2026-01-11', until: '2026-01-12', amount: 500 },
    }),
  ) as Record<string, unknown>;

  it('parses what the exact-number client reads, rates exact', () => {
    const result = decodeLoanItem(item);
    if (!result.ok) throw new Error(result.reason);
    expect(result.loan.dailyInterestRate).toEqual(rational(3n, 10_000n));
    expect(result.loan.version).toBe(4);
    expect(result.loan.promiseToPay?.amount).toBe(500);
  });

  it('names the attribute of a number that is not one, and never shows a long one whole', () => {
    expect(decodeLoanItem({ ...item, principal: n('1.5') })).toMatchObject({
      ok: false,
      reason: 'principal: 1.5 is not an integer',
    });
    expect(decodeLoanItem({ ...item, principal: n('9'.repeat(60)) })).toMatchObject({
      ok: false,
      reason: 'principal: a number of 60 characters is not an integer',
    });
  });

  it('reads ledger lines with their exact rates', () => {
    const result = decodeLedgerItems([
      {
        loanId: 'L-1',
        entryId: '2026-01-14#PENALTY_INTEREST',
        kind: 'PENALTY_INTEREST',
        lines: [
          {
            installmentSeq: n('1'),
            amount: n('20'),
            fromDate: '2026-01-11',
            toDate: '2026-01-14',
            rate: n('0.00045'),
          },
        ],
      },
    ]);
    expect(result).toEqual({
      ok: true,
      lines: [
        {
          entryId: '2026-01-14#PENALTY_INTEREST',
          kind: 'PENALTY_INTEREST',
          installmentSeq: 1,
          amount: 20,
          fromDate: '2026-01-11',
          toDate: '2026-01-14',
          rate: '0.00045',
        },
      ],
    });
  });
});

describe('episode writes', () => {
  const open: EpisodeState = {
    riskClass: 'SPECIAL_MENTION',
    delinquentSince: d('2026-01-11'),
    creditHold: true,
    creditNoticeOn: d('2026-01-11'),
  };

  it('writes nothing for a loan never overdue (absent means NORMAL, not on hold)', () => {
    const write = episodeWriteOf(NO_EPISODE, NO_EPISODE);
    expect([...write.set]).toEqual([]);
    expect(write.remove).toEqual([]);
  });

  it('sets what an episode begins with, and only what changes later', () => {
    expect(Object.fromEntries(episodeWriteOf(NO_EPISODE, open).set)).toEqual({
      riskClass: 'SPECIAL_MENTION',
      creditHold: true,
      delinquentSince: '2026-01-11',
      creditNoticeOn: '2026-01-11',
    });
    const offered = { ...open, hardshipOfferId: 'L-1:hardship:2026-01-11' };
    expect(Object.fromEntries(episodeWriteOf(open, offered).set)).toEqual({
      hardshipOfferId: 'L-1:hardship:2026-01-11',
    });
  });

  it('a cure sets NORMAL and creditHold false and removes the episode’s dates and offer', () => {
    const offered = { ...open, hardshipOfferId: 'L-1:hardship:2026-01-11' };
    const cured: EpisodeState = {
      ...NO_EPISODE,
      promiseOutcome: { promiseId: 'P', outcome: 'KEPT', asOf: d('2026-01-11') },
    };
    const write = episodeWriteOf(offered, cured);
    expect(Object.fromEntries(write.set)).toEqual({
      riskClass: 'NORMAL',
      creditHold: false,
      promiseOutcome: { promiseId: 'P', outcome: 'KEPT', asOf: '2026-01-11' },
    });
    expect(write.remove).toEqual(['delinquentSince', 'creditNoticeOn', 'hardshipOfferId']);
    expect(
      withEpisodeWrite(
        { loanId: 'L-1', riskClass: 'SPECIAL_MENTION', delinquentSince: 'x' },
        write,
      ),
    ).toEqual({
      loanId: 'L-1',
      riskClass: 'NORMAL',
      creditHold: false,
      promiseOutcome: { promiseId: 'P', outcome: 'KEPT', asOf: '2026-01-11' },
    });
  });
});

/**
 * Builders for domain loans in unit tests, and `applyUpdate`, which does to a Loan what the
 * sweep's conditional write does to the item, so tests can chain runs day by day.
 */
import { assess } from '../../functions/core/assess';
import { NO_EPISODE } from '../../functions/core/episodes';
import { postedLinesOf } from '../../functions/core/ledger';
import { BUILT_IN_POLICY } from '../../functions/core/policy';
import { parseDecimal } from '../../functions/core/rational';
import { ledgerNeededFrom } from '../../functions/core/reversals';
import type {
  Assessment,
  BusinessDate,
  FeePolicy,
  Installment,
  LedgerEntry,
  Loan,
  LoanUpdate,
  Payment,
  RunContext,
} from '../../functions/core/types';

/** A date literal in tests (the format is checked by the code under test, not here). */
export const d = (text: string): BusinessDate => text as BusinessDate;

export const RUN: RunContext = { runId: 'run-1', occurredAt: '2026-01-01T16:30:00.000Z' };

/** An unpaid instalment: 10,000 principal + 300 interest due on `dueDate`. */
export function installment(
  overrides: Partial<Installment> & { dueDate: BusinessDate },
): Installment {
  return {
    seq: 1,
    principalDue: 10_000,
    interestDue: 300,
    principalPaid: 0,
    interestPaid: 0,
    lateFeeCharged: 0,
    paymentsApplied: [],
    ...overrides,
  };
}

/**
 * `inst` with `payments` recorded (value-dated, SPEC §3) and its paid fields their sums. Each
 * payment is `[paymentId, valueDate, principal, interest?]`.
 */
export function withPayments(
  inst: Installment,
  payments: readonly (readonly [string, string, number, number?])[],
): Installment {
  const list: Payment[] = payments.map(([paymentId, valueDate, principal, interest = 0]) => ({
    paymentId,
    valueDate: d(valueDate),
    principal,
    interest,
  }));
  return {
    ...inst,
    payments: list,
    principalPaid: list.reduce((sum, p) => sum + p.principal, 0),
    interestPaid: list.reduce((sum, p) => sum + p.interest, 0),
  };
}

/**
 * `current` after upstream appended `payments` to instalment `seq` (its paid fields following, the
 * sweep's fields kept), as a payment system posting late would.
 */
export function postPayments(
  current: Loan,
  seq: number,
  payments: readonly (readonly [string, string, number, number?])[],
): Loan {
  return {
    ...current,
    installments: current.installments.map((inst) => {
      if (inst.seq !== seq) return inst;
      const earlier = (inst.payments ?? []).map(
        (p) => [p.paymentId, p.valueDate, p.principal, p.interest] as const,
      );
      return withPayments(inst, [...earlier, ...payments]);
    }),
  };
}

/** An ACTIVE CNY loan at 0.0003 per day (penalty 0.00045 per day under the built-in policy). */
export function loan(overrides: Partial<Loan> = {}): Loan {
  const installments = overrides.installments ?? [
    installment({ seq: 1, dueDate: d('2026-01-10') }),
  ];
  const rate = parseDecimal('0.0003');
  if (!rate) throw new Error('unreachable');
  return {
    loanId: 'L-1',
    borrowerId: 'B-1',
    currency: 'CNY',
    principal: 100_000,
    dailyInterestRate: rate,
    status: 'ACTIVE',
    installments,
    locale: 'zh-CN',
    remindersOptOut: false,
    nextDueDate: installments[0]?.dueDate,
    sweepShard: 3,
    dpd: 0,
    bucket: 'M0',
    lateFeesCharged: 0,
    penaltyCharged: 0,
    version: 0,
    episode: NO_EPISODE,
    ...overrides,
  };
}

/** The built-in policy with some fields replaced. */
export function policy(overrides: Partial<FeePolicy> = {}): FeePolicy {
  return { ...BUILT_IN_POLICY, ...overrides };
}

/** The loan as it reads after the sweep wrote `update`. */
export function applyUpdate(current: Loan, update: LoanUpdate): Loan {
  if (update.expectedVersion !== current.version) {
    throw new Error(`version conflict: expected ${update.expectedVersion}, is ${current.version}`);
  }
  const installments = current.installments.map((inst) => {
    const change = update.installments.find((u) => u.seq === inst.seq);
    if (!change) return inst;
    const { penaltyThrough: _dropped, ...rest } = inst;
    return {
      ...rest,
      ...(change.penaltyThrough === undefined ? {} : { penaltyThrough: change.penaltyThrough }),
      lateFeeCharged: change.lateFeeCharged,
      ...(change.paymentsApplied === undefined ? {} : { paymentsApplied: change.paymentsApplied }),
    };
  });
  const { nextDueDate: _old, ...rest } = current;
  return {
    ...rest,
    installments,
    accruedThrough: update.accruedThrough,
    dpd: update.dpd,
    bucket: update.bucket,
    lateFeesCharged: update.lateFeesCharged,
    penaltyCharged: update.penaltyCharged,
    version: update.version,
    ...(update.status === undefined ? {} : { status: update.status }),
    ...(update.nextDueDate === null ? {} : { nextDueDate: update.nextDueDate }),
    episode: update.episode,
  };
}

/**
 * A loan's ledger kept in memory for unit tests: assesses the loan as the sweep does (its ledger
 * lines handed over when rule 7 needs them), applies the update and appends the entries.
 */
export function ledgerBook(start: Loan) {
  const entries: LedgerEntry[] = [];
  let current = start;
  return {
    entries,
    get loan(): Loan {
      return current;
    },
    /** Replaces the loan as upstream would (a payment posted, a status set). */
    set loan(next: Loan) {
      current = next;
    },
    /** Assesses the loan for `asOf` and, on a change, records it. */
    run(p: FeePolicy, asOf: BusinessDate, run: RunContext = RUN): Assessment {
      const from = ledgerNeededFrom(current, asOf);
      const history =
        from === undefined
          ? undefined
          : postedLinesOf(entries.filter((e) => e.loanId === current.loanId && e.asOf >= from));
      const result = assess(current, p, asOf, run, history);
      if (result.kind === 'change') {
        entries.push(...result.ledgerEntries);
        current = applyUpdate(current, result.update);
      }
      return result;
    },
  };
}

type Item = Record<string, unknown>;

/** An instalment item as upstream writes it: 10,000 principal + 300 interest, unpaid unless `paid`. */
export function installmentItem(seq: number, dueDate: string, paid = false): Item {
  return {
    seq,
    dueDate,
    principalDue: 10_000,
    interestDue: 300,
    principalPaid: paid ? 10_000 : 0,
    interestPaid: paid ? 300 : 0,
  };
}

function hash(text: string): number {
  let h = 7;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

/**
 * An ACTIVE CNY loan item of 100,000 at 0.0003 a day; `nextDueDate` is its first unpaid
 * instalment's due date, `sweepShard` a hash of its id.
 */
export function loanItem(loanId: string, installments: Item[], extra: Item = {}): Item {
  const firstUnpaid = installments.find((i) => i.principalPaid === 0)?.dueDate;
  return {
    loanId,
    borrowerId: `B-${loanId}`,
    currency: 'CNY',
    principal: 100_000,
    dailyInterestRate: 0.0003,
    status: 'ACTIVE',
    installments,
    sweepShard: Math.abs(hash(loanId)) % 16,
    ...(firstUnpaid === undefined ? {} : { nextDueDate: firstUnpaid }),
    ...extra,
  };
}

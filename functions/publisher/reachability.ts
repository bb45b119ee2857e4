/**
 * Loans the due index can never bring to the sweep (docs/contract.md, Sweep): an ACTIVE loan with
 * an unpaid instalment whose `sweepShard` is not an integer 0–15 or is missing, or whose
 * `nextDueDate` is missing or not a date. A whole run reads only the index, so nobody would ever
 * charge, remind or report such a loan; the publisher, which sees every write of an ACTIVE loan,
 * names it the day it is written.
 */
import { RUN_RECORD_KEY_PREFIX } from '../contract/tables';
import { nextDueDateOf } from '../core/installments';
import { policyFor } from '../core/policy';
import type { PolicyBook } from '../core/types';
import type { IndexKeyFault, LoanTableWrite } from './ports';

/** A loan the sweep cannot reach, as the publisher reports it (no personal data). */
export interface UnreachableLoan {
  readonly loanId: string;
  /** The first index key at fault. */
  readonly attribute: IndexKeyFault['attribute'];
  /** Every problem, each naming its attribute. */
  readonly reason: string;
}

/**
 * The loan `write` left unreachable, if it did. A loan that cannot be read well enough to tell
 * whether anything is unpaid counts as unpaid: silence is the one answer that must not happen.
 * Run records (`#run#…`) are never loans.
 * @param book the fee policies: a policy's arrears tolerance says what is unpaid.
 */
export function unreachableLoanOf(
  write: LoanTableWrite,
  book: PolicyBook,
): UnreachableLoan | undefined {
  const { loanId, written } = write;
  if (loanId === undefined || loanId.startsWith(RUN_RECORD_KEY_PREFIX)) return undefined;
  if (written?.status !== 'ACTIVE') return undefined;
  const [first] = written.keyFaults;
  if (first === undefined) return undefined;
  const read = written.loan;
  if (read?.ok) {
    const policy = policyFor(book, read.loan.productCode);
    if (nextDueDateOf(read.loan, policy) === null) return undefined;
  }
  const problems = written.keyFaults.map((fault) => fault.reason);
  if (read && !read.ok) problems.push(`the loan cannot be assessed either (${read.reason})`);
  return { loanId, attribute: first.attribute, reason: problems.join('; ') };
}

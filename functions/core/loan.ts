/**
 * Loan items → domain loans (docs/contract.md, Loans table). Parsed once at the edge: every attribute is checked for its
 * type and range, and the first problem becomes a reason naming the attribute, so the sweep can
 * skip and report the item instead of crashing. Sweep-maintained attributes default when absent.
 * A reason (docs/contract.md, Summary) quotes a value only when it is short and not personal data (never
 * `borrowerId`'s; attributes the contract does not know are never read), and is at most
 * {@link MAX_REASON_CHARS} characters.
 *
 * An item arrives as plain values (the item codec of functions/adapters makes them from what a
 * storage client reads): strings, booleans, lists, maps, and numbers as JS numbers or, where a JS
 * number would not be exact, as {@link ExactNumber} decimal text.
 */
import { RISK_CLASSES } from '../contract/events';
import { MAX_ID_BYTES, SWEEP_SHARDS } from '../contract/tables';
import { parseBusinessDate } from './dates';
import { isBucket } from './delinquency';
import { isMinorUnits } from './money';
import { parseDecimal } from './rational';
import type {
  BusinessDate,
  EpisodeState,
  Installment,
  Loan,
  LoanParseResult,
  LoanStatus,
  Locale,
  MinorUnits,
  Payment,
  PromiseOutcome,
  PromiseToPay,
  PromiseVerdict,
  Rational,
  RiskClass,
} from './types';
import {
  bounded,
  ExactNumber,
  isRecord,
  MAX_QUOTED_CHARS,
  MAX_REASON_CHARS,
  type QuoteOptions,
  quoted,
  utf8ByteLength,
} from './values';

/** A stored number as the parsers take it: a JS number, or the exact decimal text of one. */
export type NumberLike = number | ExactNumber;

const STATUSES: readonly LoanStatus[] = ['ACTIVE', 'PAID_OFF', 'CHARGED_OFF', 'CANCELLED'];
const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** Thrown inside this module only; `parseLoanItem` turns it into a failure result. */
class ItemProblem extends Error {}

/** Personal data (docs/contract.md: Loans table, Summary): shown by its kind only. */
const PERSONAL: QuoteOptions = { personal: true };

const DECIMAL_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A value as a reason may show it (`quoted`: short values whole, others by kind and size); a
 * wrapped number by its decimal text when that is short.
 */
function shown(value: unknown, options: QuoteOptions = {}): string {
  if (value instanceof ExactNumber) {
    const text = value.text;
    if (options.personal) return 'a number';
    if (!DECIMAL_TEXT.test(text)) return quoted(text);
    return text.length <= MAX_QUOTED_CHARS ? text : `a number of ${text.length} characters`;
  }
  return quoted(value, options);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** The exact value of a stored number (a JS number or an ExactNumber); undefined for anything else. */
export function exactNumberOf(value: unknown): Rational | undefined {
  if (value instanceof ExactNumber) return parseDecimal(value.text);
  if (typeof value !== 'number') return undefined;
  return Number.isFinite(value) ? parseDecimal(String(value)) : undefined;
}

/** Exact value of an N attribute; throws an ItemProblem naming `path` otherwise. */
function exactNumber(value: unknown, path: string): Rational {
  const parsed = exactNumberOf(value);
  if (!parsed) throw new ItemProblem(`${path}: ${shown(value)} is not a number`);
  return parsed;
}

function integer(value: unknown, path: string): number {
  const exact = exactNumber(value, path);
  const asNumber = Number(exact.numerator);
  if (exact.denominator !== 1n || !Number.isSafeInteger(asNumber)) {
    throw new ItemProblem(`${path}: ${shown(value)} is not an integer`);
  }
  return asNumber;
}

function intInRange(value: unknown, path: string, minimum: number, maximum?: number): number {
  const n = integer(value, path);
  if (n < minimum || (maximum !== undefined && n > maximum)) {
    const range = maximum === undefined ? `≥ ${minimum}` : `${minimum}–${maximum}`;
    throw new ItemProblem(`${path}: ${n} is outside ${range}`);
  }
  return n;
}

function money(value: unknown, path: string): MinorUnits {
  const n = integer(value, path);
  if (!isMinorUnits(n)) throw new ItemProblem(`${path}: ${n} is negative`);
  return n;
}

function optionalMoney(value: unknown, path: string): MinorUnits {
  return isAbsent(value) ? 0 : money(value, path);
}

function requiredString(value: unknown, path: string, options: QuoteOptions = {}): string {
  if (isAbsent(value)) throw new ItemProblem(`${path}: missing`);
  if (typeof value !== 'string') {
    throw new ItemProblem(`${path}: ${shown(value, options)} is not a string`);
  }
  if (value.length === 0) throw new ItemProblem(`${path}: empty`);
  return value;
}

function optionalString(value: unknown, path: string): string | undefined {
  return isAbsent(value) ? undefined : requiredString(value, path);
}

function date(value: unknown, path: string): BusinessDate {
  if (isAbsent(value)) throw new ItemProblem(`${path}: missing`);
  const parsed = parseBusinessDate(value);
  if (!parsed) throw new ItemProblem(`${path}: ${shown(value)} is not a YYYY-MM-DD date`);
  return parsed;
}

function optionalDate(value: unknown, path: string): BusinessDate | undefined {
  return isAbsent(value) ? undefined : date(value, path);
}

function required(value: unknown, path: string): unknown {
  if (isAbsent(value)) throw new ItemProblem(`${path}: missing`);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const text = requiredString(value, path);
  if (!(allowed as readonly string[]).includes(text)) {
    throw new ItemProblem(`${path}: ${shown(value)} is not one of ${allowed.join(', ')}`);
  }
  return text as T;
}

/** Longest `paymentId`, in characters: ids travel in `paymentsApplied`, ledger entries and events. */
export const MAX_PAYMENT_ID_CHARS = 256;

function parsePayment(value: unknown, path: string): Payment {
  if (!isRecord(value)) throw new ItemProblem(`${path}: not a map`);
  const paymentId = requiredString(value.paymentId, `${path}.paymentId`);
  if (paymentId.length > MAX_PAYMENT_ID_CHARS) {
    throw new ItemProblem(
      `${path}.paymentId: ${shown(paymentId)} is longer than ${MAX_PAYMENT_ID_CHARS} characters`,
    );
  }
  return {
    paymentId,
    valueDate: date(value.valueDate, `${path}.valueDate`),
    principal: money(required(value.principal, `${path}.principal`), `${path}.principal`),
    interest: money(required(value.interest, `${path}.interest`), `${path}.interest`),
  };
}

/**
 * An instalment's `payments` (docs/contract.md, Loans table): a list of maps with unique ids, real value dates and
 * amounts ≥ 0 whose sums are the instalment's `principalPaid` and `interestPaid`.
 */
function parsePayments(
  value: unknown,
  at: string,
  paid: { readonly principal: MinorUnits; readonly interest: MinorUnits },
): Payment[] | undefined {
  if (isAbsent(value)) return undefined;
  const path = `${at}.payments`;
  if (!Array.isArray(value)) throw new ItemProblem(`${path}: not a list`);
  const seen = new Set<string>();
  const payments = value.map((entry, index) => {
    const payment = parsePayment(entry, `${path}[${index}]`);
    if (seen.has(payment.paymentId)) {
      throw new ItemProblem(`${path}[${index}].paymentId: ${shown(payment.paymentId)} is repeated`);
    }
    seen.add(payment.paymentId);
    return payment;
  });
  for (const [field, key, total] of [
    ['principal', 'principalPaid', paid.principal],
    ['interest', 'interestPaid', paid.interest],
  ] as const) {
    const sum = payments.reduce((s, payment) => s + BigInt(payment[field]), 0n);
    if (sum !== BigInt(total)) {
      throw new ItemProblem(`${path}: ${field} sums to ${sum}, but ${key} is ${total}`);
    }
  }
  return payments;
}

function parsePaymentsApplied(value: unknown, at: string): string[] {
  if (isAbsent(value)) return [];
  const path = `${at}.paymentsApplied`;
  if (!Array.isArray(value)) throw new ItemProblem(`${path}: not a list`);
  return value.map((id, index) => requiredString(id, `${path}[${index}]`));
}

function parseInstallment(value: unknown, index: number): Installment {
  const at = `installments[${index}]`;
  if (!isRecord(value)) throw new ItemProblem(`${at}: not a map`);
  const principalDue = money(
    required(value.principalDue, `${at}.principalDue`),
    `${at}.principalDue`,
  );
  const interestDue = money(required(value.interestDue, `${at}.interestDue`), `${at}.interestDue`);
  const principalPaid = money(
    required(value.principalPaid, `${at}.principalPaid`),
    `${at}.principalPaid`,
  );
  const interestPaid = money(
    required(value.interestPaid, `${at}.interestPaid`),
    `${at}.interestPaid`,
  );
  if (principalPaid > principalDue) {
    throw new ItemProblem(
      `${at}.principalPaid: ${principalPaid} exceeds principalDue ${principalDue}`,
    );
  }
  if (interestPaid > interestDue) {
    throw new ItemProblem(`${at}.interestPaid: ${interestPaid} exceeds interestDue ${interestDue}`);
  }
  const penaltyThrough = optionalDate(value.penaltyThrough, `${at}.penaltyThrough`);
  const payments = parsePayments(value.payments, at, {
    principal: principalPaid,
    interest: interestPaid,
  });
  return {
    seq: intInRange(required(value.seq, `${at}.seq`), `${at}.seq`, 0),
    dueDate: date(value.dueDate, `${at}.dueDate`),
    principalDue,
    interestDue,
    principalPaid,
    interestPaid,
    ...(penaltyThrough === undefined ? {} : { penaltyThrough }),
    lateFeeCharged: optionalMoney(value.lateFeeCharged, `${at}.lateFeeCharged`),
    ...(payments === undefined ? {} : { payments }),
    paymentsApplied: parsePaymentsApplied(value.paymentsApplied, at),
  };
}

function parseInstallments(value: unknown): Installment[] {
  if (isAbsent(value)) throw new ItemProblem('installments: missing');
  if (!Array.isArray(value)) throw new ItemProblem('installments: not a list');
  if (value.length === 0) throw new ItemProblem('installments: empty list');
  const installments = value.map(parseInstallment);
  installments.forEach((inst, index) => {
    const previous = installments[index - 1];
    if (previous && inst.seq <= previous.seq) {
      const problem = inst.seq === previous.seq ? 'duplicate' : 'out of order';
      throw new ItemProblem(`installments[${index}].seq: ${inst.seq} is ${problem}`);
    }
  });
  return installments;
}

/** Longest `promiseId`, in characters: it travels in events and in `promiseOutcome`. */
export const MAX_PROMISE_ID_CHARS = 256;

function promiseIdOf(value: unknown, path: string): string {
  const promiseId = requiredString(value, path);
  if (promiseId.length > MAX_PROMISE_ID_CHARS) {
    throw new ItemProblem(
      `${path}: ${shown(promiseId)} is longer than ${MAX_PROMISE_ID_CHARS} characters`,
    );
  }
  return promiseId;
}

/**
 * Upstream's `promiseToPay` (docs/contract.md, Delinquency episodes): a map of `promiseId`,
 * `madeOn`, `until` (dates, `madeOn ≤ until`) and `amount` (minor units, > 0).
 */
function parsePromiseToPay(value: unknown): PromiseToPay | undefined {
  if (isAbsent(value)) return undefined;
  const at = 'promiseToPay';
  if (!isRecord(value)) throw new ItemProblem(`${at}: ${shown(value)} is not a map`);
  const promiseId = promiseIdOf(value.promiseId, `${at}.promiseId`);
  const madeOn = date(value.madeOn, `${at}.madeOn`);
  const until = date(value.until, `${at}.until`);
  if (until < madeOn) throw new ItemProblem(`${at}.until: ${until} is before madeOn ${madeOn}`);
  const amount = money(required(value.amount, `${at}.amount`), `${at}.amount`);
  if (amount <= 0) throw new ItemProblem(`${at}.amount: ${amount} must be > 0`);
  return { promiseId, madeOn, until, amount };
}

const VERDICTS: readonly PromiseVerdict[] = ['KEPT', 'BROKEN'];

function parsePromiseOutcome(value: unknown): PromiseOutcome | undefined {
  if (isAbsent(value)) return undefined;
  const at = 'promiseOutcome';
  if (!isRecord(value)) throw new ItemProblem(`${at}: ${shown(value)} is not a map`);
  return {
    promiseId: promiseIdOf(value.promiseId, `${at}.promiseId`),
    outcome: oneOf(value.outcome, `${at}.outcome`, VERDICTS),
    asOf: date(value.asOf, `${at}.asOf`),
  };
}

/** The sweep's episode attributes, defaulted when absent (`NORMAL`, not on hold). */
function parseEpisode(item: Record<string, unknown>): EpisodeState {
  const creditHold = item.creditHold;
  if (!isAbsent(creditHold) && typeof creditHold !== 'boolean') {
    throw new ItemProblem(`creditHold: ${shown(creditHold)} is not a boolean`);
  }
  const riskClass: RiskClass = isAbsent(item.riskClass)
    ? 'NORMAL'
    : oneOf(item.riskClass, 'riskClass', RISK_CLASSES);
  const delinquentSince = optionalDate(item.delinquentSince, 'delinquentSince');
  const creditNoticeOn = optionalDate(item.creditNoticeOn, 'creditNoticeOn');
  const hardshipOfferId = optionalString(item.hardshipOfferId, 'hardshipOfferId');
  const promiseOutcome = parsePromiseOutcome(item.promiseOutcome);
  return {
    riskClass,
    ...(delinquentSince === undefined ? {} : { delinquentSince }),
    creditHold: creditHold === true,
    ...(creditNoticeOn === undefined ? {} : { creditNoticeOn }),
    ...(hardshipOfferId === undefined ? {} : { hardshipOfferId }),
    ...(promiseOutcome === undefined ? {} : { promiseOutcome }),
  };
}

/** A string that keys a table: at most {@link MAX_ID_BYTES} bytes in UTF-8. */
function keyId(value: unknown, path: string, why: string, options: QuoteOptions = {}): string {
  const text = requiredString(value, path, options);
  if (utf8ByteLength(text) > MAX_ID_BYTES) {
    // Personal: neither the value nor its size is shown.
    const what = options.personal ? 'a string' : `${utf8ByteLength(text)} bytes in UTF-8,`;
    throw new ItemProblem(`${path}: ${what} over the ${MAX_ID_BYTES}-byte limit (${why})`);
  }
  return text;
}

function parseLoan(item: Record<string, unknown>): Loan {
  const loanId = keyId(item.loanId, 'loanId', 'a partition key');
  const principal = money(required(item.principal, 'principal'), 'principal');
  if (principal <= 0) throw new ItemProblem(`principal: ${principal} must be > 0`);
  const dailyInterestRate = exactNumber(
    required(item.dailyInterestRate, 'dailyInterestRate'),
    'dailyInterestRate',
  );
  if (dailyInterestRate.numerator < 0n) {
    throw new ItemProblem(`dailyInterestRate: ${shown(item.dailyInterestRate)} is negative`);
  }
  const currency = requiredString(item.currency, 'currency');
  if (!CURRENCY_PATTERN.test(currency)) {
    throw new ItemProblem(`currency: ${shown(currency)} is not an ISO 4217 code`);
  }
  const remindersOptOut = item.remindersOptOut;
  if (!isAbsent(remindersOptOut) && typeof remindersOptOut !== 'boolean') {
    throw new ItemProblem(`remindersOptOut: ${shown(remindersOptOut)} is not a boolean`);
  }
  const bucket = item.bucket;
  if (!isAbsent(bucket) && !isBucket(bucket)) {
    throw new ItemProblem(`bucket: ${shown(bucket)} is not a bucket (M0–M7)`);
  }
  const productCode = optionalString(item.productCode, 'productCode');
  const forbearanceUntil = optionalDate(item.forbearanceUntil, 'forbearanceUntil');
  const nextDueDate = optionalDate(item.nextDueDate, 'nextDueDate');
  const accruedThrough = optionalDate(item.accruedThrough, 'accruedThrough');
  const promiseToPay = parsePromiseToPay(item.promiseToPay);
  return {
    loanId,
    borrowerId: keyId(item.borrowerId, 'borrowerId', "it keys the borrower's reminders", PERSONAL),
    ...(productCode === undefined ? {} : { productCode }),
    currency,
    principal,
    dailyInterestRate,
    status: oneOf(item.status, 'status', STATUSES),
    installments: parseInstallments(item.installments),
    ...(forbearanceUntil === undefined ? {} : { forbearanceUntil }),
    locale: isAbsent(item.locale) ? 'zh-CN' : oneOf(item.locale, 'locale', LOCALES),
    remindersOptOut: remindersOptOut === true,
    ...(promiseToPay === undefined ? {} : { promiseToPay }),
    ...(nextDueDate === undefined ? {} : { nextDueDate }),
    sweepShard: intInRange(
      required(item.sweepShard, 'sweepShard'),
      'sweepShard',
      0,
      SWEEP_SHARDS - 1,
    ),
    ...(accruedThrough === undefined ? {} : { accruedThrough }),
    dpd: isAbsent(item.dpd) ? 0 : intInRange(item.dpd, 'dpd', 0),
    bucket: isBucket(bucket) ? bucket : 'M0',
    lateFeesCharged: optionalMoney(item.lateFeesCharged, 'lateFeesCharged'),
    penaltyCharged: optionalMoney(item.penaltyCharged, 'penaltyCharged'),
    version: isAbsent(item.version) ? 0 : intInRange(item.version, 'version', 0),
    episode: parseEpisode(item),
  };
}

/**
 * Every top-level attribute {@link parseLoanItem} reads: a reader that needs the loan and nothing
 * else reads the item with these only (the sweep's recorded events and run records are left out).
 */
export const LOAN_ITEM_ATTRIBUTES: readonly string[] = [
  'loanId',
  'borrowerId',
  'currency',
  'principal',
  'dailyInterestRate',
  'status',
  'installments',
  'locale',
  'sweepShard',
  'productCode',
  'remindersOptOut',
  'forbearanceUntil',
  'nextDueDate',
  'accruedThrough',
  'bucket',
  'dpd',
  'lateFeesCharged',
  'penaltyCharged',
  'version',
  'promiseToPay',
  'creditHold',
  'riskClass',
  'delinquentSince',
  'creditNoticeOn',
  'hardshipOfferId',
  'promiseOutcome',
];

/**
 * Validates a loans-table item (plain values: see the module comment) into a `Loan`. Never
 * throws: a bad item yields `{ ok: false, loanId?, reason }`, the reason naming the attribute,
 * e.g. `installments[1].dueDate: "2026-13-01" is not a YYYY-MM-DD date`.
 */
export function parseLoanItem(item: Record<string, unknown>): LoanParseResult {
  const loanId =
    typeof item?.loanId === 'string' && item.loanId.length > 0 ? item.loanId : undefined;
  try {
    if (!isRecord(item)) throw new ItemProblem('item: not a map');
    return { ok: true, loan: parseLoan(item) };
  } catch (error) {
    // Any other error's message could echo item data: only its name is reported.
    const reason =
      error instanceof ItemProblem
        ? error.message
        : `unexpected error (${error instanceof Error ? error.name : typeof error})`;
    return {
      ok: false,
      ...(loanId === undefined ? {} : { loanId }),
      reason: bounded(reason, MAX_REASON_CHARS),
    };
  }
}

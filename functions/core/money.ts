/** Minor-unit amounts (docs/contract.md, Loans table): integer counts of a currency's minor unit, always safe integers. */
import type { CurrencyCode, Locale, MinorUnits } from './types';
import { boundedMemo } from './values';

/** True when `value` is a non-negative safe integer, i.e. a valid amount in minor units. */
export function isMinorUnits(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Converts an exact BigInt amount (minor units) to a number.
 * @throws RangeError when it does not fit a safe integer (it would lose precision).
 */
export function minorUnitsFromBigInt(value: bigint): MinorUnits {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`amount ${value} is outside 0..${Number.MAX_SAFE_INTEGER} minor units`);
  }
  return Number(value);
}

/**
 * The exact sum of amounts in minor units.
 * @throws RangeError when the sum is not a safe integer.
 */
export function sumMinorUnits(amounts: Iterable<MinorUnits>): MinorUnits {
  let total = 0n;
  for (const amount of amounts) total += BigInt(amount);
  return minorUnitsFromBigInt(total);
}

/** Formats amounts of minor units in one currency for one locale (see {@link moneyFormat}). */
export type MoneyFormat = (amount: MinorUnits) => string;

/**
 * The runtime's currency formatter of a locale and currency (`zh-CN|CNY`), built once: building one
 * costs some hundred formats with it, and a reminder service formats amounts in every message.
 */
const currencyFormatter = boundedMemo(256, (key: `${Locale}|${string}`) => {
  // A locale never holds `|`: whatever follows the first one is the currency, whole.
  const at = key.indexOf('|');
  return new Intl.NumberFormat(key.slice(0, at), {
    style: 'currency',
    currency: key.slice(at + 1),
  });
});

/**
 * A formatter of amounts of minor units in `currency` for `locale` (e.g. `¥1,234.56`,
 * `$1,234.56`). Exact for any safe integer: the decimal is built as text with BigInt and handed to
 * Intl.NumberFormat as a string, so no binary floating point touches it.
 */
export function moneyFormat(currency: CurrencyCode, locale: Locale): MoneyFormat {
  const formatter = currencyFormatter(`${locale}|${currency}`);
  // The currency's minor-unit digits (CNY 2, JPY 0, KWD 3) as the runtime's CLDR data knows them.
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10n ** BigInt(digits);
  return (amount) => {
    const value = BigInt(amount);
    const negative = value < 0n;
    const magnitude = negative ? -value : value;
    const whole = (magnitude / scale).toString();
    const fraction = (magnitude % scale).toString().padStart(digits, '0');
    const text = `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
    return formatter.format(text as Intl.StringNumericLiteral);
  };
}

/** Formats one amount of minor units in `currency` for `locale` (see {@link moneyFormat}). */
export function formatMoney(amount: MinorUnits, currency: CurrencyCode, locale: Locale): string {
  return moneyFormat(currency, locale)(amount);
}

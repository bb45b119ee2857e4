/**
 * How the commands print money, in one place: exact from minor units in the amount's own currency
 * (`CN¥1,234.56`), and zero always as `0` — with or without a currency, so a column of figures
 * never shows nothing three different ways (`CN¥0.00`, `0`, `—`).
 */
import { formatMoney } from '../functions/core/money';
import type { AmountsByCurrency } from '../functions/core/report';
import type { CurrencyCode, MinorUnits } from '../functions/core/types';

/** Zero money, whatever the currency. */
export const ZERO_MONEY = '0';

/** An amount of minor units in `currency`, e.g. `CN¥31.25`, `-CN¥2.10`; zero as `0`. */
export function moneyText(amount: MinorUnits, currency: CurrencyCode): string {
  return amount === 0 ? ZERO_MONEY : formatMoney(amount, currency, 'en');
}

/**
 * Amounts by currency, sorted by currency, joined by `separator` (a line each by default);
 * currencies at zero left out, and `0` when nothing is left.
 */
export function amountsText(amounts: AmountsByCurrency, separator = '\n'): string {
  const entries = Object.entries(amounts)
    .filter(
      (entry): entry is [CurrencyCode, MinorUnits] => entry[1] !== undefined && entry[1] !== 0,
    )
    .sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return ZERO_MONEY;
  return entries.map(([currency, amount]) => moneyText(amount, currency)).join(separator);
}

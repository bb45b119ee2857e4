/**
 * One way to print money in every command: exact from minor units in the amount's currency, and
 * zero as `0` whether or not a currency is known.
 */
import { describe, expect, it } from 'vitest';
import { amountsText, moneyText, ZERO_MONEY } from '../../../local/money-text';

describe('money in the commands’ output', () => {
  it('prints an amount exactly in its own currency, negative amounts with a minus', () => {
    expect(moneyText(3125, 'CNY')).toBe('CN¥31.25');
    expect(moneyText(-210, 'CNY')).toBe('-CN¥2.10');
    expect(moneyText(535, 'USD')).toBe('$5.35');
    expect(moneyText(1500, 'JPY')).toBe('¥1,500');
  });

  it('prints zero as 0 in every currency and for no amount at all', () => {
    expect(ZERO_MONEY).toBe('0');
    for (const currency of ['CNY', 'USD', 'JPY', 'KWD']) expect(moneyText(0, currency)).toBe('0');
    expect(amountsText({})).toBe('0');
    expect(amountsText({ CNY: 0, USD: 0 })).toBe('0');
  });

  it('lists several currencies sorted, one a line, leaving out those at zero', () => {
    expect(amountsText({ USD: 535, CNY: 3125, EUR: 0 })).toBe('CN¥31.25\n$5.35');
    expect(amountsText({ USD: 535, CNY: 3125 }, ', ')).toBe('CN¥31.25, $5.35');
  });
});

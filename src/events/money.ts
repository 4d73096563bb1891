import Decimal from 'decimal.js';

/**
 * Money is exact decimal, rounded half-up to cents; never binary floating point. It travels as a decimal
 * string inside events and as a JSON number in REST bodies (API.md).
 */
const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

export const money = (value: string | number | Decimal): Money => new Money(value).toDecimalPlaces(2);

export const ZERO = money(0);

/** "10.00" — the form stored in events and views. */
export const moneyString = (value: Money): string => value.toFixed(2);

/** The JSON number form of REST bodies. */
export const moneyNumber = (value: Money | string): number => Number(money(value).toFixed(2));

export const sum = (values: readonly Money[]): Money =>
  values.reduce((total, value) => total.plus(value), ZERO);

/** Tax is 10% of the subtotal, rounded to cents. */
export const taxOf = (subtotal: Money): Money => money(subtotal.times('0.10'));

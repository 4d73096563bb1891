import Decimal from 'decimal.js';
import { z } from 'zod';
import { money, type Money } from '../events/money';

/**
 * Every bound the REST edge puts on amounts and counts, in one place. The request schemas are built from
 * these, so /openapi.json documents exactly what the server enforces.
 *
 * Money stays below 2^53 cents by far, so an amount is exact as a JSON number too.
 */
export const INPUT_LIMITS = {
  /** Any money field of a request (price, unitPrice, amount), and an order's total. */
  minAmount: '0.01',
  maxAmount: '1000000000.00',
  /** Units on one order line. */
  maxLineQuantity: 1_000_000,
  /** Lines on one order. */
  maxLineItems: 100,
  /** Units in one stock operation (reserve, release, replenish), and a product's quantityOnHand. */
  maxStockQuantity: 1_000_000_000,
} as const;

const amountRange = `${INPUT_LIMITS.minAmount} to ${INPUT_LIMITS.maxAmount}`;
const amountMessage = `must be ${amountRange}`;
const decimalString = /^-?\d+(\.\d+)?$/;
const withinAmounts = (value: Decimal.Value): boolean =>
  new Decimal(value).greaterThanOrEqualTo(INPUT_LIMITS.minAmount) &&
  new Decimal(value).lessThanOrEqualTo(INPUT_LIMITS.maxAmount);
// A string that is no number at all is told so by the regex alone.
const withinAmountsIfDecimal = (value: string): boolean => !decimalString.test(value) || withinAmounts(value);

/**
 * A money field: a JSON number or a numeric string (API.md), bounded as sent, then rounded half-up to
 * cents. The number form carries the bounds in the documented schema; the string form says them.
 */
export const amountSchema = (): z.ZodType<Money, number | string> =>
  z
    .union([
      z
        .number()
        .min(Number(INPUT_LIMITS.minAmount), amountMessage)
        .max(Number(INPUT_LIMITS.maxAmount), amountMessage),
      z
        .string()
        .trim()
        .regex(decimalString, 'must be a decimal number')
        .refine(withinAmountsIfDecimal, amountMessage)
        .describe(`A decimal number from ${amountRange}`),
    ])
    .transform((value) => money(value));

/** A computed amount (an order's total) that must stay within what a request may carry. */
export const isWithinAmountLimits = (value: Money): boolean => withinAmounts(value);

const wholeNumber = (min: number, max: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** Units on one order line: 1 to maxLineQuantity. */
export const lineQuantitySchema = () => wholeNumber(1, INPUT_LIMITS.maxLineQuantity);

/** Units moved by one stock operation: 1 to maxStockQuantity. */
export const stockQuantitySchema = () => wholeNumber(1, INPUT_LIMITS.maxStockQuantity);

/** A stock level (quantityOnHand): 0 to maxStockQuantity. */
export const stockLevelSchema = () => wholeNumber(0, INPUT_LIMITS.maxStockQuantity);

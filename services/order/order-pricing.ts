import { INPUT_LIMITS, isWithinAmountLimits } from '../../src/api/input-limits';
import { money, moneyString, sum, taxOf, type Money } from '../../src/events/money';
import type { LineItem } from './order-decider';
import type { ProductRow } from './cross-service-views';

export interface RequestedLine {
  readonly productId: string;
  readonly quantity: number;
  readonly unitPrice?: Money | undefined;
}

export interface Priced {
  readonly lineItems: LineItem[];
  readonly subtotal: string;
  readonly tax: string;
  readonly total: string;
}

/** Field path → message, for the lines that could not be priced. */
export type PricingProblems = Record<string, string>;

/**
 * Prices an order exactly: a missing unitPrice is the product's current price. Every line must name a
 * product we know, so an order for something that does not exist is refused before anything is written.
 * Tax is 10% of the subtotal, rounded half-up to cents; the total must stay within the amount limits.
 */
export function priceOrder(
  lines: readonly RequestedLine[],
  products: ReadonlyMap<string, ProductRow>,
): { priced: Priced } | { problems: PricingProblems } {
  const problems: PricingProblems = {};
  const lineItems: LineItem[] = [];
  lines.forEach((line, index) => {
    const product = products.get(line.productId);
    if (!product) {
      problems[`lineItems.${index}.productId`] =
        `unknown product ${line.productId}; create the product first`;
      return;
    }
    const unitPrice = line.unitPrice ?? money(product.price);
    lineItems.push({
      productId: line.productId,
      productName: product.name,
      sku: product.sku,
      quantity: line.quantity,
      unitPrice: moneyString(unitPrice),
      lineTotal: moneyString(money(unitPrice.times(line.quantity))),
    });
  });
  if (Object.keys(problems).length > 0) return { problems };
  const subtotal = sum(lineItems.map((item) => money(item.lineTotal)));
  const tax = taxOf(subtotal);
  const total = subtotal.plus(tax);
  if (!isWithinAmountLimits(total)) {
    return {
      problems: {
        lineItems: `come to a total of ${moneyString(total)}, above the limit of ${INPUT_LIMITS.maxAmount}`,
      },
    };
  }
  return {
    priced: { lineItems, subtotal: moneyString(subtotal), tax: moneyString(tax), total: moneyString(total) },
  };
}

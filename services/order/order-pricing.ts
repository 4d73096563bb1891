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
 * Prices an order exactly: a missing unitPrice is the product's current price; a product nobody knows
 * and no unitPrice cannot be priced. Tax is 10% of the subtotal, rounded half-up to cents.
 */
export function priceOrder(
  lines: readonly RequestedLine[],
  products: ReadonlyMap<string, ProductRow>,
): { priced: Priced } | { problems: PricingProblems } {
  const problems: PricingProblems = {};
  const lineItems: LineItem[] = [];
  lines.forEach((line, index) => {
    const product = products.get(line.productId);
    const unitPrice = line.unitPrice ?? (product ? money(product.price) : undefined);
    if (!unitPrice) {
      problems[`lineItems.${index}.productId`] =
        `unknown product ${line.productId}; give a unitPrice or create the product first`;
      return;
    }
    lineItems.push({
      productId: line.productId,
      productName: product?.name ?? null,
      sku: product?.sku ?? null,
      quantity: line.quantity,
      unitPrice: moneyString(unitPrice),
      lineTotal: moneyString(money(unitPrice.times(line.quantity))),
    });
  });
  if (Object.keys(problems).length > 0) return { problems };
  const subtotal = sum(lineItems.map((item) => money(item.lineTotal)));
  const tax = taxOf(subtotal);
  return {
    priced: {
      lineItems,
      subtotal: moneyString(subtotal),
      tax: moneyString(tax),
      total: moneyString(subtotal.plus(tax)),
    },
  };
}

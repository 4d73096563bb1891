import type { ProductRow } from '../../../services/order/cross-service-views';
import { priceOrder, type Priced, type RequestedLine } from '../../../services/order/order-pricing';
import { money } from '../../../src/events/money';

const row = (productId: string, price: string): ProductRow => ({
  productId,
  name: `Product ${productId}`,
  sku: `SKU-${productId}`,
  price,
  quantityOnHand: 100,
  quantityReserved: 0,
});

const catalogue = (...rows: ProductRow[]): Map<string, ProductRow> =>
  new Map(rows.map((product) => [product.productId, product]));

/** What the order service knows by default: the products the lines below name. */
const known = catalogue(row('p-1', '1.00'), row('p-2', '2.00'));

const priced = (lines: readonly RequestedLine[], products = known): Priced => {
  const result = priceOrder(lines, products);
  if (!('priced' in result)) throw new Error(`expected a price, got ${JSON.stringify(result.problems)}`);
  return result.priced;
};

const totals = ({ subtotal, tax, total }: Priced) => ({ subtotal, tax, total });

describe('priceOrder', () => {
  it('takes a missing unitPrice from the product, with its name and sku', () => {
    expect(priced([{ productId: 'p-1', quantity: 3 }], catalogue(row('p-1', '19.99')))).toEqual({
      lineItems: [
        {
          productId: 'p-1',
          productName: 'Product p-1',
          sku: 'SKU-p-1',
          quantity: 3,
          unitPrice: '19.99',
          lineTotal: '59.97',
        },
      ],
      subtotal: '59.97',
      tax: '6.00',
      total: '65.97',
    });
  });

  it("prefers the request's unitPrice over the product's current price", () => {
    const [line] = priced(
      [{ productId: 'p-1', quantity: 2, unitPrice: money('5.00') }],
      catalogue(row('p-1', '19.99')),
    ).lineItems;
    expect(line).toMatchObject({ unitPrice: '5.00', lineTotal: '10.00', productName: 'Product p-1' });
  });

  it('refuses a product nobody knows even with a unitPrice, so no order is made for it', () => {
    expect(priceOrder([{ productId: 'p-x', quantity: 1, unitPrice: money('2.50') }], known)).toEqual({
      problems: { 'lineItems.0.productId': expect.stringContaining('unknown product p-x') },
    });
  });

  it('computes exactly in decimal: 0.1 × 3 is 0.30', () => {
    const result = priced([{ productId: 'p-1', quantity: 3 }], catalogue(row('p-1', '0.1')));
    expect(result.lineItems[0]).toMatchObject({ unitPrice: '0.10', lineTotal: '0.30' });
    expect(totals(result)).toEqual({ subtotal: '0.30', tax: '0.03', total: '0.33' });
  });

  it('adds lines exactly: 0.10 + 0.20 is 0.30', () => {
    const result = priced(
      [
        { productId: 'p-1', quantity: 1 },
        { productId: 'p-2', quantity: 1 },
      ],
      catalogue(row('p-1', '0.10'), row('p-2', '0.20')),
    );
    expect(result.subtotal).toBe('0.30');
  });

  it('prices 19.99 × 3 as 59.97', () => {
    const result = priced([{ productId: 'p-1', quantity: 3, unitPrice: money(19.99) }]);
    expect(result.lineItems[0]?.lineTotal).toBe('59.97');
  });

  it.each([
    ['0.05', '0.01'],
    ['0.04', '0.00'],
    ['0.15', '0.02'],
    // 0.35 × 0.1 is 0.034999… in binary floating point, which would round to 0.03.
    ['0.35', '0.04'],
    ['1.05', '0.11'],
    ['10.04', '1.00'],
    ['10.05', '1.01'],
  ])('taxes a subtotal of %s at 10%% rounded half-up: %s', (subtotal, tax) => {
    const result = priced([{ productId: 'p-1', quantity: 1, unitPrice: money(subtotal) }]);
    expect(totals(result)).toEqual({
      subtotal,
      tax,
      total: money(subtotal).plus(money(tax)).toFixed(2),
    });
  });

  it('sums several lines before taxing once', () => {
    const result = priced(
      [
        { productId: 'p-1', quantity: 2 },
        { productId: 'p-2', quantity: 1, unitPrice: money('0.05') },
      ],
      catalogue(row('p-1', '0.02'), row('p-2', '9.99')),
    );
    // Per-line tax would be 0.00 + 0.01; the order's tax is 10% of 0.09 = 0.009 → 0.01.
    expect(totals(result)).toEqual({ subtotal: '0.09', tax: '0.01', total: '0.10' });
  });

  it('keeps large totals exact, up to the amount limit', () => {
    // 909090909.09 + 10% tax (90909090.91) is 999999999.99 + 0.01: the limit itself.
    const result = priced([{ productId: 'p-1', quantity: 9, unitPrice: money('101010101.01') }]);
    expect(totals(result)).toEqual({
      subtotal: '909090909.09',
      tax: '90909090.91',
      total: '1000000000.00',
    });
  });

  it('refuses an order whose total is above the amount limit, naming its lines', () => {
    const result = priceOrder(
      [{ productId: 'p-1', quantity: 1_000_000, unitPrice: money('99999.99') }],
      known,
    );
    expect(result).toEqual({
      problems: { lineItems: 'come to a total of 109999989000.00, above the limit of 1000000000.00' },
    });
  });

  it('reports an unknown product without unitPrice by its field path', () => {
    expect(priceOrder([{ productId: 'p-x', quantity: 1 }], catalogue())).toEqual({
      problems: { 'lineItems.0.productId': expect.stringContaining('p-x') },
    });
  });

  it('reports every line naming an unknown product by its own index, and only those', () => {
    const result = priceOrder(
      [
        { productId: 'p-1', quantity: 1 },
        { productId: 'p-x', quantity: 1 },
        { productId: 'p-y', quantity: 1, unitPrice: money('1.00') },
        { productId: 'p-z', quantity: 2 },
      ],
      catalogue(row('p-1', '1.00')),
    );
    expect('problems' in result && Object.keys(result.problems).sort()).toEqual([
      'lineItems.1.productId',
      'lineItems.2.productId',
      'lineItems.3.productId',
    ]);
  });
});

import { Counter, type Registry } from 'prom-client';

/**
 * The business counters of OBSERVABILITY.md (`orders_created_total`, `payments_total`, `order_revenue_total`),
 * counted from committed events where the aggregate repository counts `events_appended_total`: once per
 * event cluster-wide. Amounts are decimal strings in the events; the counter takes their float value.
 */
export class BusinessMetrics {
  private readonly ordersCreated: Counter;
  private readonly payments: Counter<'outcome'>;
  private readonly revenue: Counter;
  private readonly refunded: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ordersCreated = new Counter({ name: 'orders_created_total', help: 'Orders created', registers });
    this.payments = new Counter({
      name: 'payments_total',
      help: 'Payments by outcome: captured, failed (declined), refunded',
      labelNames: ['outcome'],
      registers,
    });
    this.revenue = new Counter({
      name: 'order_revenue_total',
      help: 'Amount captured by payments (refunds are in order_refunded_total)',
      registers,
    });
    this.refunded = new Counter({
      name: 'order_refunded_total',
      help: 'Amount refunded',
      registers,
    });
  }

  /** Called once per committed event. */
  observe(event: { readonly eventType: string; readonly payload: unknown }): void {
    const amount = (): number => {
      const value = Number((event.payload as { amount?: unknown } | null)?.amount);
      return Number.isFinite(value) && value > 0 ? value : 0;
    };
    switch (event.eventType) {
      case 'OrderCreated':
        this.ordersCreated.inc();
        return;
      case 'PaymentProcessed':
        this.payments.inc({ outcome: 'captured' });
        this.revenue.inc(amount());
        return;
      case 'PaymentFailed':
        this.payments.inc({ outcome: 'failed' });
        return;
      case 'PaymentRefunded':
        this.payments.inc({ outcome: 'refunded' });
        this.refunded.inc(amount());
        return;
    }
  }
}

import { randomUUID } from 'node:crypto';
import type { Client as HazelcastClient } from 'hazelcast-client';
import pino from 'pino';
import { Registry } from 'prom-client';
import { productDecider } from '../../services/inventory/product-decider';
import { systemClock } from '../../src/core/clock';
import { randomIds } from '../../src/core/ids';
import { Naming } from '../../src/core/naming';
import { FrameworkMetrics } from '../../src/metrics/framework-metrics';
import { EventSourcingRuntime } from '../../src/runtime/event-sourcing-runtime';
import { HazelcastKeyValueStore } from '../../src/storage/hazelcast-key-value';
import { HazelcastStreamLogStore } from '../../src/storage/hazelcast-stream-log';
import type { Operation } from './closed-loop';
import { forEachLimited, parsePrometheus, productFor, type MetricSamples } from './workload';

/**
 * Phase B: the framework in this process, wired the way run-service.ts wires the inventory service
 * (same storage adapters, 8 stream partitions, framework metrics on, outbox sweeper running), driven by
 * `repository.handle(productId, ReserveStock)`.
 */
export interface FrameworkScenario {
  readonly productIds: readonly string[];
  readonly operation: Operation;
  metrics(): Promise<MetricSamples>;
  /** Drains the background publications and stops the sweeper; returns how long that took. */
  close(): Promise<number>;
}

export async function setUpFramework(
  client: HazelcastClient,
  options: { prefix: string; products: number; orderTag: string; logFile: string },
): Promise<FrameworkScenario> {
  const registry = new Registry();
  const metrics = new FrameworkMetrics('inventory', registry);
  const logger = pino(
    { level: 'warn', base: { service: 'bench-framework' } },
    pino.destination({ dest: options.logFile, sync: false, mkdir: true }),
  );
  const runtime = new EventSourcingRuntime({
    service: 'inventory',
    naming: new Naming(options.prefix),
    kv: new HazelcastKeyValueStore(client),
    logs: new HazelcastStreamLogStore(client),
    clock: systemClock,
    ids: randomIds,
    logger,
    instanceId: `bench-${process.pid}`,
    streamPartitions: 8,
    metrics,
  });
  const products = runtime.repository('Product', productDecider);
  await runtime.start();

  const productIds = Array.from({ length: options.products }, () => randomUUID());
  await forEachLimited(productIds.length, 16, async (index) => {
    await products.handle(
      productIds[index]!,
      {
        type: 'CreateProduct',
        sku: `BENCH-${index}`,
        name: `Bench product ${index}`,
        price: '10.00',
        quantityOnHand: 1_000_000_000,
      },
      { correlationId: randomUUID() },
    );
  });

  const operation: Operation = async (_worker, seq) => {
    await products.handle(
      productFor(seq, productIds),
      { type: 'ReserveStock', orderId: `${options.orderTag}-${seq}`, quantity: 1 },
      { correlationId: randomUUID() },
    );
  };

  return {
    productIds,
    operation,
    metrics: async () => parsePrometheus(await registry.metrics()),
    close: async () => {
      const started = performance.now();
      await runtime.close();
      const took = performance.now() - started;
      logger.flush();
      return took;
    },
  };
}

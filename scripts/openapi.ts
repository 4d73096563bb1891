import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { systemClock } from '../src/core/clock';
import { randomIds } from '../src/core/ids';
import { loadServiceConfig } from '../src/config/service-config';
import { projectRoot } from '../src/hazelcast/member';
import { createHttpApp } from '../src/http/app';
import { startHttpServer } from '../src/http/server';
import { silentLogger } from '../src/logging/logger';
import { serviceRoutes, type ServiceDefinition } from '../src/runtime/run-service';
import { createServiceContext } from '../src/runtime/service-context-factory';
import { InMemoryKeyValueStore } from '../src/storage/in-memory-key-value';
import { InMemoryStreamLogStore } from '../src/storage/in-memory-stream-log';
import { accountService } from '../services/account/account-service';
import { inventoryService } from '../services/inventory/inventory-service';
import { orderService } from '../services/order/order-service';
import { paymentService } from '../services/payment/payment-service';

/**
 * `npm run openapi`: writes each service's /openapi.json to docs/openapi/, exactly as the running
 * service serves it: the real wiring on in-memory storage, asked over HTTP on loopback.
 */
async function documentOf(definition: ServiceDefinition): Promise<unknown> {
  const logger = silentLogger();
  const registry = new Registry();
  const context = createServiceContext({
    service: definition.name,
    config: loadServiceConfig({ INSTANCE_ID: 'openapi' }, definition.defaultPort),
    kv: new InMemoryKeyValueStore(),
    logs: new InMemoryStreamLogStore(),
    clock: systemClock,
    ids: randomIds,
    logger,
    registry,
  });
  const wiring = await definition.wire(context);
  const { app } = createHttpApp({
    serviceName: definition.name,
    version: '0.1.0',
    routes: serviceRoutes(wiring, context.runtime),
    logger,
    registry,
    clock: systemClock,
    health: async () => ({ up: true }),
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0, logger });
  try {
    return await (await fetch(`http://127.0.0.1:${server.port}/openapi.json`)).json();
  } finally {
    await server.close(0);
  }
}

async function main(): Promise<void> {
  const folder = join(projectRoot(), 'docs', 'openapi');
  mkdirSync(folder, { recursive: true });
  for (const definition of [accountService, inventoryService, orderService, paymentService]) {
    const file = join(folder, `${definition.name}.json`);
    writeFileSync(file, `${JSON.stringify(await documentOf(definition), null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

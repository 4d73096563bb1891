import { createServer } from 'node:http';
import { createLogger } from '../src/logging/logger';
import { realScheduler } from './controller/scheduler';
import { loadKubeConfig } from './kube/kube-config';
import { loadOperatorConfig } from './operator-config';
import { OperatorMetrics } from './operator-metrics';
import { SagaPolicyController } from './sagapolicy-controller';

/**
 * The SagaPolicy operator process: in a pod (service account) or anywhere with a kubeconfig
 * (`npm run operator`). /metrics, /healthz and /readyz on METRICS_PORT; SIGTERM releases the Lease.
 */
function main(): void {
  const config = loadOperatorConfig(process.env);
  const logger = createLogger({ service: 'sagapolicy-operator', level: config.LOG_LEVEL });
  // The queue-depth gauge reads the controller, which needs the metrics: tie the knot through a holder.
  const holder: { controller?: SagaPolicyController } = {};
  const metrics = new OperatorMetrics(() => holder.controller?.depth ?? 0);
  const running = new SagaPolicyController(config, loadKubeConfig(), realScheduler, logger, metrics);
  holder.controller = running;

  const server = createServer((request, response) => {
    const send = (status: number, body: string, type = 'text/plain') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (request.url === '/healthz') return send(200, 'ok');
    if (request.url === '/readyz') return running.ready ? send(200, 'ok') : send(503, 'informer not synced');
    if (request.url === '/metrics') {
      void metrics.registry.metrics().then((text) => send(200, text, metrics.registry.contentType));
      return;
    }
    send(404, 'not found');
  });
  server.listen(config.METRICS_PORT, config.METRICS_HOST, () => {
    logger.info(
      { port: config.METRICS_PORT, namespace: config.WATCH_NAMESPACE || '(all)' },
      'sagapolicy operator started',
    );
  });
  running.start();

  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      void running
        .stop()
        .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
        .then(() => {
          logger.info('stopped; lease released');
          process.exit(0);
        });
    });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`sagapolicy-operator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

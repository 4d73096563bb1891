// Tracing starts before anything requires http or koa, so its instrumentations can patch them; with no
// OTEL_EXPORTER_OTLP_ENDPOINT nothing is loaded or started (src/telemetry/start-tracing.ts).
import { startTracing } from '../../src/telemetry/start-tracing';

startTracing('account');

/* eslint-disable @typescript-eslint/no-require-imports -- required after startTracing on purpose */
const { main } = require('../../src/runtime/run-service') as typeof import('../../src/runtime/run-service');
const { accountService } = require('./account-service') as typeof import('./account-service');
/* eslint-enable @typescript-eslint/no-require-imports */

main(accountService);

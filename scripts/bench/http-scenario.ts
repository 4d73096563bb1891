import { createKeepAliveClient } from './keep-alive-client';
import type { Operation } from './closed-loop';
import type { HttpClientKind } from './options';
import { forEachLimited, parsePrometheus, productFor, type MetricSamples } from './workload';

/**
 * Phase C's load generator: POST /api/products/{id}/stock/reserve against the real inventory service
 * process. Two interchangeable clients: node:http with a keep-alive agent (one socket per worker, reused;
 * the default, see docs/benchmarks.md for why) and the global fetch (undici).
 */
export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

export interface HttpLoadClient {
  post(path: string, body: string): Promise<HttpResponse>;
  get(path: string): Promise<HttpResponse>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function createHttpClient(kind: HttpClientKind, baseUrl: string, sockets: number): HttpLoadClient {
  return kind === 'fetch' ? fetchClient(baseUrl) : createKeepAliveClient(baseUrl, sockets);
}

function fetchClient(baseUrl: string): HttpLoadClient {
  const send = async (method: 'GET' | 'POST', path: string, body?: string): Promise<HttpResponse> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, body: await response.text() };
  };
  return {
    post: (path, body) => send('POST', path, body),
    get: (path) => send('GET', path),
    close: () => {},
  };
}

export interface HttpScenario {
  readonly productIds: readonly string[];
  readonly operation: Operation;
  metrics(): Promise<MetricSamples>;
}

export async function setUpHttp(
  client: HttpLoadClient,
  options: { products: number; orderTag: string },
): Promise<HttpScenario> {
  const productIds: string[] = new Array<string>(options.products);
  await forEachLimited(options.products, 16, async (index) => {
    const created = await client.post(
      '/api/products',
      JSON.stringify({
        sku: `BENCH-${index}`,
        name: `Bench product ${index}`,
        price: 10,
        quantityOnHand: 1_000_000_000,
      }),
    );
    if (created.status !== 201) {
      throw new Error(`POST /api/products answered ${created.status}: ${created.body.slice(0, 300)}`);
    }
    productIds[index] = (JSON.parse(created.body) as { productId: string }).productId;
  });

  const operation: Operation = async (_worker, seq) => {
    const productId = productFor(seq, productIds);
    const response = await client.post(
      `/api/products/${productId}/stock/reserve`,
      `{"quantity":1,"orderId":"${options.orderTag}-${seq}"}`,
    );
    if (response.status !== 200) throw new Error(`HTTP ${response.status} ${errorCodeOf(response.body)}`);
  };

  return {
    productIds,
    operation,
    metrics: async () => {
      const response = await client.get('/metrics');
      return parsePrometheus(response.body);
    },
  };
}

function errorCodeOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errorCode?: unknown };
    return typeof parsed.errorCode === 'string' ? parsed.errorCode : body.slice(0, 100);
  } catch {
    return body.slice(0, 100);
  }
}

/** An error answer in a few words for a result file: its errorCode and message, or the body's start. */
export function errorTextOf(response: HttpResponse): string {
  try {
    const parsed = JSON.parse(response.body) as { errorCode?: unknown; message?: unknown };
    const code = typeof parsed.errorCode === 'string' ? parsed.errorCode : '';
    const message = typeof parsed.message === 'string' ? parsed.message.slice(0, 120) : '';
    return `${code} ${message}`.trim() || response.body.slice(0, 120);
  } catch {
    return response.body.slice(0, 120);
  }
}

import http from 'node:http';
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
  return kind === 'fetch' ? fetchClient(baseUrl) : nodeHttpClient(baseUrl, sockets);
}

function nodeHttpClient(baseUrl: string, sockets: number): HttpLoadClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const send = (method: 'GET' | 'POST', path: string, body?: string): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const request = http.request(
        { host: url.hostname, port: url.port, method, path, headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('error', reject);
          response.once('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      request.setTimeout(REQUEST_TIMEOUT_MS, () =>
        request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
      );
      request.once('error', reject);
      request.end(body);
    });
  return {
    post: (path, body) => send('POST', path, body),
    get: (path) => send('GET', path),
    close: () => agent.destroy(),
  };
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

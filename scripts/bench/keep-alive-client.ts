import http from 'node:http';
import type { HttpLoadClient, HttpResponse } from './http-scenario';

/**
 * node:http with a keep-alive agent, the load generator of both benchmarks, safe for an open loop whose
 * in-flight count swings: idle sockets are closed by the client after 4 s, before the server's 5 s keep-alive timeout
 * (Node's default), so a request never goes out on a socket the server is closing at that very moment
 * (which fails it with ECONNRESET: a load-generator artefact, not a service error). LIFO reuse keeps the
 * number of warm sockets close to what the load needs.
 */
const IDLE_SOCKET_MS = 4_000;
const REQUEST_TIMEOUT_MS = 10_000;

export function createKeepAliveClient(baseUrl: string, sockets: number): HttpLoadClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: sockets,
    maxFreeSockets: sockets,
    scheduling: 'lifo',
    timeout: IDLE_SOCKET_MS,
  });
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

import Koa from 'koa';
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { type HttpApp, shutdownStateOf } from './app';

export interface HttpServerOptions {
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  /** The port actually bound. */
  readonly port: number;
  /**
   * Graceful stop: readiness turns 503, no new connections are accepted, in-flight requests get up
   * to graceMs (default 10 s) to finish, then every remaining connection is closed.
   */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_GRACE_MS = 10_000;

/** Takes the Koa app of createHttpApp (or the whole HttpApp); fails clearly when the port is taken. */
export async function startHttpServer(
  app: Koa | HttpApp,
  options: HttpServerOptions,
): Promise<RunningHttpServer> {
  const koa = app instanceof Koa ? app : app.app;
  const state = app instanceof Koa ? shutdownStateOf(app) : app.state;
  const host = options.host ?? '0.0.0.0';
  const server = createServer(koa.callback());
  await listen(server, host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  options.logger.info({ host, port }, 'HTTP server listening');

  let closing: Promise<void> | undefined;
  const close = async (graceMs = DEFAULT_GRACE_MS): Promise<void> => {
    if (state) state.shuttingDown = true;
    options.logger.info({ graceMs }, 'HTTP server closing');
    const closed = new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
    server.closeIdleConnections();
    const deadline = setTimeout(() => {
      options.logger.warn({ graceMs }, 'grace period over: closing the connections still open');
      server.closeAllConnections();
    }, graceMs);
    try {
      await closed;
    } finally {
      clearTimeout(deadline);
    }
    options.logger.info('HTTP server closed');
  };
  return { port, close: (graceMs) => (closing ??= close(graceMs)) };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use (is another instance running?)`, { cause: error })
          : error,
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

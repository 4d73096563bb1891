import {
  Client,
  JsonStringDeserializationPolicy,
  LifecycleState,
  LogLevel,
  ReconnectMode,
} from 'hazelcast-client';
import type { Client as HazelcastClient, ClientConfig, ILogger } from 'hazelcast-client';
import type { Logger } from '../logging/logger';
import { DEFAULT_INVOCATION_TIMEOUT_MS, INVOCATION_TIMEOUT_PROPERTY } from './invocation-timeout';

export interface ConnectHazelcastOptions {
  clusterName: string;
  /** host:port of one or more members; the client discovers the rest. */
  addresses: readonly string[];
  /** Client warnings/errors go here; without it the client logs to the console. */
  logger?: Logger;
  /**
   * Bound for the first connection and for every later reconnect: when no member answers for this long,
   * the client shuts down (isHazelcastUp turns false) instead of retrying forever.
   */
  connectTimeoutMs?: number;
  /**
   * The deadline of every call, retries included: a call made while the cluster is away fails after this
   * long instead of the client's 120 s. Default DEFAULT_INVOCATION_TIMEOUT_MS (15 s).
   */
  invocationTimeoutMs?: number;
  instanceName?: string;
  /** Called when the client shuts itself down after losing the cluster for longer than connectTimeoutMs. */
  onShutdown?: () => void;
}

// Connection state per client, kept from lifecycle events because the client has no public "connected" getter.
const connected = new WeakMap<HazelcastClient, boolean>();

/** A connected client, or a rejection naming the cluster and addresses once connectTimeoutMs has passed. */
export async function connectHazelcast(options: ConnectHazelcastOptions): Promise<HazelcastClient> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  if (options.addresses.length === 0) throw new Error('connectHazelcast: no member addresses given');
  let state: boolean | undefined;
  let client: HazelcastClient | undefined;
  const config: ClientConfig = {
    clusterName: options.clusterName,
    network: {
      clusterMembers: [...options.addresses],
      smartRouting: true,
      connectionTimeout: Math.min(5_000, connectTimeoutMs),
    },
    connectionStrategy: {
      asyncStart: false,
      reconnectMode: ReconnectMode.ON,
      connectionRetry: {
        clusterConnectTimeoutMillis: connectTimeoutMs,
        initialBackoffMillis: 200,
        maxBackoffMillis: 2_000,
      },
    },
    lifecycleListeners: [
      (lifecycle: LifecycleState) => {
        if (lifecycle === LifecycleState.CONNECTED) state = true;
        else if (lifecycle === LifecycleState.DISCONNECTED || lifecycle === LifecycleState.SHUTDOWN)
          state = false;
        if (client) connected.set(client, state ?? false);
        if (lifecycle === LifecycleState.SHUTDOWN) options.onShutdown?.();
      },
    ],
    serialization: {
      // Reads return HazelcastJsonValue holding the exact stored JSON string (not a parsed object): the
      // storage layer uses that string as its compare-and-set token for replaceIfSame/remove.
      jsonStringDeserializationPolicy: JsonStringDeserializationPolicy.NO_DESERIALIZATION,
    },
    properties: {
      'hazelcast.logging.level': 'WARN',
      'hazelcast.client.statistics.enabled': false,
      // A connection whose member died without closing it (killed while the client was still switching to
      // it after a restart) is given up after 20 s rather than the default 60 s; everything waiting on it
      // (a stream read, a catch-up's tail) waits that long. Pings go every 5 s, so a pause shorter than
      // 20 s (a long GC) still keeps the connection.
      'hazelcast.client.heartbeat.timeout': 20_000,
      [INVOCATION_TIMEOUT_PROPERTY]: options.invocationTimeoutMs ?? DEFAULT_INVOCATION_TIMEOUT_MS,
    },
  };
  // The client's config validation rejects keys that are present but undefined.
  if (options.instanceName) config.instanceName = options.instanceName;
  if (options.logger) config.customLogger = pinoAdapter(options.logger);
  try {
    client = await Client.newHazelcastClient(config);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not connect to Hazelcast cluster '${options.clusterName}' at ${options.addresses.join(', ')} ` +
        `within ${connectTimeoutMs} ms: ${reason}. Is the member running (npm run setup, ` +
        `node build/scripts/hazelcast-member.js) and is the cluster name right?`,
      { cause: error },
    );
  }
  connected.set(client, state ?? true);
  return client;
}

/** For health checks: the client is running and currently holds a connection to the cluster. */
export function isHazelcastUp(client: HazelcastClient): boolean {
  if (!client.getLifecycleService().isRunning()) return false;
  return connected.get(client) ?? client.getCluster().getMembers().length > 0;
}

/**
 * The client's own logging routed into our structured logs. With a custom logger the client ignores
 * 'hazelcast.logging.level', so WARN is enforced here.
 */
function pinoAdapter(logger: Logger): ILogger {
  const child = logger.child({ component: 'hazelcast-client' });
  const emit = (level: LogLevel, objectName: string, message: string, furtherInfo?: unknown): void => {
    if (level > LogLevel.WARN || level === LogLevel.OFF) return;
    const fields =
      furtherInfo === undefined ? { source: objectName } : { source: objectName, err: furtherInfo };
    if (level === LogLevel.ERROR) child.error(fields, message);
    else child.warn(fields, message);
  };
  return {
    log: emit,
    error: (objectName, message, furtherInfo) => emit(LogLevel.ERROR, objectName, message, furtherInfo),
    warn: (objectName, message, furtherInfo) => emit(LogLevel.WARN, objectName, message, furtherInfo),
    info: (objectName, message, furtherInfo) => emit(LogLevel.INFO, objectName, message, furtherInfo),
    debug: (objectName, message, furtherInfo) => emit(LogLevel.DEBUG, objectName, message, furtherInfo),
    trace: (objectName, message, furtherInfo) => emit(LogLevel.TRACE, objectName, message, furtherInfo),
  };
}

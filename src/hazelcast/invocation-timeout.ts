/**
 * The deadline of every Hazelcast call, retries included. The client's own default is 120 s: through a
 * cluster blip every request, consumer read and health-related call would wait that long before failing,
 * far past any HTTP client's patience. 15 s outlasts a member restart's reconnect (backoff at most 2 s)
 * and stays inside the 20 s heartbeat timeout.
 */
export const DEFAULT_INVOCATION_TIMEOUT_MS = 15_000;

/** The client property that holds it (hazelcast-client 5.x, lib/invocation/InvocationService.js). */
export const INVOCATION_TIMEOUT_PROPERTY = 'hazelcast.client.invocation.timeout.millis';

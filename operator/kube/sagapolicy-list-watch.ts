import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ListWatch, WatchEventType } from '../controller/informer';
import { GROUP, PLURAL, VERSION, type SagaPolicyResource } from '../sagapolicy/sagapolicy-resource';
import { statusOf } from './kube-config';

interface ListResponse {
  readonly items?: readonly SagaPolicyResource[];
  readonly metadata?: { readonly resourceVersion?: string };
}

const WATCH_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

/**
 * client-node aborts a watch that received nothing for 30 s (Watch.requestTimeoutMs, not configurable)
 * with a TimeoutError. The API server sends bookmarks less often than that (measured: a quiet watch ends
 * this way every 30 s), so on a quiet cluster it is how every watch ends: nothing failed, and it is a
 * normal close like the server's own.
 */
const isIdleAbort = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError';

/** SagaPolicies of one namespace, or of all namespaces when `namespace` is empty. */
export function sagaPolicyListWatch(
  config: KubeConfig,
  namespace: string,
  /** The API server ends each watch after this long: a normal close, after which the informer re-watches. */
  timeoutSeconds = 300,
): ListWatch<SagaPolicyResource> {
  const api = config.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(config);
  const path = namespace
    ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`
    : `/apis/${GROUP}/${VERSION}/${PLURAL}`;
  return {
    async list() {
      const response = (
        namespace
          ? await api.listNamespacedCustomObject({
              group: GROUP,
              version: VERSION,
              namespace,
              plural: PLURAL,
            })
          : await api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })
      ) as ListResponse;
      return { items: response.items ?? [], resourceVersion: response.metadata?.resourceVersion ?? '' };
    },
    async watch(resourceVersion, onEvent, onEnd) {
      // Set once the server answered 200: a TimeoutError before that is a connect timeout, a real failure.
      let streaming = false;
      const controller = await watcher.watch(
        path,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (phase: string, object: unknown) => {
          if (phase === 'ERROR') {
            // The API server reports an expired resourceVersion inside the stream: {kind: Status, code: 410}.
            const code = (object as { code?: number }).code;
            onEnd({ expired: code === 410, error: new Error(`watch error ${code ?? ''}`) });
            return;
          }
          if (WATCH_TYPES.has(phase)) onEvent(phase as WatchEventType, object as SagaPolicyResource);
        },
        (error: unknown) => {
          const failed = Boolean(error) && !(streaming && isIdleAbort(error));
          onEnd({ expired: statusOf(error) === 410, ...(failed ? { error } : {}) });
        },
      );
      // client-node calls `done` before it returns when the request itself failed; after, the stream is open.
      streaming = true;
      return { stop: () => controller.abort() };
    },
  };
}

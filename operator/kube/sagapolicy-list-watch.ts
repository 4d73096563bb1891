import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ListWatch, WatchEventType } from '../controller/informer';
import { GROUP, PLURAL, VERSION, type SagaPolicyResource } from '../sagapolicy/sagapolicy-resource';
import { statusOf } from './kube-config';

interface ListResponse {
  readonly items?: readonly SagaPolicyResource[];
  readonly metadata?: { readonly resourceVersion?: string };
}

const WATCH_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

/** SagaPolicies of one namespace, or of all namespaces when `namespace` is empty. */
export function sagaPolicyListWatch(config: KubeConfig, namespace: string): ListWatch<SagaPolicyResource> {
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
      const controller = await watcher.watch(
        path,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
        (phase: string, object: unknown) => {
          if (phase === 'ERROR') {
            // The API server reports an expired resourceVersion inside the stream: {kind: Status, code: 410}.
            const code = (object as { code?: number }).code;
            onEnd({ expired: code === 410, error: new Error(`watch error ${code ?? ''}`) });
            return;
          }
          if (WATCH_TYPES.has(phase)) onEvent(phase as WatchEventType, object as SagaPolicyResource);
        },
        (error: unknown) => onEnd({ expired: statusOf(error) === 410, ...(error ? { error } : {}) }),
      );
      return { stop: () => controller.abort() };
    },
  };
}

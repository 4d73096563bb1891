import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { Logger } from '../../src/logging/logger';
import type { Informer } from '../controller/informer';
import type { EventSink, PolicyResources } from '../sagapolicy/ports';
import { GROUP, KIND, PLURAL, VERSION, type SagaPolicyResource } from '../sagapolicy/sagapolicy-resource';

/** Reads come from the informer's cache; writes are merge patches (status through its subresource). */
export function kubePolicyResources(
  config: KubeConfig,
  informer: Informer<SagaPolicyResource>,
  logger: Logger,
): PolicyResources & EventSink {
  const objects = config.makeApiClient(CustomObjectsApi);
  const core = config.makeApiClient(CoreV1Api);
  const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const event = async (
    resource: SagaPolicyResource,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) => {
    const now = new Date();
    try {
      await core.createNamespacedEvent({
        namespace: resource.metadata.namespace,
        body: {
          metadata: { generateName: `${resource.metadata.name}.`, namespace: resource.metadata.namespace },
          involvedObject: {
            apiVersion: `${GROUP}/${VERSION}`,
            kind: KIND,
            name: resource.metadata.name,
            namespace: resource.metadata.namespace,
            ...(resource.metadata.uid ? { uid: resource.metadata.uid } : {}),
          },
          type,
          reason,
          message,
          source: { component: 'sagapolicy-operator' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (error) {
      // An event is a courtesy to the reader; failing to record one must not fail the reconcile.
      logger.warn({ err: error, reason }, 'could not record a Kubernetes event');
    }
  };
  return {
    get: (namespace, name) => informer.get(`${namespace}/${name}`),
    all: () => informer.list(),
    async patchStatus(resource, status) {
      const { namespace, name } = resource.metadata;
      await objects.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status } },
        merge,
      );
    },
    async setFinalizers(resource, finalizers) {
      const { namespace, name, resourceVersion } = resource.metadata;
      await objects.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace,
          plural: PLURAL,
          name,
          body: { metadata: { finalizers, ...(resourceVersion ? { resourceVersion } : {}) } },
        },
        merge,
      );
    },
    normal: (resource, reason, message) => event(resource, 'Normal', reason, message),
    warning: (resource, reason, message) => event(resource, 'Warning', reason, message),
  };
}

import { KubeConfig } from '@kubernetes/client-node';

/** In a pod, the service account; elsewhere $KUBECONFIG or ~/.kube/config (`npm run operator` against any cluster). */
export function loadKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  try {
    if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
    else config.loadFromDefault();
  } catch (error) {
    const where = process.env.KUBERNETES_SERVICE_HOST
      ? 'the pod service account'
      : (process.env.KUBECONFIG ?? '~/.kube/config');
    throw new Error(
      `cannot load the Kubernetes configuration from ${where}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return config;
}

/** The HTTP status of a client-node error (ApiException.code), if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null) {
    const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
    if (typeof code === 'number') return code;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

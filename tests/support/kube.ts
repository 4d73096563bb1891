/**
 * Jest helper: one real Kubernetes control plane (etcd + kube-apiserver, see src/k8s-harness) per test file.
 * Never skips: when the binaries are missing or the control plane does not come up, the hook throws with the
 * reason, and every test of the file fails with it.
 *
 *   const kube = useControlPlane();
 *   it('…', async () => { await kubectlOk(kube(), ['get', 'ns']); });
 */
import { stringify } from 'yaml';
import { sagaPolicyCrd } from '../../charts/crd/sagapolicy-crd';
import { startControlPlane } from '../../src/k8s-harness/control-plane';
import type { ControlPlane, KubectlOptions } from '../../src/k8s-harness/control-plane';
import { ensureK8sTools } from '../../src/k8s-harness/tools';
import type { K8sTools } from '../../src/k8s-harness/tools';

/** etcd and kube-apiserver get 90 s each to become ready; a loaded 2-core machine needs ~10–30 s. */
export const CONTROL_PLANE_SETUP_TIMEOUT_MS = 200_000;

export interface TestControlPlane {
  controlPlane: ControlPlane;
  tools: K8sTools;
}

const log = (line: string): void => {
  process.stderr.write(`[kube] ${line}\n`);
};

/**
 * Checks the tools (ensure-k8s-tools.sh --check: builds nothing, so a cold machine fails in a second with the
 * command to run instead of a hook timeout) and starts a control plane.
 */
export async function startTestControlPlane(): Promise<TestControlPlane> {
  let tools: K8sTools;
  try {
    tools = await ensureK8sTools({ checkOnly: true });
  } catch (error) {
    throw new Error(
      `Kubernetes integration tests need a real kube-apiserver and etcd, and their binaries are not ` +
        `installed. 'npm test' installs them (bash scripts/k8s-tools/ensure-k8s-tools.sh); run that once.\n` +
        reason(error),
      { cause: error },
    );
  }
  try {
    const controlPlane = await startControlPlane({ binDir: tools.binDir, log });
    return { controlPlane, tools };
  } catch (error) {
    throw new Error(
      `Could not start the test control plane (Kubernetes ${tools.kubernetesVersion}):\n${reason(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Registers beforeAll/afterAll hooks for one control plane shared by the tests of the calling file and returns
 * its accessor. Calling the accessor before beforeAll finished throws.
 */
export function useControlPlane(): () => ControlPlane {
  let started: TestControlPlane | undefined;
  beforeAll(async () => {
    started = await startTestControlPlane();
  }, CONTROL_PLANE_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await started?.controlPlane.stop();
  }, 60_000);
  return () => {
    if (!started)
      throw new Error('The control plane is not running (its beforeAll failed or has not run yet).');
    return started.controlPlane;
  };
}

/** kubectl that must succeed: returns stdout, throws with the command, exit code and stderr otherwise. */
export async function kubectlOk(
  controlPlane: ControlPlane,
  args: readonly string[],
  options?: KubectlOptions,
): Promise<string> {
  const result = await controlPlane.kubectl(args, options);
  if (result.code !== 0) {
    throw new Error(
      `kubectl ${args.join(' ')} exited with ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** The SagaPolicy CRD, established, and a namespace to put policies in. */
export async function installSagaPolicyCrd(controlPlane: ControlPlane, namespace: string): Promise<void> {
  await kubectlOk(controlPlane, ['apply', '-f', '-'], { input: stringify(sagaPolicyCrd()) });
  await kubectlOk(controlPlane, [
    'wait',
    '--for=condition=Established',
    'crd/sagapolicies.saga.hms.dev',
    '--timeout=60s',
  ]);
  await kubectlOk(controlPlane, ['create', 'namespace', namespace]);
}

/** kubectl … -o json, parsed. */
export async function kubectlJson<T>(
  controlPlane: ControlPlane,
  args: readonly string[],
  options?: KubectlOptions,
): Promise<T> {
  return JSON.parse(await kubectlOk(controlPlane, [...args, '-o', 'json'], options)) as T;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

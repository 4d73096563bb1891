import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { installSagaPolicyCrd, kubectlJson, kubectlOk, useControlPlane } from '../../support/kube';
import { startTestOperator, type OperatorProcess } from '../../support/operator-process';
import { eventually } from '../../support/system';

const NAMESPACE = 'quiet';

interface LogLine {
  readonly msg: string;
  readonly time: string;
  readonly resourceVersion?: string;
}

/**
 * The operator on a quiet cluster, against a real kube-apiserver: its watches end without anything being
 * wrong (client-node gives up on a watch that received nothing for 30 s; the server ends each one after
 * WATCH_TIMEOUT_SECONDS). Each must be resumed at once from the last resourceVersion, with no "watch
 * trouble" warning and no back-off, and changes must still arrive.
 */
describe('the operator on a quiet cluster', () => {
  const kube = useControlPlane();
  const operators: OperatorProcess[] = [];

  const operator = async (name: string, env: Record<string, string> = {}) => {
    const started = await startTestOperator({
      name,
      kubeconfig: kube().kubeconfigPath,
      namespace: NAMESPACE,
      prefix: `${name}.`,
      env: { LOG_LEVEL: 'debug', ...env },
    });
    operators.push(started);
    return { started, readyAt: Date.now() };
  };
  const logOf = (started: OperatorProcess): LogLine[] =>
    readFileSync(started.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const lines = (started: OperatorProcess, msg: string) => logOf(started).filter((line) => line.msg === msg);
  /** Once synced (a first list can meet "storage is (re)initializing" on a fresh API server), no warnings. */
  const troubleSince = (started: OperatorProcess, readyAt: number) =>
    lines(started, 'watch trouble; retrying').filter((line) => Date.parse(line.time) >= readyAt);

  beforeAll(async () => {
    await installSagaPolicyCrd(kube(), NAMESPACE);
  }, 120_000);

  afterEach(async () => {
    await Promise.all(operators.splice(0).map((started) => started.stop()));
  });

  test('a watch quiet past the client idle timeout is resumed at once, without a warning', async () => {
    const { started: quiet, readyAt } = await operator('op-quiet');
    const resumed = await eventually(
      async () => lines(quiet, 'watch ended normally; resumed')[0],
      60_000,
      'the quiet watch to end and resume',
    );
    expect(troubleSince(quiet, readyAt)).toEqual([]);

    await kubectlOk(kube(), ['apply', '-f', '-'], {
      input: stringify({
        apiVersion: 'saga.hms.dev/v1alpha1',
        kind: 'SagaPolicy',
        metadata: { name: 'after-quiet', namespace: NAMESPACE },
        spec: { sagaType: 'QuietSaga' },
      }),
    });
    await eventually(
      async () =>
        (
          await kubectlJson<{ status?: { observedGeneration?: number } }>(kube(), [
            'get',
            'sagapolicy',
            'after-quiet',
            '-n',
            NAMESPACE,
          ])
        ).status?.observedGeneration === 1,
      20_000,
      'the policy reconciled after the quiet spell',
    );
    expect(resumed.resourceVersion).toBeTruthy();
    expect(troubleSince(quiet, readyAt)).toEqual([]);
    await kubectlOk(kube(), ['delete', 'sagapolicy', 'after-quiet', '-n', NAMESPACE, '--timeout=30s']);
  }, 120_000);

  test('the server ending each watch at its timeoutSeconds is a normal close: no warning, no back-off', async () => {
    const { started: brief, readyAt } = await operator('op-brief', { WATCH_TIMEOUT_SECONDS: '1' });
    const started = Date.now();
    await eventually(
      async () => lines(brief, 'watch ended normally; resumed').length >= 5,
      30_000,
      'five server-side closes',
    );
    // Five closes of a 1 s watch; with back-off (0.25 + 0.5 + 1 + 2 + 4 s on top) they would take over 12 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(troubleSince(brief, readyAt)).toEqual([]);
  }, 60_000);
});

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { kubectlOk, useControlPlane } from '../../support/kube';

const ROOT = join(__dirname, '..', '..', '..');
const DIST = join(ROOT, 'dist');

/** `npm run synth`'s output, applied for real: every object must be accepted by a real kube-apiserver. */
describe('synthesized manifests on a real kube-apiserver', () => {
  const kube = useControlPlane();
  let files: string[];

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [join(ROOT, 'build', 'charts', 'main.js')], { cwd: ROOT });
    files = readdirSync(DIST)
      .filter((file) => file.endsWith('.k8s.yaml'))
      .sort();
  }, 120_000);

  test('synth is deterministic and puts the CRDs first', async () => {
    expect(files[0]).toMatch(/crd/i);
    const first = files.map((file) => readFileSync(join(DIST, file), 'utf8'));
    await promisify(execFile)(process.execPath, [join(ROOT, 'build', 'charts', 'main.js')], { cwd: ROOT });
    expect(files.map((file) => readFileSync(join(DIST, file), 'utf8'))).toEqual(first);
  }, 60_000);

  test('CRD first, then a sample SagaPolicy, then every other object: all accepted', async () => {
    await kubectlOk(kube(), ['apply', '-f', join(DIST, files[0]!)]);
    await kubectlOk(kube(), ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
    await kubectlOk(kube(), ['apply', '-f', join(ROOT, 'examples', 'sagapolicy.yaml')]);
    let objects = 0;
    for (const file of files.slice(1)) {
      const output = await kubectlOk(kube(), ['apply', '--validate=strict', '-f', join(DIST, file)]);
      const documents = parseAllDocuments(readFileSync(join(DIST, file), 'utf8')).filter(
        (document) => document.contents,
      );
      expect(output.trim().split('\n')).toHaveLength(documents.length);
      objects += documents.length;
    }
    expect(objects).toBeGreaterThan(20);
    const table = await kubectlOk(kube(), ['get', 'sagapolicies', '-A']);
    expect(table).toMatch(/order-fulfillment\s+OrderFulfillment/);
  }, 120_000);

  test('the stored Deployments run what the code serves: ports, probes, selectors', async () => {
    const deployments = JSON.parse(await kubectlOk(kube(), ['get', 'deployments', '-A', '-o', 'json'])) as {
      items: Array<{
        metadata: { name: string };
        spec: {
          selector: { matchLabels: Record<string, string> };
          template: {
            metadata: { labels: Record<string, string> };
            spec: {
              containers: Array<{
                ports?: Array<{ containerPort: number }>;
                readinessProbe?: { httpGet?: { path: string } };
              }>;
            };
          };
        };
      }>;
    };
    const services = deployments.items.filter((item) =>
      /^(account|inventory|order|payment)/.test(item.metadata.name),
    );
    expect(services).toHaveLength(4);
    for (const deployment of services) {
      const container = deployment.spec.template.spec.containers[0]!;
      expect([8081, 8082, 8083, 8084]).toContain(container.ports?.[0]?.containerPort);
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      for (const [label, value] of Object.entries(deployment.spec.selector.matchLabels)) {
        expect(deployment.spec.template.metadata.labels[label]).toBe(value);
      }
    }
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { App } from 'cdk8s';
import { projectRoot } from '../src/hazelcast/member';
import { defineCharts, readInputs } from './app';

/**
 * The cdk8s app (cdk8s.yaml): `npm run synth` writes one dist/<chart>.k8s.yaml per chart. The output
 * depends only on the code, charts/settings.ts, config/hazelcast.yaml and dashboards/: no timestamps, no
 * random names, stale files removed, so two runs give the same bytes.
 */
function main(): void {
  const outdir = process.env.CDK8S_OUTDIR ?? path.join(projectRoot(), 'dist');
  fs.mkdirSync(outdir, { recursive: true });
  for (const file of fs.readdirSync(outdir)) {
    if (file.endsWith('.k8s.yaml')) fs.rmSync(path.join(outdir, file));
  }
  const app = new App({ outdir });
  defineCharts(app, readInputs());
  app.synth();
  const written = fs
    .readdirSync(outdir)
    .filter((file) => file.endsWith('.k8s.yaml'))
    .sort();
  console.log(`synthesized to ${path.relative(process.cwd(), outdir) || '.'}:`);
  for (const file of written) console.log(`  ${file}`);
}

main();

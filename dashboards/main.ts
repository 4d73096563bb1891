import fs from 'node:fs';
import path from 'node:path';
import { renderAll } from './src';

/**
 * `npm run dashboards`: writes the dashboards and the alert rule file to dashboards/generated/, where the chart
 * (charts/support/dashboard-files.ts) and the local Prometheus find them. Stale generated files are removed.
 */
const out = path.join(__dirname, '..', '..', 'dashboards', 'generated');
fs.mkdirSync(out, { recursive: true });
const files = renderAll();
for (const existing of fs.readdirSync(out)) {
  if (!(existing in files)) fs.rmSync(path.join(out, existing));
}
for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(out, name), text);
process.stdout.write(`${Object.keys(files).length} files in ${path.relative(process.cwd(), out) || '.'}\n`);

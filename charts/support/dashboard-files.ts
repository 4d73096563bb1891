import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds what dashboards/ has built, for the Grafana and Prometheus ConfigMaps:
 * - Grafana dashboards: `*.json` files with a top-level `panels` array (other JSON, such as a tsconfig, is
 *   not a dashboard);
 * - Prometheus rule files: `*.rules.yaml` / `*.rules.yml`.
 * Searched recursively (node_modules skipped), keyed by file name, sorted, so the output is deterministic.
 * ConfigMap keys must be unique file names: two files with the same name in different folders is an error.
 */
export interface ObservabilityFiles {
  readonly dashboards: Readonly<Record<string, string>>;
  readonly ruleFiles: Readonly<Record<string, string>>;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(full);
      return entry.isFile() ? [full] : [];
    });
}

const isDashboard = (text: string): boolean => {
  try {
    const parsed: unknown = JSON.parse(text);
    return (
      typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { panels?: unknown }).panels)
    );
  } catch {
    return false;
  }
};

function add(into: Record<string, string>, file: string, text: string, root: string): void {
  const key = path.basename(file);
  if (key in into) throw new Error(`two files named ${key} under ${root}: ConfigMap keys must be unique`);
  into[key] = text;
}

export function loadObservabilityFiles(root: string): ObservabilityFiles {
  const dashboards: Record<string, string> = {};
  const ruleFiles: Record<string, string> = {};
  for (const file of walk(root)) {
    if (/\.rules\.ya?ml$/.test(file)) {
      add(ruleFiles, file, fs.readFileSync(file, 'utf8'), root);
    } else if (file.endsWith('.json')) {
      const text = fs.readFileSync(file, 'utf8');
      if (isDashboard(text)) add(dashboards, file, text, root);
    }
  }
  return { dashboards, ruleFiles };
}

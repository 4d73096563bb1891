import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { rulesFile } from './alerts';
import { eventFlow } from './event-flow';
import { sagas } from './saga';
import { systemOverview } from './system-overview';
import { transactions } from './transactions';
import { materializedViews } from './views';

/** The five dashboards of OBSERVABILITY.md, by output file name. */
export const dashboards: Readonly<Record<string, () => DashboardBuilder>> = {
  'hms-system-overview.json': systemOverview,
  'hms-transactions.json': transactions,
  'hms-event-flow.json': eventFlow,
  'hms-materialized-views.json': materializedViews,
  'hms-sagas.json': sagas,
};

export const RULES_FILE = 'hms-alerts.rules.yaml';

/** Every generated file, name → text; the same input always gives the same bytes. */
export function renderAll(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, build] of Object.entries(dashboards)) {
    files[file] = `${JSON.stringify(build().build(), null, 2)}\n`;
  }
  files[RULES_FILE] = rulesFile();
  return files;
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

/** Every PromQL expression of every panel of the built dashboards. */
export function panelQueries(): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const [file, build] of Object.entries(dashboards)) {
    const built = build().build();
    for (const panel of built.panels ?? []) {
      if (!('targets' in panel)) continue;
      for (const target of panel.targets ?? []) {
        const expr = (target as { expr?: unknown }).expr;
        if (typeof expr === 'string') out.push({ dashboard: file, panel: panel.title ?? '', expr });
      }
    }
  }
  return out;
}

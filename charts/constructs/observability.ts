import { Construct } from 'constructs';
import { Grafana } from './grafana';
import { Jaeger } from './jaeger';
import { Prometheus } from './prometheus';

export interface ObservabilityProps {
  readonly prometheusImage: string;
  readonly grafanaImage: string;
  readonly jaegerImage: string;
  readonly prometheusRetention: string;
  readonly hazelcast?: { readonly podSelector: Readonly<Record<string, string>>; readonly portName: string };
  /** Grafana dashboard JSON files, file name → text. */
  readonly dashboards?: Readonly<Record<string, string>>;
  /** Prometheus rule files, file name → text. */
  readonly ruleFiles?: Readonly<Record<string, string>>;
}

/** Metrics (Prometheus), dashboards (Grafana) and traces (Jaeger), wired to each other. */
export class Observability extends Construct {
  readonly prometheus: Prometheus;
  readonly grafana: Grafana;
  readonly jaeger: Jaeger;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.jaeger = new Jaeger(this, 'jaeger', { image: props.jaegerImage });
    this.prometheus = new Prometheus(this, 'prometheus', {
      image: props.prometheusImage,
      retention: props.prometheusRetention,
      ...(props.hazelcast ? { hazelcast: props.hazelcast } : {}),
      ...(props.ruleFiles ? { ruleFiles: props.ruleFiles } : {}),
    });
    this.grafana = new Grafana(this, 'grafana', {
      image: props.grafanaImage,
      prometheusUrl: this.prometheus.url,
      jaegerUrl: this.jaeger.queryUrl,
      ...(props.dashboards ? { dashboards: props.dashboards } : {}),
    });
  }
}

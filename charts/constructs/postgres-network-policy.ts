import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { fromPods, podLabels, port, selectorLabels } from '../support/kube';

export interface PostgresNetworkPolicyProps {
  /** app.kubernetes.io/name of the PostgreSQL pod. */
  readonly database: string;
  readonly port: number;
  /** app.kubernetes.io/name of every workload given DATABASE_URL (the four services). */
  readonly clients: readonly string[];
}

/**
 * Only the workloads that hold DATABASE_URL reach PostgreSQL's port; selecting the database pod in an
 * ingress policy denies everything else (other pods, Prometheus, the Hazelcast members, the operator).
 */
export class PostgresNetworkPolicy extends Construct {
  readonly allowed: readonly string[];

  constructor(scope: Construct, id: string, props: PostgresNetworkPolicyProps) {
    super(scope, id);
    this.allowed = [...props.clients].sort();
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: { name: `${props.database}-clients`, labels: podLabels(props.database, 'database') },
      spec: {
        podSelector: { matchLabels: selectorLabels(props.database) },
        policyTypes: ['Ingress'],
        ingress: [{ from: fromPods(this.allowed), ports: [{ protocol: 'TCP', port: port(props.port) }] }],
      },
    });
  }
}

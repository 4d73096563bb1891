import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { fromPods, podLabels, port, selectorLabels } from '../support/kube';

export interface HazelcastNetworkPolicyProps {
  /** app.kubernetes.io/name of the Hazelcast members. */
  readonly members: string;
  readonly port: number;
  readonly metricsPort: number;
  /** app.kubernetes.io/name of every workload that uses Hazelcast (the services, the operator). */
  readonly clients: readonly string[];
  /** app.kubernetes.io/name of Prometheus: it may reach the member port and scrape the metrics port. */
  readonly monitoring: string;
}

/**
 * Only the services, the operator and Prometheus reach Hazelcast's port, besides the members themselves
 * (cluster traffic); selecting the members in an ingress policy denies everything else. Needs a CNI that
 * enforces NetworkPolicy (kind's default kindnet does since kind v0.24).
 */
export class HazelcastNetworkPolicy extends Construct {
  readonly allowedOnMemberPort: readonly string[];

  constructor(scope: Construct, id: string, props: HazelcastNetworkPolicyProps) {
    super(scope, id);
    this.allowedOnMemberPort = [props.members, ...props.clients, props.monitoring].sort();
    new k8s.KubeNetworkPolicy(this, 'policy', {
      metadata: { name: `${props.members}-clients`, labels: podLabels(props.members, 'data-grid') },
      spec: {
        podSelector: { matchLabels: selectorLabels(props.members) },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: fromPods(this.allowedOnMemberPort),
            ports: [{ protocol: 'TCP', port: port(props.port) }],
          },
          {
            from: fromPods([props.monitoring]),
            ports: [{ protocol: 'TCP', port: port(props.metricsPort) }],
          },
        ],
      },
    });
  }
}

import type { Client } from 'hazelcast-client';
import { Gauge, type Registry } from 'prom-client';
import { isHazelcastUp } from '../hazelcast/client';

/**
 * The Hazelcast client's view of the cluster (OBSERVABILITY.md `hazelcast_client_*`), read at scrape time:
 * whether the client is connected, and how many members its cluster view holds. A member that leaves shows
 * as a drop of `hazelcast_cluster_members` on every service at once, which the "member missing" alert uses.
 */
export function registerHazelcastClientMetrics(registry: Registry, client: () => Client | undefined): void {
  const registers = [registry];
  new Gauge({
    name: 'hazelcast_client_connected',
    help: '1 while the Hazelcast client is running and connected to the cluster, else 0',
    registers,
    collect() {
      const current = client();
      this.set(current !== undefined && isHazelcastUp(current) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hazelcast_cluster_members',
    help: "Members in the Hazelcast client's current cluster view",
    registers,
    collect() {
      const current = client();
      const running = current?.getLifecycleService().isRunning() ?? false;
      this.set(current && running ? current.getCluster().getMembers().length : 0);
    },
  });
}

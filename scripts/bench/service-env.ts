import type { HazelcastMember } from '../../src/hazelcast/member';

/** Environment of a service process a benchmark starts: loopback, its own member and name prefix, quiet logs. */
export function benchServiceEnv(
  member: Pick<HazelcastMember, 'address' | 'clusterName'>,
  prefix: string,
): Record<string, string> {
  return {
    HTTP_HOST: '127.0.0.1',
    HAZELCAST_ADDRESSES: member.address,
    HAZELCAST_CLUSTER_NAME: member.clusterName,
    HAZELCAST_NAME_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
}

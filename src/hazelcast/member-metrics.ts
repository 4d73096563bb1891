import path from 'node:path';

/** config/member-metrics.yaml under the project root: what the JMX exporter agent collects. */
export function memberMetricsConfigPath(projectRoot: string): string {
  return path.join(projectRoot, 'config', 'member-metrics.yaml');
}

/**
 * The JVM flag that runs the Prometheus JMX exporter inside the member, serving
 * http://host:port/metrics. It binds host only, like the member itself.
 */
export function memberMetricsAgentFlag(
  agentJar: string,
  host: string,
  port: number,
  configPath: string,
): string {
  return `-javaagent:${agentJar}=${host}:${port}:${configPath}`;
}

export const memberMetricsUrl = (host: string, port: number): string => `http://${host}:${port}/metrics`;

import type { Logger } from 'pino';
import type { HealthReport } from './operational-routes';

/** Why a report says DOWN: its own reason, else the components that say DOWN. */
export function downReason(report: HealthReport): string {
  if (report.reason) return report.reason;
  const down = Object.entries(report.components ?? {})
    .filter(([, component]) => (component as { status?: unknown } | null)?.status === 'DOWN')
    .map(([name]) => name);
  return down.length > 0 ? `${down.join(', ')} DOWN` : 'the health check said DOWN';
}

/**
 * One log line each time readiness changes, with the reason: a warning when a ready service stops being
 * ready (so a Hazelcast blip that takes pods out of their Service says why), a line when it is ready again.
 * Nothing while it stays as it was, and nothing while it is still starting (the service logs "ready" itself).
 */
export function readinessTransitions(logger: Logger): (report: HealthReport) => void {
  let ready: boolean | undefined;
  return (report) => {
    if (report.up) {
      if (ready === false) logger.info({ readiness: 'UP' }, 'ready again');
      ready = true;
    } else if (ready === true) {
      const reason = downReason(report);
      logger.warn({ readiness: 'DOWN', reason }, `not ready: ${reason}`);
      ready = false;
    }
  };
}

import { join } from 'node:path';
import { startJaeger, type RunningJaeger } from '../../scripts/tracing-tools/jaeger-process';

export { serviceOf, tagOf } from '../../scripts/tracing-tools/jaeger-process';
export type {
  JaegerSpan,
  JaegerTag,
  JaegerTrace,
  RunningJaeger,
} from '../../scripts/tracing-tools/jaeger-process';

const ROOT = join(__dirname, '..', '..');

/**
 * A real trace collector for one test file: Jaeger v2 (OTLP/HTTP in, memory storage, query API) built once
 * by scripts/tracing-tools/ensure-tracing-tools.sh. Throws (and so fails the file) when it is not installed
 * or does not start; there is no silent skip.
 */
export async function startTestJaeger(name: string): Promise<RunningJaeger> {
  return startJaeger({ logFile: join(ROOT, '.run', 'tests', `jaeger-${name}-${process.pid}.log`) });
}

/**
 * Where did the CPU go? Summarises a V8 .cpuprofile (node --cpu-prof, or bench:core --profile-service)
 * by self time per function and per package/file:
 *   ./node_modules/.bin/node build/scripts/bench/cpuprofile-top.js <file.cpuprofile> [top=25] [from-s] [to-s]
 * from/to (seconds since the profile started) keep only samples of one phase.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** node_modules/<pkg> (or @scope/pkg), build/<dir>, node:internal, or the url itself. */
function ownerOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const build = /\/build\/(.+?)\/[^/]+\.js$/.exec(url);
  if (build) return `build/${build[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url;
}

export function topOf(profile: CpuProfile, top: number, fromS = 0, toS = Infinity): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < fromS * 1e6 || at > toS * 1e6) return;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
  });
  const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const file = frame.url.replace(/^.*\/(node_modules|build)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'}  ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const owner = frame.functionName === '(garbage collector)' ? '(garbage collector)' : ownerOf(frame.url);
    owners.set(owner, (owners.get(owner) ?? 0) + micros);
  }
  const pct = (micros: number): string => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
  const lines: string[] = [];
  lines.push(
    `profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s wall, ${(total / 1e6).toFixed(1)} s sampled`,
  );
  lines.push('\nself time by package / directory:');
  for (const [owner, micros] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(micros)}  ${owner}`);
  }
  lines.push('\nself time by function:');
  for (const [name, micros] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(micros)}  ${name}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const [file, topText, fromText, toText] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node build/scripts/bench/cpuprofile-top.js <file.cpuprofile> [top]\n');
    process.exit(64);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = topOf(profile, Number(topText ?? 25), Number(fromText ?? 0), Number(toText ?? Infinity));
  process.stdout.write(`${summary}\n`);
}

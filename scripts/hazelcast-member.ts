/**
 * Runs one Hazelcast member in the foreground for manual use; Ctrl-C stops it gracefully.
 *
 *   node build/scripts/hazelcast-member.js [--port 5701] [--cluster dev] [--host 127.0.0.1]
 *     [--heap 512m] [--log .run/hazelcast-member-5701.log] [--members h1:5701,h2:5702]
 *
 * Services find it through HAZELCAST_ADDRESSES=127.0.0.1:5701 and HAZELCAST_CLUSTER_NAME=dev (their defaults).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MEMBER_HEAP, logTail, startMember } from '../src/hazelcast/member';
import type { HazelcastMember } from '../src/hazelcast/member';

const usage =
  'Usage: node build/scripts/hazelcast-member.js [--port 5701] [--cluster dev] [--host 127.0.0.1] ' +
  '[--heap 512m] [--log FILE] [--members host:port,…]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5701' },
      cluster: { type: 'string', default: 'dev' },
      host: { type: 'string', default: '127.0.0.1' },
      heap: { type: 'string', default: process.env.HAZELCAST_HEAP ?? DEFAULT_MEMBER_HEAP },
      log: { type: 'string' },
      members: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535\n${usage}`);

  const log = (line: string): void => console.log(`[hazelcast] ${line}`);
  log(
    `Starting member (cluster '${values.cluster}', ${values.host}:${port || 'free port'}, heap ${values.heap}) …`,
  );
  const member = await startMember({
    clusterName: values.cluster,
    host: values.host,
    port,
    heap: values.heap,
    logFile: values.log,
    members: values.members
      ?.split(',')
      .map((member) => member.trim())
      .filter(Boolean),
    log,
  });
  log(
    `Ready in ${member.readyMs} ms: ${member.address} (cluster '${member.clusterName}', pid ${member.pid})`,
  );
  log(`Member log: ${member.logFile}`);
  log(`Health: http://${member.address}/hazelcast/health/ready — Ctrl-C stops the member.`);
  await untilStopped(member, log);
}

function untilStopped(member: HazelcastMember, log: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: shutting the member down gracefully …`);
      void member.stop().then(() => {
        log('Member stopped.');
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void member.exited.then((code) => {
      if (stopping) return;
      stopping = true;
      console.error(`[hazelcast] Member exited unexpectedly (code ${code}). Log ${member.logFile}:`);
      console.error(logTail(member.logFile));
      process.exitCode = 1;
      resolve();
    });
  });
}

main().catch((error: unknown) => {
  console.error(`[hazelcast] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

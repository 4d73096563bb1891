#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Naming } from '../src/core/naming';
import { connectHazelcast } from '../src/hazelcast/client';
import { loadPersistenceSettings } from '../src/config/persistence-settings';
import { silentLogger } from '../src/logging/logger';
import { openDurableStore, storeFor } from '../src/runtime/service-storage';
import { applyPolicy, parsePolicyYaml, PolicyFileError, restoreDefaults } from '../src/sagas/policy-admin';
import { describePolicy, type EffectivePolicy, type PolicyAck } from '../src/sagas/saga-policy';
import { DLQ_USAGE, runDlq } from './hms-dlq';

const USAGE = `usage: hms policy apply -f <file.yaml>     write the SagaPolicy (or policies) in the file
       hms policy get [<sagaType>]          show the effective policy and what each service applied
       hms policy reset <sagaType>          restore the defaults
${DLQ_USAGE}

policy reaches the cluster at HAZELCAST_ADDRESSES (default 127.0.0.1:5701), HAZELCAST_CLUSTER_NAME (default dev);
with HMS_PERSISTENCE=postgres the policy is kept in PostgreSQL at DATABASE_URL, as the services read it.`;

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(args: readonly string[]): Promise<number> {
  const [area, verb, ...rest] = args;
  if (area === 'dlq') return runDlq(args.slice(1), say);
  if (area !== 'policy' || !verb || !['apply', 'get', 'reset'].includes(verb)) {
    say(USAGE);
    return area === undefined || area === '--help' || area === '-h' ? 0 : 64;
  }
  // Check the file before touching the cluster: a bad file changes nothing.
  let specs: ReturnType<typeof parsePolicyYaml> = [];
  if (verb === 'apply') {
    const fileFlag = rest.indexOf('-f');
    const file = fileFlag >= 0 ? rest[fileFlag + 1] : undefined;
    if (!file) {
      say('hms policy apply: missing -f <file.yaml>');
      return 64;
    }
    specs = parsePolicyYaml(readFileSync(file, 'utf8'));
  }
  if (verb === 'reset' && !rest[0]) {
    say('hms policy reset: missing <sagaType>');
    return 64;
  }
  const durable = await openDurableStore(loadPersistenceSettings(process.env), silentLogger());
  const client = await connectHazelcast({
    clusterName: process.env.HAZELCAST_CLUSTER_NAME ?? 'dev',
    addresses: (process.env.HAZELCAST_ADDRESSES ?? '127.0.0.1:5701').split(','),
    connectTimeoutMs: 10_000,
  });
  try {
    const kv = storeFor(durable, client);
    const naming = new Naming(process.env.HAZELCAST_NAME_PREFIX ?? '');
    const policies = kv.map<EffectivePolicy>(naming.sagaPolicy());
    if (verb === 'apply') {
      for (const spec of specs) {
        const applied = await applyPolicy(policies, spec, 'cli');
        say(`sagapolicy ${spec.sagaType} applied: ${describePolicy(applied)}`);
      }
      say('Running services pick it up within a second or two; see `hms policy get`.');
      return 0;
    }
    if (verb === 'reset') {
      const applied = await restoreDefaults(policies, rest[0]!, 'cli reset');
      say(`sagapolicy ${rest[0]} reset to the defaults: ${describePolicy(applied)}`);
      return 0;
    }
    const acks = (await kv.map<PolicyAck>(naming.sagaPolicyAcks()).query([])).map(
      ([, stored]) => stored.value,
    );
    const entries = (await policies.query([])).map(([, stored]) => stored.value);
    const wanted = rest[0] ? entries.filter((policy) => policy.sagaType === rest[0]) : entries;
    if (wanted.length === 0)
      say(`No policy written${rest[0] ? ` for ${rest[0]}` : ''}: services use the defaults.`);
    for (const policy of wanted) {
      say(`${policy.sagaType}: ${describePolicy(policy)}`);
      const mine = acks
        .filter((ack) => ack.sagaType === policy.sagaType)
        .sort((a, b) => a.service.localeCompare(b.service));
      if (mine.length === 0) say('  no running service has reported yet');
      for (const ack of mine) {
        const state =
          ack.generation === policy.generation ? 'applied' : `still on generation ${ack.generation}`;
        say(`  ${ack.service.padEnd(10)} ${ack.instanceId.padEnd(28)} ${state}`);
      }
    }
    return 0;
  } finally {
    await client.shutdown();
    await durable.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof PolicyFileError
        ? `invalid SagaPolicy:\n${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`hms: ${message}\n`);
    process.exit(error instanceof PolicyFileError ? 65 : 1);
  },
);

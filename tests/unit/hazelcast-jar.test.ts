import fs from 'node:fs';
import { hostname } from 'node:os';
import {
  errorTail,
  HAZELCAST_VERSION,
  hazelcastCacheDir,
  hazelcastJarPath,
  javaCommand,
  parseJavaVersion,
} from '../../src/hazelcast/jar';
import { defaultConfigPath, memberSystemProperties } from '../../src/hazelcast/member';

describe('Hazelcast jar cache location', () => {
  it('prefers HAZELCAST_CACHE_DIR', () => {
    const env = { HAZELCAST_CACHE_DIR: '/cache/hz', XDG_CACHE_HOME: '/xdg', HOME: '/home/me' };
    expect(hazelcastCacheDir(env)).toBe('/cache/hz');
    expect(hazelcastJarPath(env)).toBe(`/cache/hz/hazelcast-${HAZELCAST_VERSION}.jar`);
  });

  it('falls back to $XDG_CACHE_HOME, then $HOME/.cache, outside the repository', () => {
    expect(hazelcastCacheDir({ XDG_CACHE_HOME: '/xdg', HOME: '/home/me' })).toBe(
      '/xdg/hazelcast-microservices-ts',
    );
    expect(hazelcastCacheDir({ HOME: '/home/me' })).toBe('/home/me/.cache/hazelcast-microservices-ts');
    expect(hazelcastCacheDir({ XDG_CACHE_HOME: '', HOME: '/home/me' })).toBe(
      '/home/me/.cache/hazelcast-microservices-ts',
    );
  });

  it('pins 5.7.0, the hazelcast-client version', () => {
    expect(HAZELCAST_VERSION).toBe('5.7.0');
  });
});

describe('java detection', () => {
  it('reads the major version of old and new version strings', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime')).toEqual({
      major: 17,
      version: '17.0.15',
    });
    expect(parseJavaVersion('java version "1.8.0_392"')).toEqual({ major: 8, version: '1.8.0_392' });
    expect(parseJavaVersion('openjdk version "21" 2023-09-19')).toEqual({ major: 21, version: '21' });
    expect(parseJavaVersion('openjdk version "25-ea" 2025-09-16')).toEqual({ major: 25, version: '25-ea' });
    expect(parseJavaVersion('command not found')).toBeUndefined();
  });

  it('uses JAVA_HOME when set', () => {
    expect(javaCommand({ JAVA_HOME: '/opt/jdk' })).toBe('/opt/jdk/bin/java');
    expect(javaCommand({})).toBe('java');
  });
});

describe('errorTail', () => {
  it("keeps Maven's first [ERROR] lines without colours", () => {
    const output =
      '\u001b[0m[ERROR] Failed to execute goal: Could not find artifact\n[ERROR] \n[ERROR] Try …\nnoise';
    expect(errorTail(output, 1)).toBe('  [ERROR] Failed to execute goal: Could not find artifact');
  });

  it('otherwise keeps the last lines', () => {
    expect(errorTail('a\nb\n\nc\n', 2)).toBe('  b\n  c');
  });
});

describe('member system properties', () => {
  it('fills every ${…} of config/hazelcast.yaml for a loopback member', () => {
    expect(memberSystemProperties({ clusterName: 'dev', host: '127.0.0.1', port: 5701 })).toEqual({
      'hzms.cluster.name': 'dev',
      'hzms.port': '5701',
      'hzms.public.address': '127.0.0.1:5701',
      'hzms.interfaces.enabled': 'true',
      'hzms.interface': '127.0.0.1',
      'hzms.bind.any': 'false',
      'hzms.members': '127.0.0.1:5701',
      'hzms.node.name': hostname(),
      'hzms.partition.group.enabled': 'false',
      'hzms.split.brain.protection.enabled': 'false',
      'hzms.split.brain.protection.min': '2',
    });
  });

  it('switch on NODE_AWARE groups and a split-brain quorum for a multi-node cluster', () => {
    const properties = memberSystemProperties({
      clusterName: 'dev',
      host: '10.1.0.7',
      port: 5701,
      nodeName: 'worker-2',
      partitionGroups: true,
      splitBrainQuorum: 2,
    });
    expect(properties).toMatchObject({
      'hzms.node.name': 'worker-2',
      'hzms.partition.group.enabled': 'true',
      'hzms.split.brain.protection.enabled': 'true',
      'hzms.split.brain.protection.min': '2',
    });
  });

  it('refuse a quorum Hazelcast would refuse', () => {
    for (const splitBrainQuorum of [1, 0, 2.5]) {
      expect(() =>
        memberSystemProperties({ clusterName: 'dev', host: '127.0.0.1', port: 1, splitBrainQuorum }),
      ).toThrow(/splitBrainQuorum must be an integer of at least 2/);
    }
  });

  it('are exactly the variables config/hazelcast.yaml uses', () => {
    const yaml = fs
      .readFileSync(defaultConfigPath(), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    const used = new Set([...yaml.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]));
    const passed = memberSystemProperties({ clusterName: 'x', host: '127.0.0.1', port: 1 });
    expect([...used].sort()).toEqual(Object.keys(passed).sort());
  });
});

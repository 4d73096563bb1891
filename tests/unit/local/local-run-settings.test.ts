import { loadLocalRunSettings } from '../../../src/local/local-run-settings';

describe('local run settings', () => {
  it('defaults to memory mode on the usual ports, with .run under the project and a 4g member', () => {
    const settings = loadLocalRunSettings({}, '/repo');
    expect(settings).toMatchObject({
      persistence: 'memory',
      runDir: '/repo/.run',
      clusterName: 'dev',
      memberHeap: '4g',
      ports: {
        hazelcast: 5701,
        postgres: 5432,
        services: { account: 8081, inventory: 8082, order: 8083, payment: 8084 },
        prometheus: 9090,
      },
    });
    expect(settings.databaseUrl).toBeUndefined();
  });

  it('takes every port, the run directory and an external database from the environment', () => {
    const settings = loadLocalRunSettings(
      {
        HMS_PERSISTENCE: 'postgres',
        DATABASE_URL: 'postgres://u:p@db:5432/hms',
        HMS_RUN_DIR: '/tmp/run',
        ACCOUNT_PORT: '0',
        POSTGRES_PORT: '6543',
        PROMETHEUS_PORT: 'off',
      },
      '/repo',
    );
    expect(settings.persistence).toBe('postgres');
    expect(settings.databaseUrl).toBe('postgres://u:p@db:5432/hms');
    expect(settings.runDir).toBe('/tmp/run');
    expect(settings.ports.services.account).toBe(0);
    expect(settings.ports.postgres).toBe(6543);
    expect(settings.ports.prometheus).toBeUndefined();
  });

  it('ignores DATABASE_URL in memory mode', () => {
    expect(
      loadLocalRunSettings({ DATABASE_URL: 'postgres://u:p@db/hms' }, '/repo').databaseUrl,
    ).toBeUndefined();
  });

  it('stops on a bad value with one line naming it and what was given', () => {
    expect(() => loadLocalRunSettings({ HMS_PERSISTENCE: 'mongo' }, '/repo')).toThrow(
      'HMS_PERSISTENCE must be memory or postgres (got "mongo")',
    );
    const both = () => loadLocalRunSettings({ ORDER_PORT: '70000', DATABASE_URL: 'mysql://x' }, '/repo');
    expect(both).toThrow(
      /^DATABASE_URL must be a postgres:\/\/.* \(got "mysql:\/\/x"\); ORDER_PORT must be a port number/,
    );
    expect(both).not.toThrow(/\n/);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderAll, RULES_FILE } from '../../../dashboards/src';

const TEST_FILE = path.join(__dirname, '..', '..', '..', 'dashboards', 'alerts', 'hms-alerts.test.yaml');

/** promtool from PATH (Debian's prometheus package); the test fails loudly without it. */
function promtool(): string {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  if (found.status !== 0 || !binary) {
    throw new Error('promtool is not installed: apt-get install -y prometheus (npm test installs it)');
  }
  return binary;
}

describe('alert rules (promtool)', () => {
  let dir: string;
  beforeAll(() => {
    // The rules as the code renders them now, laid out like dashboards/ so the test file's path resolves.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hms-alerts-'));
    fs.mkdirSync(path.join(dir, 'generated'));
    fs.mkdirSync(path.join(dir, 'alerts'));
    fs.writeFileSync(path.join(dir, 'generated', RULES_FILE), renderAll()[RULES_FILE]!);
    fs.copyFileSync(TEST_FILE, path.join(dir, 'alerts', 'hms-alerts.test.yaml'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules passes', () => {
    const out = execFileSync(promtool(), ['check', 'rules', path.join(dir, 'generated', RULES_FILE)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out).toMatch(/SUCCESS: 10 rules found/);
  });

  test('promtool test rules passes', () => {
    const result = spawnSync(promtool(), ['test', 'rules', 'hms-alerts.test.yaml'], {
      cwd: path.join(dir, 'alerts'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.status !== 0)
      throw new Error(`promtool test rules failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toMatch(/SUCCESS/);
  });
});

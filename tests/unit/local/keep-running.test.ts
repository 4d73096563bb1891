import { ManualClock } from '../../../src/core/clock';
import type { ProcessExit } from '../../../src/core/process-exit';
import { keepRunning } from '../../../src/local/keep-running';

/** A stand-in process whose death the test decides, so the supervisor's lines and waits can be checked. */
class FakeProcess {
  private die: (exit: ProcessExit) => void = () => undefined;
  readonly exit = new Promise<ProcessExit>((resolve) => (this.die = resolve));
  kill(exit: ProcessExit): void {
    this.die(exit);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function supervised(options: { failStarts?: number; onDeath?: () => 'restart' | 'give-up' } = {}) {
  const clock = new ManualClock();
  const lines: string[] = [];
  const waits: number[] = [];
  const processes = [new FakeProcess()];
  let failStarts = options.failStarts ?? 0;
  let stopping = false;
  const done = keepRunning({
    name: 'account',
    logFile: '.run/account.log',
    running: processes[0]!.exit,
    start: async () => {
      if (failStarts-- > 0) throw new Error('account exited with code 1 before it was ready\nmore detail');
      const next = new FakeProcess();
      processes.push(next);
      return { exit: next.exit, description: 'http://127.0.0.1:8081' };
    },
    stopping: () => stopping,
    say: (line) => lines.push(line),
    clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    onDeath: options.onDeath,
    restartNote: 'nothing it committed is lost',
  });
  return { clock, lines, waits, processes, done, stop: () => (stopping = true) };
}

describe('keepRunning', () => {
  it('says at once what died, how, and where its log is, then restarts it after the back-off', async () => {
    const run = supervised();
    run.processes[0]!.kill({ code: null, signal: 'SIGKILL' });
    await settle();
    expect(run.lines[0]).toBe('account died (killed by SIGKILL); log: .run/account.log');
    expect(run.lines[1]).toMatch(
      /^ {2}nothing it committed is lost; restarting it in 1 s \(attempt 1; the wait doubles up to 30 s/,
    );
    expect(run.lines[2]).toBe('account is back (http://127.0.0.1:8081)');
    expect(run.processes).toHaveLength(2);
  });

  it('backs off further on each start that fails, and forgives a process that stayed up', async () => {
    const run = supervised({ failStarts: 3 });
    run.processes[0]!.kill({ code: 1, signal: null });
    await settle();
    expect(run.waits).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(run.lines.filter((line) => line.includes('did not start'))).toEqual([
      '  account did not start: account exited with code 1 before it was ready',
      '  account did not start: account exited with code 1 before it was ready',
      '  account did not start: account exited with code 1 before it was ready',
    ]);
    run.clock.advance(60_000);
    run.processes[1]!.kill({ code: 1, signal: null });
    await settle();
    expect(run.waits.at(-1)).toBe(1_000);
  });

  it('restarts nothing when the death is given up on, or when the run is stopping', async () => {
    const givenUp = supervised({ onDeath: () => 'give-up' });
    givenUp.processes[0]!.kill({ code: 3, signal: null });
    await givenUp.done;
    expect(givenUp.lines).toEqual(['account died (exit code 3); log: .run/account.log']);

    const stopped = supervised();
    stopped.stop();
    stopped.processes[0]!.kill({ code: 0, signal: null });
    await stopped.done;
    expect(stopped.lines).toEqual([]);
  });
});

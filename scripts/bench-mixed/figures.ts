import { cpuSecondsBetween, type CpuSnapshot } from '../bench/cpu';
import { quantilesOf } from '../bench-saga/report';
import { KINDS, type Kind, type MixedWorkload } from '../bench-soak/mix';
import { kindResult, type KindResult } from '../bench-soak/result';
import { postgresSummed } from '../bench-soak/system';
import type { RateResult } from './result';

/** The load generator's processes: not part of the system whose cost per saga is the question. */
const LOAD_PROCESSES = new Set(['bench', 'vegeta']);

export function kindFigures(workload: MixedWorkload): Pick<RateResult, 'kinds' | 'polls'> {
  const kinds = Object.fromEntries(KINDS.map((kind) => [kind, kindResult(workload.stats[kind])]));
  return {
    kinds: kinds as Record<Kind, KindResult>,
    polls: {
      ...kindResult(workload.polls),
      settledMs: quantilesOf(workload.pollSettled),
      timedOut: workload.pollTimedOut,
    },
  };
}

/** CPU seconds of every process over the window and per completed saga, all and the system alone. */
export function cpuFigures(
  start: CpuSnapshot,
  end: CpuSnapshot,
  vegetaSeconds: number,
  completed: number | undefined,
): RateResult['cpu'] {
  const seconds: Record<string, number> = { ...postgresSummed(cpuSecondsBetween(start, end)) };
  seconds.vegeta = vegetaSeconds;
  let all = 0;
  let system = 0;
  for (const [name, value] of Object.entries(seconds)) {
    seconds[name] = Math.round(value * 100) / 100;
    all += value;
    if (!LOAD_PROCESSES.has(name)) system += value;
  }
  const perSaga = (total: number): number | undefined =>
    completed ? Math.round((total / completed) * 1e5) / 100 : undefined;
  return {
    windowSeconds: Math.round(end.atMs - start.atMs) / 1000,
    seconds,
    msPerSaga: perSaga(all),
    systemMsPerSaga: perSaga(system),
  };
}

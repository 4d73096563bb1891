import { execFile } from 'node:child_process';
import type { Client as HazelcastClient, HazelcastJsonValue, IMap, Ringbuffer } from 'hazelcast-client';

/**
 * What the member JVM holds and where its CPU goes, with the JDK's own tools (jcmd, jfr) and the
 * client: the live heap after a full GC, the payload per data structure of the run, and a JFR
 * execution-sample profile of the measured window.
 */
function run(command: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

export interface HeapHistogram {
  /** Live bytes after the full GC that GC.class_histogram forces, MB. */
  readonly liveMb: number;
  readonly instances: number;
  readonly top: ReadonlyArray<{
    readonly className: string;
    readonly mb: number;
    readonly instances: number;
  }>;
}

/** `jcmd <pid> GC.class_histogram` (forces a full GC: call it outside a measured window). */
export async function heapHistogram(pid: number): Promise<HeapHistogram> {
  const text = await run('jcmd', [String(pid), 'GC.class_histogram']);
  const top: Array<{ className: string; mb: number; instances: number }> = [];
  let liveMb = 0;
  let instances = 0;
  for (const line of text.split('\n')) {
    const row = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (row && top.length < 12) {
      top.push({ className: row[3]!, instances: Number(row[1]), mb: Number(row[2]) / 1024 ** 2 });
      continue;
    }
    const total = /^Total\s+(\d+)\s+(\d+)/.exec(line);
    if (total) {
      instances = Number(total[1]);
      liveMb = Number(total[2]) / 1024 ** 2;
    }
  }
  return { liveMb, instances, top };
}

export interface StructureData {
  readonly name: string;
  readonly kind: 'map' | 'ringbuffer';
  readonly entries: number;
  /** Mean JSON payload (key + value, UTF-16 length as bytes), from a sample. */
  readonly meanBytes: number;
  /** entries × meanBytes: the payload alone, without Hazelcast's per-entry overhead. */
  readonly payloadMb: number;
}

/** Entries and payload size of every map and ringbuffer whose name starts with prefix. */
export async function dataInventory(
  client: HazelcastClient,
  prefix: string,
  sample = 200,
): Promise<StructureData[]> {
  const objects = (await client.getDistributedObjects()).filter((object) =>
    object.getName().startsWith(prefix),
  );
  const rows: StructureData[] = [];
  for (const object of objects) {
    const name = object.getName();
    const service = object.getServiceName();
    if (service === 'hz:impl:mapService') {
      const map: IMap<string, HazelcastJsonValue> = await client.getMap(name);
      const keys = await map.keySet();
      const step = Math.max(1, Math.floor(keys.length / sample));
      const picked = keys.filter((_, index) => index % step === 0).slice(0, sample);
      let bytes = 0;
      let seen = 0;
      if (picked.length > 0) {
        for (const [key, value] of await map.getAll(picked)) {
          bytes += key.length + String(value).length;
          seen++;
        }
      }
      const meanBytes = seen > 0 ? bytes / seen : 0;
      rows.push({
        name: name.slice(prefix.length),
        kind: 'map',
        entries: keys.length,
        meanBytes,
        payloadMb: (meanBytes * keys.length) / 1024 ** 2,
      });
    } else if (service === 'hz:impl:ringbufferService') {
      const ring: Ringbuffer<string> = await client.getRingbuffer(name);
      const size = (await ring.size()).toNumber();
      const head = (await ring.headSequence()).toNumber();
      let bytes = 0;
      let seen = 0;
      if (size > 0) {
        const result = await ring.readMany(head, 0, Math.min(sample, size));
        for (let index = 0; index < result.size(); index++) {
          bytes += String(result.get(index)).length;
          seen++;
        }
      }
      const meanBytes = seen > 0 ? bytes / seen : 0;
      rows.push({
        name: name.slice(prefix.length),
        kind: 'ringbuffer',
        entries: size,
        meanBytes,
        payloadMb: (meanBytes * size) / 1024 ** 2,
      });
    }
  }
  return rows.sort((a, b) => b.payloadMb - a.payloadMb);
}

/** Starts a JFR recording (execution samples every 10 ms per thread) on the member. */
export async function startJfr(pid: number, file: string): Promise<void> {
  await run('jcmd', [String(pid), 'JFR.start', 'name=bench-saga', 'settings=profile', `filename=${file}`]);
}

export async function stopJfr(pid: number): Promise<void> {
  await run('jcmd', [String(pid), 'JFR.stop', 'name=bench-saga']);
}

export interface JfrSummary {
  readonly samples: number;
  /** Share of samples per top frame (self time), biggest first. */
  readonly selfTop: ReadonlyArray<{ readonly frame: string; readonly percent: number }>;
  /** Share of samples with a frame of this Hazelcast operation / task class on the stack. */
  readonly operationTop: ReadonlyArray<{ readonly frame: string; readonly percent: number }>;
  /** Share of samples per thread group (digits folded). */
  readonly threadTop: ReadonlyArray<{ readonly frame: string; readonly percent: number }>;
  /** Allocation (jdk.ObjectAllocationSample weights) in the window, MB per second. */
  readonly allocatedMbPerSecond?: number;
  /** Share of allocated bytes per Hazelcast operation (the one nearest the allocation on the stack). */
  readonly allocationTop?: ReadonlyArray<{ readonly frame: string; readonly percent: number }>;
}

const UNITS: Readonly<Record<string, number>> = { bytes: 1, byte: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** Bytes allocated per Hazelcast operation in the window (allocation samples are weighted by bytes). */
async function allocationOf(
  file: string,
  inWindow: (event: string) => boolean,
  seconds: number,
  top: number,
): Promise<{ allocatedMbPerSecond: number; allocationTop: Array<{ frame: string; percent: number }> }> {
  const text = await run(
    'jfr',
    ['print', '--events', 'jdk.ObjectAllocationSample', '--stack-depth', '96', file],
    300_000,
  );
  const byOperation = new Map<string, number>();
  let total = 0;
  for (const event of text.split('jdk.ObjectAllocationSample {').slice(1)) {
    if (!inWindow(event)) continue;
    const weight = /weight = ([\d.]+) (bytes|byte|kB|MB|GB)/.exec(event);
    if (!weight) continue;
    const bytes = Number(weight[1]) * (UNITS[weight[2]!] ?? 1);
    total += bytes;
    const frames = [...event.matchAll(/^\s+([\w$.<>/]+)\(.*?\)\s+line:/gm)].map((match) => match[1]!);
    const owner =
      frames
        .map((frame) => frame.slice(0, frame.lastIndexOf('.')))
        .find(
          (owner) =>
            /^com\.hazelcast\..*\.\w+(Operation|MessageTask)$/.test(owner) &&
            !/\.(MapOperation|Operation|AbstractMessageTask)$/.test(owner),
        ) ??
      `(${
        /eventThread = "([^"]*)"/
          .exec(event)?.[1]
          ?.replace(/^hz\.[^.]+\./, 'hz.')
          .replace(/\d+/g, '#') ?? '?'
      })`;
    byOperation.set(owner, (byOperation.get(owner) ?? 0) + bytes);
  }
  return {
    allocatedMbPerSecond: total / 1024 ** 2 / Math.max(1, seconds),
    allocationTop: [...byOperation]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, bytes]) => ({ frame, percent: (bytes / Math.max(1, total)) * 100 })),
  };
}

/** Seconds since local midnight: how `jfr print` shows an event's startTime (HH:MM:SS.mmm, local time). */
function secondOfDay(epochMs: number): number {
  const date = new Date(epochMs);
  return date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds() + date.getMilliseconds() / 1000;
}

/**
 * Execution samples of a recording: self time per method, and time under each Hazelcast operation;
 * only samples between fromEpoch and toEpoch (the measured window) count.
 */
export async function summarizeJfr(
  file: string,
  fromEpoch: number,
  toEpoch: number,
  top = 20,
): Promise<JfrSummary> {
  const from = secondOfDay(fromEpoch);
  const to = secondOfDay(toEpoch);
  const inWindow = (event: string): boolean => {
    const at = /startTime = (\d+):(\d+):([\d.]+)/.exec(event);
    if (!at) return true;
    const second = Number(at[1]) * 3600 + Number(at[2]) * 60 + Number(at[3]);
    return from <= to ? second >= from && second <= to : second >= from || second <= to;
  };
  const text = await run(
    'jfr',
    ['print', '--events', 'jdk.ExecutionSample', '--stack-depth', '96', file],
    300_000,
  );
  const self = new Map<string, number>();
  const operations = new Map<string, number>();
  const threads = new Map<string, number>();
  let samples = 0;
  for (const event of text.split('jdk.ExecutionSample {').slice(1)) {
    if (!inWindow(event)) continue;
    const frames = [...event.matchAll(/^\s+([\w$.<>/]+)\(.*?\)\s+line:/gm)].map((match) => match[1]!);
    if (frames.length === 0) continue;
    samples++;
    self.set(frames[0]!, (self.get(frames[0]!) ?? 0) + 1);
    const thread = /sampledThread = "([^"]*)"/.exec(event)?.[1] ?? '?';
    const group = thread.replace(/^hz\.[^.]+\./, 'hz.').replace(/\d+/g, '#');
    threads.set(group, (threads.get(group) ?? 0) + 1);
    const seen = new Set<string>();
    for (const frame of frames) {
      const owner = frame.slice(0, frame.lastIndexOf('.'));
      if (!/^com\.hazelcast\..*(Operation|Task|MessageTask|Codec)$/.test(owner) || seen.has(owner)) continue;
      seen.add(owner);
      operations.set(owner, (operations.get(owner) ?? 0) + 1);
    }
  }
  const ranked = (counts: Map<string, number>): Array<{ frame: string; percent: number }> =>
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, count]) => ({ frame, percent: (count / Math.max(1, samples)) * 100 }));
  const allocation = await allocationOf(file, inWindow, (toEpoch - fromEpoch) / 1000, top).catch(
    () => undefined,
  );
  return {
    samples,
    selfTop: ranked(self),
    operationTop: ranked(operations),
    threadTop: ranked(threads),
    ...(allocation ?? {}),
  };
}

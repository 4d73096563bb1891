import { z } from 'zod';

export const DLQ_USAGE = `       hms dlq list [--status S] [--limit N] [--offset N]   parked events, newest failure first
       hms dlq replay <id> | --all                          hand them to their group's handler again
       hms dlq discard <id> [--reason <text>]               give up on one, with the reason on record

dlq talks to a service's admin API: --service account|inventory|order|payment (default order, at
127.0.0.1 on its default port) or --url <base url>; HMS_URL sets the default base url.`;

const SERVICE_PORTS: Readonly<Record<string, number>> = {
  account: 8081,
  inventory: 8082,
  order: 8083,
  payment: 8084,
};

const entrySchema = z.object({
  dlqEntryId: z.string(),
  consumerGroup: z.string(),
  kind: z.string(),
  status: z.string(),
  eventType: z.string().nullable(),
  aggregateId: z.string().nullable(),
  sagaId: z.string().nullable(),
  failureReason: z.string(),
  failureTimestamp: z.string(),
  attempts: z.number(),
  replayCount: z.number(),
});
const errorSchema = z.object({ message: z.string(), errorCode: z.string() });
const replayAllSchema = z.object({
  replayed: z.number(),
  failed: z.number(),
  skipped: z.number(),
  results: z.array(
    z.object({ dlqEntryId: z.string(), status: z.string(), failureReason: z.string().optional() }),
  ),
});

/** The value after `--name`, if given. */
const flag = (args: readonly string[], name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};

/** The arguments that are neither a flag nor a flag's value. */
const positional = (args: readonly string[]): string[] =>
  args.filter((arg, index) => !arg.startsWith('--') && !args[index - 1]?.startsWith('--'));

export function baseUrlOf(args: readonly string[], env: NodeJS.ProcessEnv): string {
  const url = flag(args, 'url') ?? env.HMS_URL;
  if (url) return url.replace(/\/+$/, '');
  const service = flag(args, 'service') ?? 'order';
  const port = SERVICE_PORTS[service];
  if (!port) throw new Error(`unknown service '${service}': one of ${Object.keys(SERVICE_PORTS).join(', ')}`);
  return `http://127.0.0.1:${port}`;
}

/** `hms dlq …`: returns the exit code (0 done, 1 an entry failed or was refused, 64 usage). */
export async function runDlq(
  args: readonly string[],
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [verb, ...rest] = args;
  const base = baseUrlOf(rest, env);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}/api/admin/dlq${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
  const refused = (json: unknown): number => {
    const error = errorSchema.safeParse(json);
    say(
      error.success
        ? `${error.data.errorCode}: ${error.data.message}`
        : `unexpected answer: ${JSON.stringify(json)}`,
    );
    return 1;
  };
  const [id] = positional(rest);

  if (verb === 'list') {
    const query = new URLSearchParams();
    for (const name of ['status', 'limit', 'offset']) {
      const value = flag(rest, name);
      if (value) query.set(name, value);
    }
    const reply = await call('GET', query.size > 0 ? `?${query}` : '');
    if (reply.status !== 200) return refused(reply.json);
    const entries = z.array(entrySchema).parse(reply.json);
    say(`${entries.length} of ${reply.headers.get('x-total-count') ?? '?'} parked event(s) at ${base}`);
    for (const entry of entries) {
      const what =
        entry.kind === 'malformed' ? 'malformed stream item' : `${entry.eventType} of ${entry.aggregateId}`;
      say(`${entry.dlqEntryId}  ${entry.status}  ${what}${entry.sagaId ? ` (saga ${entry.sagaId})` : ''}`);
      say(
        `    ${entry.failureTimestamp}  after ${entry.attempts} attempt(s), ${entry.replayCount} replay(s): ${entry.failureReason}`,
      );
    }
    return 0;
  }
  if (verb === 'replay' && rest.includes('--all')) {
    const reply = await call('POST', '/replay-all');
    if (reply.status !== 200) return refused(reply.json);
    const done = replayAllSchema.parse(reply.json);
    for (const result of done.results)
      say(`${result.dlqEntryId}  ${result.status}${result.failureReason ? `: ${result.failureReason}` : ''}`);
    say(`replayed ${done.replayed}, failed ${done.failed}, skipped ${done.skipped}`);
    return done.failed > 0 ? 1 : 0;
  }
  if (verb === 'replay' && id) {
    const reply = await call('POST', `/${encodeURIComponent(id)}/replay`);
    if (reply.status !== 200) return refused(reply.json);
    say(`${id} replayed`);
    return 0;
  }
  if (verb === 'discard' && id) {
    const reason = flag(rest, 'reason');
    const reply = await call('DELETE', `/${encodeURIComponent(id)}`, reason ? { reason } : undefined);
    if (reply.status !== 200) return refused(reply.json);
    say(`${id} discarded${reason ? `: ${reason}` : ''}`);
    return 0;
  }
  say(`usage: ${DLQ_USAGE.trimStart()}`);
  return 64;
}

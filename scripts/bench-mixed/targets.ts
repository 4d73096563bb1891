import type { Writable } from 'node:stream';
import type { Shop } from '../bench-saga/shop';
import { kindOf, requestOf, type Kind, type MixRequest } from '../bench-soak/mix';
import { targetLine } from '../load-tools/vegeta';

/**
 * The target generator vegeta reads lazily on stdin: iteration n of the soak's mix (the same kind and body
 * as `npm run bench:soak` sends for n) as one JSON target line. An order-and-poll's POST carries a query
 * parameter the order service ignores, so that its result, which names only method and URL, tells it from a
 * plain order; the polling itself is the bench's (MixedWorkload), started when the result comes back.
 */
const POLL_MARK = 'iteration=order-and-poll';

export type BaseUrls = Readonly<Record<MixRequest['service'], string>>;

export function targetOf(seq: number, shop: Shop, tag: string, baseUrls: BaseUrls): string {
  const kind = kindOf(seq);
  const request = requestOf(kind, seq, shop, tag);
  const mark = kind === 'orderAndPoll' ? `?${POLL_MARK}` : '';
  return targetLine('POST', `${baseUrls[request.service]}${request.path}${mark}`, request.body);
}

/** Which iteration a result answered, from its URL; undefined for a URL the mix does not send. */
export function kindOfUrl(url: string): Kind | undefined {
  const { pathname, search } = new URL(url);
  if (pathname === '/api/orders') return search === `?${POLL_MARK}` ? 'orderAndPoll' : 'order';
  if (pathname === '/api/customers') return 'customer';
  if (pathname.endsWith('/stock/reserve')) return 'reserve';
  return undefined;
}

/** Writes the targets of iterations 0..count-1, waiting whenever vegeta has not read what was written. */
export async function feedTargets(
  into: Writable,
  count: number,
  target: (seq: number) => string,
  stopped: () => boolean,
): Promise<void> {
  for (let seq = 0; seq < count && !stopped() && !into.destroyed; seq++) {
    if (!into.write(target(seq))) await drainedOrClosed(into);
  }
  into.end();
}

/** Resolves on the stream's next 'drain' or 'close', leaving no listener behind. */
function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

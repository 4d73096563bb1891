import { sleep } from '../../src/core/sleep';
import type { HttpLoadClient } from '../bench/http-scenario';
import { sagaCounts } from './sampler';

/** After the load: waits (bounded) until no saga is running any more, or `stopped()`. */
export async function settle(
  admin: HttpLoadClient,
  timeoutMs: number,
  stopped: () => boolean,
  say: (line: string) => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastSay = performance.now();
  for (;;) {
    const counts = await sagaCounts(admin);
    if (counts?.running === 0 || stopped()) return;
    if (performance.now() > deadline) {
      say(
        `  ${counts?.running ?? '?'} sagas still running after ${timeoutMs / 1000} s; reading them as they are`,
      );
      return;
    }
    if (performance.now() - lastSay > 10_000) {
      lastSay = performance.now();
      say(`  ${counts?.running ?? '?'} sagas still running …`);
    }
    await sleep(500);
  }
}

/** Undo steps, run last-first once: on success, on failure, on Ctrl-C and from the watchdog. */
export class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<void> }> = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly say: (line: string) => void,
    /** How long one undo step may take before the next one runs. */
    private readonly stepTimeoutMs = 90_000,
  ) {}

  /** Returns a function that forgets the step (once it was undone by hand). */
  push(name: string, run: () => Promise<void>): () => void {
    const step = { name, run };
    this.steps.push(step);
    return () => {
      const index = this.steps.indexOf(step);
      if (index >= 0) this.steps.splice(index, 1);
    };
  }

  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          const seconds = Math.round(this.stepTimeoutMs / 1000);
          await withTimeout(
            step.run(),
            this.stepTimeoutMs,
            `${step.name} did not finish within ${seconds} s`,
          );
        } catch (error) {
          this.say(`  cleanup: ${step.name} failed: ${messageOf(error)}`);
        }
      }
    })();
    return this.running;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

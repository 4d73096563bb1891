import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout; the service name is on every line. */
export function createLogger(options: { service: string; level?: string }): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** For tests and tools that want silence. */
export const silentLogger = (): Logger => pino({ level: 'silent' });

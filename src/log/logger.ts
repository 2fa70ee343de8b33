import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';
import { logSafeError } from './scrub.ts';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

/**
 * Structured JSON logs (pino) with secrets redacted and errors logged without query parameters
 * (`err`, `error`); `base` names the process role. Lines go to stdout unless a `destination` is given.
 */
export function createLogger(level: LevelWithSilent, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid, ...base },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: logSafeError, error: logSafeError },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** How a process's logs are written (`config.log`). */
export interface LogSettings {
  level: LevelWithSilent;
  /** Unset: pretty when the stream is a terminal, JSON lines otherwise. */
  format?: 'pretty' | 'json' | undefined;
}

/** Whether lines for this stream are printed for a person (pino-pretty) rather than as JSON. */
export function isPretty(settings: Pick<LogSettings, 'format'>, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  return settings.format ? settings.format === 'pretty' : process[stream].isTTY;
}

/**
 * A process's logger: `createLogger` on stdout (services) or stderr (one-shot commands, whose own
 * output owns stdout), as JSON lines or, on a terminal, pino-pretty's readable lines.
 */
export function createProcessLogger(settings: LogSettings, base: Record<string, unknown>, options: { stream?: 'stdout' | 'stderr' } = {}): Logger {
  const stream = options.stream ?? 'stdout';
  const fd = stream === 'stdout' ? 1 : 2;
  if (!isPretty(settings, stream)) return createLogger(settings.level, base, pino.destination({ fd, sync: stream === 'stderr' }));
  return createLogger(
    settings.level,
    base,
    pretty({
      destination: fd,
      sync: true,
      colorize: process[stream].isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      // The role says more than a pid on one machine; the host is the machine itself.
      ignore: 'pid,hostname',
      singleLine: true,
    }),
  );
}

export type { Logger };

import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
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

export type { Logger };

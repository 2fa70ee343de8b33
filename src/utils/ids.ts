import { randomBytes } from 'node:crypto';

/** 48 random bits per process: two processes share a prefix with odds of about 1 in 2^48 per pair. */
const PROCESS_PREFIX = `t${randomBytes(6).toString('base64url')}`;
let issued = 0;

/**
 * An id unique across processes and time, cheaper and shorter than a UUID: this process's random
 * prefix, then a counter. Task ids are made at the producers' full rate and travel in every Redis
 * key and event of their job, where a 36-character UUID measurably cost both sides (docs/benchmarks.md).
 * Not a secret: ids from one process are sequential, so never use one as a token.
 * Always starts with a letter and holds only `A-Za-z0-9_-`.
 */
export function uniqueId(): string {
  issued += 1;
  return `${PROCESS_PREFIX}${issued.toString(36)}`;
}

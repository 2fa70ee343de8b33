import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Whether a submitted secret (a form's CSRF token) equals the expected one, in constant time:
 * both are hashed first, so their lengths are equal and tell nothing. Empty never matches.
 */
export function sameSecret(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0 || expected.length === 0) return false;
  return timingSafeEqual(sha256(expected), sha256(submitted));
}

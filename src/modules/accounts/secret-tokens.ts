import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A token as handed to the user, and what is stored of it. */
export interface MintedToken {
  /** `<selector>.<secret>`; shown once (in a mail or a response), never stored. */
  token: string;
  selector: string;
  /** sha256 of the secret, hex. */
  verifierHash: string;
}

const SELECTOR_BYTES = 12;
const SECRET_BYTES = 32;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * A random selector/verifier token: the selector finds the row by an index, the 256-bit secret is
 * stored only as its sha256 and compared in constant time, so neither a database leak nor
 * response timing reveals a usable token.
 */
export function mintToken(): MintedToken {
  const selector = randomBytes(SELECTOR_BYTES).toString('base64url');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { token: `${selector}.${secret}`, selector, verifierHash: sha256Hex(secret) };
}

/** Splits a presented token; undefined when it cannot be one of ours. */
export function parseToken(token: string): { selector: string; secret: string } | undefined {
  const match = TOKEN_SHAPE.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  return { selector: match[1], secret: match[2] };
}

/** Constant-time comparison of a presented secret with a stored sha256. */
export function secretMatches(secret: string, verifierHash: string): boolean {
  const actual = Buffer.from(sha256Hex(secret), 'hex');
  const expected = Buffer.from(verifierHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an access token says: `sub` is the user's public id; `sv` must equal the user's current session version. */
export interface AccessClaims {
  sub: string;
  sv: number;
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const ISSUER = 'ainfo';
/** The shape of users.public_id (a UUID). */
const PUBLIC_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * HS256 JWTs with node:crypto: one algorithm, fixed header, so no `alg: none` or key-confusion
 * path exists; a dependency would bring options we would have to switch off.
 */
export class AccessTokens {
  constructor(
    private readonly secret: () => Promise<Buffer>,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async sign(subject: string, sessionVersion: number): Promise<{ token: string; expiresIn: number }> {
    const iat = Math.floor(this.now() / 1000);
    const payload = { iss: ISSUER, sub: subject, sv: sessionVersion, iat, exp: iat + this.ttlSeconds };
    const body = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    const signature = createHmac('sha256', await this.secret()).update(body).digest('base64url');
    return { token: `${body}.${signature}`, expiresIn: this.ttlSeconds };
  }

  /** The claims of a valid, unexpired token of ours; undefined for anything else. */
  async verify(token: string): Promise<AccessClaims | undefined> {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (header !== HEADER) return undefined;
    const expected = createHmac('sha256', await this.secret()).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isAccessClaims(claims)) return undefined;
    if (claims.exp <= Math.floor(this.now() / 1000)) return undefined;
    return { sub: claims.sub, sv: claims.sv, iat: claims.iat, exp: claims.exp };
  }
}

function isAccessClaims(value: unknown): value is AccessClaims & { iss: string } {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return (
    claims.iss === ISSUER &&
    typeof claims.sub === 'string' &&
    PUBLIC_ID.test(claims.sub) &&
    typeof claims.sv === 'number' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number'
  );
}

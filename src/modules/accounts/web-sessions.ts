import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A signed-in browser's session as stored in Redis. */
export interface WebSession {
  userId: number;
  /** users.session_version at login: a password change, reset or "log out everywhere" ends it. */
  sessionVersion: number;
  /** The synchronizer token every form of the signed-in pages carries. */
  csrf: string;
  createdAt: number;
}

/** How long a session lives: idle (unused) and absolute. */
export interface WebSessionLifetime {
  /** Default 7 days: a phone opened once a week stays signed in. */
  idleSeconds: number;
  /** Default 30 days: then one logs in again whatever the use. */
  absoluteSeconds: number;
}

export const WEB_SESSION_LIFETIME: WebSessionLifetime = { idleSeconds: 7 * 86_400, absoluteSeconds: 30 * 86_400 };

const SESSION_ID = /^[A-Za-z0-9_-]{40,60}$/;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * The pages' sessions (/login, /me): server-side in Redis, so a logout, a password change or a
 * deleted account ends them at once in every web process. Only a hash of the session id is
 * stored, so reading Redis hands out no live cookie.
 */
export class WebSessions {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly lifetime: WebSessionLifetime = WEB_SESSION_LIFETIME,
  ) {}

  private key(sessionId: string): string {
    return `${this.prefix}:ainfo:accounts:web-session:${sha256(sessionId)}`;
  }

  /** Starts a session; returns its id (the cookie's value) and the session. */
  async start(userId: number, sessionVersion: number): Promise<{ sessionId: string; session: WebSession }> {
    const sessionId = randomBytes(32).toString('base64url');
    const session: WebSession = { userId, sessionVersion, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now() };
    await this.redis.set(this.key(sessionId), JSON.stringify(session), 'EX', this.lifetime.idleSeconds);
    return { sessionId, session };
  }

  /** The session of a cookie value, its idle time extended; undefined when unknown or over. */
  async read(sessionId: string): Promise<WebSession | undefined> {
    if (!SESSION_ID.test(sessionId)) return undefined;
    const key = this.key(sessionId);
    const raw = await this.redis.get(key);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as WebSession;
    const leftSeconds = Math.floor((session.createdAt + this.lifetime.absoluteSeconds * 1000 - Date.now()) / 1000);
    if (leftSeconds <= 0) {
      await this.redis.del(key);
      return undefined;
    }
    await this.redis.expire(key, Math.min(this.lifetime.idleSeconds, leftSeconds));
    return session;
  }

  async end(sessionId: string): Promise<void> {
    if (SESSION_ID.test(sessionId)) await this.redis.del(this.key(sessionId));
  }
}

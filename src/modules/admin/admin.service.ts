import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/logger.ts';
import { sameSecret } from '../../utils/secrets.ts';
import type { AccountIdentity, LoginCheck } from '../accounts/index.ts';
import type { AdminRepository, AuditEntry } from './admin.repository.ts';
import type { AuditRow } from './admin.tables.ts';

/** The admin a session belongs to, read fresh from the database on every request. */
export interface AdminIdentity {
  id: number;
  email: string;
  name: string;
}

/** A signed-in admin's session as stored in Redis (a login form has none: its state is a signed cookie). */
export interface AdminSession {
  userId: number;
  /** users.session_version at login: a password reset or "log out everywhere" ends admin sessions too. */
  sessionVersion: number;
  csrf: string;
  createdAt: number;
}

export type LoginResult =
  | { ok: true; admin: AdminIdentity; sessionId: string; session: AdminSession }
  | { ok: false; reason: 'invalid' | 'not-admin' | 'rate-limited' };

/** What the admin asks of accounts: the one login check, and who a session's user is now. */
export interface AdminAccounts {
  verifyLogin(input: { email: string; password: string; clientIp: string }): Promise<LoginCheck>;
  identity(userId: number): Promise<AccountIdentity | undefined>;
}

export interface AdminServiceOptions {
  repository: AdminRepository;
  redis: Redis;
  /** config.tasks.prefix: sessions live under `<prefix>:ainfo:admin:session:`. */
  prefix: string;
  accounts: AdminAccounts;
  log: Logger;
  /** A session unused this long ends. Default 2 h. */
  idleSeconds?: number;
  /** A session ends this long after login whatever its use. Default 12 h. */
  absoluteSeconds?: number;
}

const DEFAULT_IDLE_S = 2 * 3600;
const DEFAULT_ABSOLUTE_S = 12 * 3600;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Compares a submitted form token with the expected one in constant time (hashes make the lengths equal). */
export const tokensMatch = sameSecret;

/**
 * Admin sessions in Redis with synchronizer CSRF tokens, on top of accounts' one login, plus the
 * audit log. Plain TypeScript: the routes translate cookies and forms into these calls.
 */
export class AdminService {
  private readonly idleSeconds: number;
  private readonly absoluteSeconds: number;
  constructor(private readonly options: AdminServiceOptions) {
    this.idleSeconds = options.idleSeconds ?? DEFAULT_IDLE_S;
    this.absoluteSeconds = options.absoluteSeconds ?? DEFAULT_ABSOLUTE_S;
  }

  get sessionMaxAgeSeconds(): number {
    return this.absoluteSeconds;
  }

  // Only a hash of the session id is stored, so reading Redis does not hand out live cookies.
  private key(sessionId: string): string {
    return `${this.options.prefix}:ainfo:admin:session:${sha256(sessionId)}`;
  }

  private async store(session: AdminSession, ttlSeconds: number): Promise<string> {
    const sessionId = randomBytes(32).toString('base64url');
    await this.options.redis.set(this.key(sessionId), JSON.stringify(session), 'EX', ttlSeconds);
    return sessionId;
  }

  /** The session of a cookie value; extends its idle time. Undefined when unknown or expired. */
  async readSession(sessionId: string | undefined): Promise<AdminSession | undefined> {
    if (!sessionId || !/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return undefined;
    const key = this.key(sessionId);
    const raw = await this.options.redis.get(key);
    if (!raw) return undefined;
    const session = JSON.parse(raw) as AdminSession;
    const leftSeconds = Math.floor((session.createdAt + this.absoluteSeconds * 1000 - Date.now()) / 1000);
    if (leftSeconds <= 0) {
      await this.options.redis.del(key);
      return undefined;
    }
    await this.options.redis.expire(key, Math.min(this.idleSeconds, leftSeconds));
    return session;
  }

  /** The admin behind a signed-in session, or undefined once the user is gone, demoted or reset. */
  async adminOf(session: AdminSession | undefined): Promise<AdminIdentity | undefined> {
    if (session === undefined) return undefined;
    const user = await this.options.accounts.identity(session.userId);
    if (!user?.isAdmin || !user.emailVerified || user.sessionVersion !== session.sessionVersion) return undefined;
    return { id: user.id, email: user.email, name: user.name };
  }

  /** Compares a submitted CSRF token with the session's in constant time. */
  csrfMatches(session: AdminSession | undefined, submitted: unknown): boolean {
    return session !== undefined && tokensMatch(session.csrf, submitted);
  }

  /**
   * Signs an admin in through accounts' one login (its limits per address and client IP, its
   * slow-down per address, its rehash), then starts a new session (always a new id, and an earlier session of the
   * browser is dropped, so a planted cookie never becomes signed in). A non-admin account is
   * refused like a wrong password.
   */
  async login(input: { email: string; password: string; ip: string; previousSessionId?: string }): Promise<LoginResult> {
    const check = await this.options.accounts.verifyLogin({ email: input.email, password: input.password, clientIp: input.ip });
    if (!check.ok) return { ok: false, reason: check.reason };
    const user = check.user;
    if (!user.isAdmin || !user.emailVerified) return { ok: false, reason: 'not-admin' };
    if (input.previousSessionId) await this.logout(input.previousSessionId);
    const session: AdminSession = {
      userId: user.id,
      sessionVersion: user.sessionVersion,
      csrf: randomBytes(24).toString('base64url'),
      createdAt: Date.now(),
    };
    const sessionId = await this.store(session, this.idleSeconds);
    return { ok: true, admin: { id: user.id, email: user.email, name: user.name }, sessionId, session };
  }

  async logout(sessionId: string): Promise<void> {
    if (/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) await this.options.redis.del(this.key(sessionId));
  }

  /**
   * Records an admin action. An audit write that fails is logged and does not undo the action
   * it describes, which has already happened.
   */
  async audit(entry: AuditEntry): Promise<void> {
    try {
      await this.options.repository.addAudit(entry);
    } catch (error) {
      this.options.log.error({ err: error, action: entry.action, target: entry.target }, 'audit log write failed');
    }
  }

  /** The audit log, newest first, optionally one action only. */
  auditLog(page: { limit: number; offset: number }, filter: { action?: string } = {}): Promise<{ items: AuditRow[]; total: number }> {
    return this.options.repository.listAudit(page, filter);
  }
}

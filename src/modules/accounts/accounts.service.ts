import { hkdfSync } from 'node:crypto';
import type { Logger } from '../../log/logger.ts';
import type { Mailer } from '../../mail/index.ts';
import type { TaskProducer } from '../../tasks/index.ts';
import { AppError, isPermanent } from '../../utils/errors.ts';
import type { AccessTokens } from './access-tokens.ts';
import { accountExistsMail, resetPasswordMail, verifyEmailMail, type AccountMail } from './accounts.mails.ts';
import type { AccountsRepository, UserFilter, UserListItem } from './accounts.repository.ts';
import { checkProfilePatch, profileOf, type Profile } from './accounts.profile.ts';
import { nameSchema } from './accounts.schemas.ts';
import type { AccountTokenRow, TokenPurpose, UserRow } from './accounts.tables.ts';
import { sendAccountExistsEmail, sendResetPasswordEmail, sendVerifyEmail } from './accounts.tasks.ts';
import { hashPassword, passwordWeakness, verifyPassword } from './passwords.ts';
import { mintToken, parseToken, secretMatches, sha256Hex } from './secret-tokens.ts';
import type { WebSessions } from './web-sessions.ts';

/** The signed-in user as routes see it (`request.user`). */
export interface AuthUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
}

/** A user as the API shows it: `id` is the public id (a UUID), never the sequential key. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  noticeConsent: boolean;
  isAdmin: boolean;
  createdAt: string;
}

/** The signed-in person as GET /api/accounts/me and /me show them: the account and the profile. */
export interface Me extends PublicUser, Profile {}

/** What the pages' login came to: a session for this browser, or why not. */
export type WebLoginResult =
  | { ok: true; sessionId: string; user: AccountIdentity }
  | { ok: false; reason: 'invalid' | 'rate-limited' | 'not-verified' };

export interface SessionTokens {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
}

/** A user as other modules see one for signing in (the admin) and for sessions. */
export interface AccountIdentity {
  id: number;
  publicId: string;
  email: string;
  name: string;
  isAdmin: boolean;
  emailVerified: boolean;
  /** Bumped by a password reset or "log out everywhere": a session started before is over. */
  sessionVersion: number;
}

/** The outcome of the one password check behind every sign-in; `delayedMs` is how long it was held back first. */
export type LoginCheck = ({ ok: true; user: AccountIdentity } | { ok: false; reason: 'invalid' | 'rate-limited' }) & { delayedMs: number };

/** Counts per key in windows shared by every process. */
export interface RateCounter {
  /** Counts one more; true while the count is at most `max`. */
  hit(key: string, max: number, windowSeconds: number): Promise<boolean>;
  /** The count in the current window (0 when none). */
  count(key: string): Promise<number>;
}

/** How failed logins on one address slow its next attempts, from any client. */
export interface LoginSlowdown {
  /** Failures in the window before any attempt waits. */
  freeFailures: number;
  /** The first wait; each further failure doubles it. */
  stepMs: number;
  maxDelayMs: number;
  windowSeconds: number;
}

export interface AccountsSettings {
  publicUrl: string;
  verifyTokenTtlMs: number;
  resetTokenTtlMs: number;
  refreshTokenTtlSeconds: number;
  /** Domain of the stable Message-IDs of account mails. */
  messageIdDomain: string;
  /** Mails of one kind to one address per window, beyond which requests are accepted but dropped. */
  mailsPerAddress: { max: number; windowSeconds: number };
  /** Login attempts on one address from one client IP per window; beyond, refused (someone guessing from there). */
  loginsPerAddressAndClient: { max: number; windowSeconds: number };
  /** Failed logins on one address from anywhere make the next attempts wait, never refuse: a lock-out would be the attacker's to cause. */
  loginSlowdown: LoginSlowdown;
}

export interface AccountsDeps {
  repository: AccountsRepository;
  accessTokens: AccessTokens;
  /** The application secret (JWT_SECRET, or the one stored in the data directory). */
  secret: () => Promise<Buffer>;
  /** Enqueues the account mails (accounts.tasks.ts). */
  producer: TaskProducer;
  mailer: Mailer;
  rateCounter: RateCounter;
  /** The pages' server-side sessions. */
  webSessions: WebSessions;
  settings: AccountsSettings;
  log: Logger;
}

/** What signup answers, whether the address was free or taken. */
export interface SignupAccepted {
  status: 'accepted';
  email: string;
  message: string;
}

const SIGNUP_ACCEPTED = '인증 메일을 보냈습니다. 메일의 버튼을 눌러 가입을 마쳐 주세요. 메일이 보이지 않으면 스팸함도 확인해 주세요.';

/** The account mails: a link with a token (verify, reset), or the note to the owner of a taken address. */
export type AccountMailKind = TokenPurpose | 'account-exists';

/** Why a mail task ended without sending. */
export type DeliveryOutcome =
  | { status: 'sent'; messageId: string; response: string }
  | { status: 'skipped'; reason: 'user-missing' | 'already-verified' | 'already-sent' };

/** What a presented token turned out to be. */
export type TokenProblem = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_USED';

const TOKEN_ERRORS: Record<TokenProblem, AppError> = {
  TOKEN_INVALID: new AppError(400, 'TOKEN_INVALID', '유효하지 않은 링크입니다.'),
  TOKEN_EXPIRED: new AppError(410, 'TOKEN_EXPIRED', '링크의 유효 기간이 지났습니다.'),
  TOKEN_USED: new AppError(410, 'TOKEN_USED', '이미 사용된 링크입니다.'),
};

function tokenError(problem: TokenProblem): AppError {
  const template = TOKEN_ERRORS[problem];
  return new AppError(template.status, template.code, template.message);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long an attempt on an address waits after `failures` failed ones in the window. */
export function loginDelayMs(failures: number, slowdown: LoginSlowdown): number {
  if (failures < slowdown.freeFailures) return 0;
  return Math.min(slowdown.maxDelayMs, slowdown.stepMs * 2 ** Math.min(failures - slowdown.freeFailures, 30));
}

const meOf = (user: UserRow): Me => ({ ...toPublicUser(user), ...profileOf(user) });

const RATE_LIMITED = (): AppError => new AppError(429, 'RATE_LIMITED', '로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.');

const INVALID_CREDENTIALS = (): AppError =>
  new AppError(401, 'INVALID_CREDENTIALS', '이메일 또는 비밀번호가 올바르지 않습니다.');

function identityOf(user: UserRow): AccountIdentity {
  return {
    id: user.id,
    publicId: user.publicId,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    emailVerified: user.emailVerifiedAt !== null,
    sessionVersion: user.sessionVersion,
  };
}

export function toPublicUser(user: UserRow): PublicUser {
  return {
    id: user.publicId,
    email: user.email,
    name: user.name,
    emailVerified: user.emailVerifiedAt !== null,
    noticeConsent: user.noticeConsent,
    isAdmin: user.isAdmin,
    createdAt: user.createdAt.toISOString(),
  };
}

/**
 * Accounts: signup, e-mail verification, login with access + refresh tokens, password reset, and
 * the delivery of the account mails (called by the tasks). Plain TypeScript: IO goes through the
 * repository, the mailer, the queue and the rate counter it is given.
 */
export class AccountsService {
  private readonly repository: AccountsRepository;
  private readonly settings: AccountsSettings;
  private readonly log: Logger;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: AccountsDeps) {
    this.repository = deps.repository;
    this.settings = deps.settings;
    this.log = deps.log;
  }

  /**
   * Creates an unverified user and records the verification mail in the same transaction (the task
   * outbox: the mail goes even if Redis is down now or loses it later). A
   * taken address answers the same, after the same password hash, and its owner is mailed
   * instead ("이미 가입된 계정이 있습니다", at most MAILS_PER_ADDRESS an hour): neither the answer
   * nor its time tells whether an address has an account.
   * @throws AppError 400 WEAK_PASSWORD naming `password`.
   */
  async signup(input: { email: string; password: string; name: string; noticeConsent?: boolean }): Promise<SignupAccepted> {
    const email = input.email.trim();
    await this.assertStrongPassword(input.password, { email, name: input.name }, 'password');
    const passwordHash = await hashPassword(input.password);
    const user = await this.repository.transaction(async (tx) => {
      const created = await this.repository.createUser(
        { email, name: input.name.trim(), passwordHash, noticeConsent: input.noticeConsent ?? false },
        tx,
      );
      if (created) await this.deps.producer.enqueue(sendVerifyEmail, { userId: created.id }, { tx });
      return created;
    });
    if (!user) await this.mailOwnerOfTakenAddress(email);
    return { status: 'accepted', email, message: SIGNUP_ACCEPTED };
  }

  private async mailOwnerOfTakenAddress(email: string): Promise<void> {
    if (!(await this.underAddressLimit('account-exists', email))) return;
    const owner = await this.repository.findUserByEmail(email);
    // Deleted since the insert found it taken: nobody to tell.
    if (!owner) return;
    await this.recordMail(sendAccountExistsEmail, owner.id);
  }

  /**
   * Uses a verification token.
   * @throws AppError TOKEN_INVALID (400), TOKEN_EXPIRED or TOKEN_USED (410).
   */
  async verifyEmail(token: string): Promise<PublicUser> {
    const row = await this.checkToken(token, 'verify-email');
    if (!(await this.repository.consumeVerifyToken(row.id, row.userId))) throw tokenError('TOKEN_USED');
    const user = await this.repository.findUserById(row.userId);
    if (!user) throw tokenError('TOKEN_INVALID');
    return toPublicUser(user);
  }

  /**
   * Sends the verification mail again when the address belongs to an unverified user. Answers the
   * same way whatever the address, so it cannot tell who has an account.
   */
  async resendVerification(email: string): Promise<void> {
    if (!(await this.underAddressLimit('verify-email', email))) return;
    this.afterAnswer('verify-email', async () => {
      const user = await this.repository.findUserByEmail(email.trim());
      if (user && user.emailVerifiedAt === null) await this.recordMail(sendVerifyEmail, user.id);
    });
  }

  /** Starts a password reset; the same answer whatever the address. */
  async requestPasswordReset(email: string): Promise<void> {
    if (!(await this.underAddressLimit('reset-password', email))) return;
    this.afterAnswer('reset-password', async () => {
      const user = await this.repository.findUserByEmail(email.trim());
      if (user) await this.recordMail(sendResetPasswordEmail, user.id);
    });
  }

  /**
   * Looks the address up and records the mail after the answer: the outbox write (a committed
   * transaction) would otherwise make a known address answer measurably slower than an unknown one.
   */
  private afterAnswer(purpose: AccountMailKind, work: () => Promise<void>): void {
    work().catch((error: unknown) => {
      this.log.error({ err: error, purpose }, 'could not record the requested mail; the user may ask again');
    });
  }

  /** Records an account mail in the outbox: it goes out once Redis takes it, whatever Redis does now. */
  private async recordMail(task: typeof sendVerifyEmail, userId: number): Promise<void> {
    await this.repository.transaction((tx) => this.deps.producer.enqueue(task, { userId }, { tx }));
  }

  /**
   * Whether a mailed link can still be used, without using it: the pages the links open ask first
   * and act only on their form's POST (mail scanners open links on their own).
   */
  async inspectToken(token: string, purpose: TokenPurpose): Promise<TokenProblem | undefined> {
    try {
      await this.checkToken(token, purpose);
      return undefined;
    } catch (error) {
      if (error instanceof AppError) return error.code as TokenProblem;
      throw error;
    }
  }

  /**
   * Sets a new password with a reset token; the token and every other reset token of the user
   * die, and every session ends.
   * @throws AppError 400 WEAK_PASSWORD naming `newPassword`, TOKEN_INVALID/EXPIRED/USED.
   */
  async confirmPasswordReset(token: string, newPassword: string): Promise<void> {
    const row = await this.checkToken(token, 'reset-password');
    const user = await this.repository.findUserById(row.userId);
    if (!user) throw tokenError('TOKEN_INVALID');
    await this.assertStrongPassword(newPassword, user, 'newPassword');
    const passwordHash = await hashPassword(newPassword);
    if (!(await this.repository.consumeResetToken(row.id, row.userId, passwordHash))) throw tokenError('TOKEN_USED');
    this.log.info({ userId: user.id }, 'password reset; sessions revoked');
  }

  /**
   * The one password check of every sign-in (the JSON API's login and the admin's), with the limits
   * that keep a guesser out without letting them lock the owner out:
   * - per (address, client IP): LOGINS_PER_ADDRESS_AND_CLIENT attempts per window, then refused;
   * - per address, from anywhere: after a few failures each attempt waits, doubling up to a cap
   *   (LOGIN_SLOWDOWN): guessing slows to a crawl, the owner waits seconds at worst.
   * Both count unknown addresses alike; an unknown address costs the same scrypt work as a wrong
   * password; a hash with older parameters is replaced. Says nothing about the verification state
   * or the admin right: callers decide.
   */
  async verifyLogin(input: { email: string; password: string; clientIp: string }): Promise<LoginCheck> {
    const email = input.email.trim();
    const address = sha256Hex(email.toLowerCase());
    const { loginsPerAddressAndClient: perClient, loginSlowdown } = this.settings;
    // Counted for any address, known or not, so the limits tell nothing about who has an account.
    if (!(await this.deps.rateCounter.hit(`login:${address}:${input.clientIp}`, perClient.max, perClient.windowSeconds))) {
      return { ok: false, reason: 'rate-limited', delayedMs: 0 };
    }
    const failuresKey = `login-failures:${address}`;
    const delayedMs = loginDelayMs(await this.deps.rateCounter.count(failuresKey), loginSlowdown);
    if (delayedMs > 0) await sleep(delayedMs);
    const failed = async (): Promise<LoginCheck> => {
      // The window's ceiling is never reached: the count only feeds the delay.
      await this.deps.rateCounter.hit(failuresKey, Number.MAX_SAFE_INTEGER, loginSlowdown.windowSeconds);
      return { ok: false, reason: 'invalid', delayedMs };
    };
    const user = await this.repository.findUserByEmail(email);
    if (!user) {
      await verifyPassword(input.password, await this.getDummyHash());
      return failed();
    }
    const check = await verifyPassword(input.password, user.passwordHash);
    if (!check.matches) return failed();
    if (check.needsRehash) await this.repository.updatePasswordHash(user.id, await hashPassword(input.password));
    return { ok: true, user: identityOf(user), delayedMs };
  }

  /**
   * Signs in through the JSON API. Unknown address and wrong password give the same 401; the
   * verification state is told only to someone who knows the password.
   * @throws AppError 401 INVALID_CREDENTIALS, 403 EMAIL_NOT_VERIFIED, 429 RATE_LIMITED.
   */
  async login(email: string, password: string, clientIp: string): Promise<SessionTokens> {
    const check = await this.verifyLogin({ email, password, clientIp });
    if (!check.ok) {
      if (check.reason === 'rate-limited') throw RATE_LIMITED();
      throw INVALID_CREDENTIALS();
    }
    if (!check.user.emailVerified) {
      throw new AppError(403, 'EMAIL_NOT_VERIFIED', '이메일 인증을 마친 뒤 로그인할 수 있습니다.');
    }
    return this.issueSession(check.user);
  }

  /**
   * Trades a refresh token for a new pair (rotation). A refresh token presented a second time
   * means it was copied: every session of the user is revoked.
   * @throws AppError 401 INVALID_REFRESH_TOKEN.
   */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const invalid = new AppError(401, 'INVALID_REFRESH_TOKEN', '다시 로그인해 주세요.');
    const parsed = parseToken(refreshToken);
    if (!parsed) throw invalid;
    const row = await this.repository.findRefreshToken(parsed.selector);
    if (!row || !secretMatches(parsed.secret, row.verifierHash)) throw invalid;
    if (row.usedAt !== null) {
      await this.repository.revokeSessions(row.userId);
      this.log.warn({ userId: row.userId }, 'a rotated refresh token was presented again; all sessions revoked');
      throw invalid;
    }
    if (row.expiresAt.getTime() <= Date.now()) throw invalid;
    const user = await this.repository.findUserById(row.userId);
    if (!user || user.sessionVersion !== row.sessionVersion) throw invalid;
    if (!(await this.repository.useRefreshToken(row.id))) {
      await this.repository.revokeSessions(row.userId);
      throw invalid;
    }
    return this.issueSession(user);
  }

  /** Ends the session of this refresh token; unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<void> {
    const parsed = parseToken(refreshToken);
    if (!parsed) return;
    const row = await this.repository.findRefreshToken(parsed.selector);
    if (row && secretMatches(parsed.secret, row.verifierHash)) await this.repository.deleteRefreshToken(row.id);
  }

  /** Ends every session of the user (access tokens included). */
  async logoutEverywhere(userId: number): Promise<void> {
    await this.repository.revokeSessions(userId);
  }

  /**
   * The user an access token belongs to, read fresh from the database so that a password reset,
   * a logout everywhere, a deleted account or a revoked admin right takes effect at once.
   */
  async authenticate(accessToken: string): Promise<AuthUser | undefined> {
    const claims = await this.deps.accessTokens.verify(accessToken);
    if (!claims) return undefined;
    const user = await this.repository.findUserByPublicId(claims.sub);
    if (!user || user.sessionVersion !== claims.sv || user.emailVerifiedAt === null) return undefined;
    return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
  }

  /**
   * Signs a browser in for the pages (/login) through the same password check and limits as the
   * API's login, and starts a server-side session (always a new id; the browser's earlier session
   * ends, so a planted cookie never becomes signed in).
   */
  async webLogin(input: { email: string; password: string; clientIp: string; previousSessionId?: string | undefined }): Promise<WebLoginResult> {
    const check = await this.verifyLogin(input);
    if (!check.ok) return { ok: false, reason: check.reason };
    if (!check.user.emailVerified) return { ok: false, reason: 'not-verified' };
    if (input.previousSessionId) await this.deps.webSessions.end(input.previousSessionId);
    const { sessionId } = await this.deps.webSessions.start(check.user.id, check.user.sessionVersion);
    this.log.info({ userId: check.user.id }, 'signed in (page session)');
    return { ok: true, sessionId, user: check.user };
  }

  /**
   * The person behind a page session, read fresh: undefined once the session ended, the user is
   * gone, or a password change or logout everywhere bumped the session version.
   */
  async viewerOfSession(sessionId: string): Promise<(AuthUser & { csrf: string; profile: Profile }) | undefined> {
    const session = await this.deps.webSessions.read(sessionId);
    if (!session) return undefined;
    const user = await this.repository.findUserById(session.userId);
    if (!user || user.sessionVersion !== session.sessionVersion || user.emailVerifiedAt === null) return undefined;
    return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin, csrf: session.csrf, profile: profileOf(user) };
  }

  /** How the page session cookie is set: Secure under an https PUBLIC_URL, kept as long as a session can live. */
  get webSessionCookie(): { secure: boolean; maxAgeSeconds: number } {
    return { secure: this.settings.publicUrl.startsWith('https:'), maxAgeSeconds: this.deps.webSessions.lifetime.absoluteSeconds };
  }

  /** Starts a page session for a user just checked (after a password change); returns its id. */
  async startWebSession(user: { id: number; sessionVersion: number }): Promise<string> {
    return (await this.deps.webSessions.start(user.id, user.sessionVersion)).sessionId;
  }

  /** Ends one page session (/logout); unknown ids are ignored. */
  async endWebSession(sessionId: string): Promise<void> {
    await this.deps.webSessions.end(sessionId);
  }

  /** The signed-in person with their profile. @throws AppError 404 once the account is gone. */
  async getMe(userId: number): Promise<Me> {
    const user = await this.repository.findUserById(userId);
    if (!user) throw new AppError(404, 'USER_NOT_FOUND', '사용자를 찾을 수 없습니다.');
    return meOf(user);
  }

  /**
   * Changes the name, the profile and the notice consent (only the fields given; null empties a
   * profile field).
   * @throws AppError 400 VALIDATION_FAILED naming every bad field (see checkProfilePatch).
   */
  async updateMe(userId: number, input: unknown): Promise<Me> {
    const patch = checkProfilePatch(input);
    const user = await this.repository.updateProfile(userId, patch);
    if (!user) throw new AppError(404, 'USER_NOT_FOUND', '사용자를 찾을 수 없습니다.');
    if (patch.noticeConsent !== undefined) this.log.info({ userId, noticeConsent: patch.noticeConsent }, 'notice consent set by the person');
    return meOf(user);
  }

  /**
   * A new password for the signed-in person, who proves the current one (through the login's
   * limits). Every session ends, access tokens and page sessions included: the caller starts a
   * new page session for the browser that asked.
   * @throws AppError 400 naming `currentPassword` (wrong) or `newPassword` (weak), 429 RATE_LIMITED.
   */
  async changePassword(userId: number, input: { currentPassword: string; newPassword: string; clientIp: string }): Promise<AccountIdentity> {
    const user = await this.provePassword(userId, input.currentPassword, input.clientIp, 'currentPassword');
    await this.assertStrongPassword(input.newPassword, user, 'newPassword');
    const changed = await this.repository.changePassword(userId, await hashPassword(input.newPassword));
    if (!changed) throw new AppError(404, 'USER_NOT_FOUND', '사용자를 찾을 수 없습니다.');
    this.log.info({ userId }, 'password changed by the person; sessions revoked');
    return identityOf(changed);
  }

  /**
   * Deletes the signed-in person's account after they proved their password: the user row, their
   * tokens and sessions, the account mails kept for them, and (by the foreign keys notifications
   * declared) their notice deliveries, pending ones included, so nothing more is sent to them. An
   * admin account is refused (an operator removes admins), so the service is never left without one.
   * @throws AppError 400 naming `password`, 409 ADMIN_ACCOUNT, 429 RATE_LIMITED.
   */
  async deleteAccount(userId: number, input: { password: string; clientIp: string }): Promise<void> {
    const user = await this.provePassword(userId, input.password, input.clientIp, 'password');
    if (user.isAdmin) throw new AppError(409, 'ADMIN_ACCOUNT', '관리자 계정은 여기에서 삭제할 수 없습니다. 운영자에게 문의해 주세요.');
    await this.repository.deleteUser(userId);
    this.log.info({ userId }, 'account deleted by the person');
  }

  /** Profiles for other modules (search and ask defaults): `forUser(userId)`, null for an unknown user. */
  readonly profiles = {
    forUser: async (userId: number): Promise<Profile | null> => {
      const user = await this.repository.findUserById(userId);
      return user ? profileOf(user) : null;
    },
  };

  private async provePassword(userId: number, password: string, clientIp: string, field: string): Promise<UserRow> {
    const user = await this.repository.findUserById(userId);
    if (!user) throw new AppError(404, 'USER_NOT_FOUND', '사용자를 찾을 수 없습니다.');
    const check = await this.verifyLogin({ email: user.email, password, clientIp });
    if (!check.ok && check.reason === 'rate-limited') throw RATE_LIMITED();
    if (!check.ok) {
      const message = '비밀번호가 올바르지 않습니다.';
      throw new AppError(400, 'WRONG_PASSWORD', message, [{ field, message }]);
    }
    return user;
  }

  /**
   * A key for another use than access tokens (the web app's signed cookies), derived (HKDF-SHA256)
   * from the one application secret, so every web process agrees on it with nothing more to
   * configure, and a key leaked from one use opens nothing of the other.
   */
  async deriveKey(purpose: string): Promise<Buffer> {
    return Buffer.from(hkdfSync('sha256', await this.deps.secret(), Buffer.alloc(0), `ainfo:${purpose}`, 32));
  }

  async getUser(userId: number): Promise<PublicUser> {
    const user = await this.findUser(userId);
    if (!user) throw new AppError(404, 'USER_NOT_FOUND', '사용자를 찾을 수 없습니다.');
    return user;
  }

  /** A user as the API shows it; undefined when there is none. */
  async findUser(userId: number): Promise<PublicUser | undefined> {
    const user = await this.repository.findUserById(userId);
    return user ? toPublicUser(user) : undefined;
  }

  /** The public ids of these users (those that still exist): what the API shows instead of their ids. */
  publicIds(userIds: readonly number[]): Promise<Map<number, string>> {
    return this.repository.publicIds(userIds);
  }

  /** The identity behind a session (the admin's), read fresh: undefined once the user is gone. */
  async identity(userId: number): Promise<AccountIdentity | undefined> {
    const user = await this.repository.findUserById(userId);
    return user ? identityOf(user) : undefined;
  }

  /** Turns a user's notice consent off (an unsubscribe link); undefined for an unknown user. */
  async withdrawNoticeConsent(userId: number): Promise<{ wasConsenting: boolean } | undefined> {
    const result = await this.repository.setNoticeConsent(userId, false);
    if (result?.wasConsenting) this.log.info({ userId }, 'notice consent withdrawn by unsubscribe link');
    return result;
  }

  /** The one users list (the admin's pages and JSON API): newest first, searched and filtered. */
  async listUsers(
    filter: UserFilter,
    page: number,
    pageSize: number,
  ): Promise<{ items: UserListItem[]; total: number; page: number; pageSize: number }> {
    const { items, total } = await this.repository.listUsers(filter, { limit: pageSize, offset: (page - 1) * pageSize });
    return { items, total, page, pageSize };
  }

  /**
   * Creates an admin (verified), or promotes an existing account and sets its password: running
   * it twice with the same arguments changes nothing more.
   * @throws AppError 400 naming the field.
   */
  async createSuperuser(input: { email: string; password: string; name?: string }): Promise<{ user: PublicUser; created: boolean }> {
    const email = input.email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
      throw new AppError(400, 'INVALID_EMAIL', `not an e-mail address: ${email}`, [{ field: 'email', message: 'invalid' }]);
    }
    const parsedName = input.name === undefined ? undefined : nameSchema.safeParse(input.name);
    if (parsedName && !parsedName.success) {
      const message = parsedName.error.issues[0]?.message ?? 'invalid';
      throw new AppError(400, 'INVALID_NAME', `invalid name: ${message}`, [{ field: 'name', message }]);
    }
    const name = parsedName?.data;
    await this.assertStrongPassword(input.password, { email, name }, 'password');
    const passwordHash = await hashPassword(input.password);
    const { user, created } = await this.repository.upsertAdmin({ email, name, passwordHash });
    return { user: toPublicUser(user), created };
  }

  /**
   * Housekeeping: mail and refresh tokens a week past their expiry (or rotation) and outbox rows
   * older than 30 days are deleted; by then no retry of their task can still be pending.
   */
  async purgeExpired(now = new Date()): Promise<{ accountTokens: number; refreshTokens: number; outbox: number }> {
    const DAY_MS = 86_400_000;
    return this.repository.purgeExpired(new Date(now.getTime() - 7 * DAY_MS), new Date(now.getTime() - 30 * DAY_MS));
  }

  /** Task body of accounts.sendVerifyEmail: see deliver(). */
  deliverVerifyEmail(userId: number, dedupeKey: string): Promise<DeliveryOutcome> {
    return this.deliver('verify-email', userId, dedupeKey);
  }

  /** Task body of accounts.sendResetPasswordEmail: see deliver(). */
  deliverResetPasswordEmail(userId: number, dedupeKey: string): Promise<DeliveryOutcome> {
    return this.deliver('reset-password', userId, dedupeKey);
  }

  /** Task body of accounts.sendAccountExistsEmail: see deliver(); no token, links to log in and to reset. */
  deliverAccountExistsEmail(userId: number, dedupeKey: string): Promise<DeliveryOutcome> {
    return this.deliver('account-exists', userId, dedupeKey);
  }

  /**
   * Sends one account mail (minting its token, for a link that needs one), at most once per
   * `dedupeKey` (the task id):
   * - the outbox row of the logical mail is created on the first run and read on retries;
   * - once the server's acceptance is recorded there, a retry sends nothing;
   * - every attempt carries the same Message-ID, so a receiver can drop a copy.
   * The window that remains is the one SMTP itself leaves: the server accepted (250) but we died,
   * or lost the connection, before the acceptance was recorded; the retry then sends a second
   * copy with the same Message-ID. SMTP has no way to ask a server whether it already has a mail.
   * Each attempt mints a fresh token (only its hash is stored, so a retry cannot reuse the old
   * one); earlier unsent tokens stay valid until they expire, so that if such a copy did arrive,
   * its link works too. Two runs of one task at once do not happen: BullMQ's renewed lock hands a
   * task to another worker only after its holder stopped answering for TASK_LOCK_MS.
   * @throws MailTransientError to be retried, MailPermanentError (permanent) when the server refused for good.
   */
  private async deliver(kind: AccountMailKind, userId: number, dedupeKey: string): Promise<DeliveryOutcome> {
    const user = await this.repository.findUserById(userId);
    if (!user) return { status: 'skipped', reason: 'user-missing' };
    if (kind === 'verify-email' && user.emailVerifiedAt !== null) return { status: 'skipped', reason: 'already-verified' };
    const outbox = await this.repository.openOutbox({
      dedupeKey,
      kind,
      userId,
      toAddress: user.email,
      messageId: `<${kind}.${sha256Hex(dedupeKey).slice(0, 32)}@${this.settings.messageIdDomain}>`,
    });
    if (outbox.status === 'sent') return { status: 'skipped', reason: 'already-sent' };

    const { publicUrl } = this.settings;
    const mail: AccountMail =
      kind === 'account-exists'
        ? accountExistsMail({ name: user.name, loginUrl: `${publicUrl}/login`, resetUrl: `${publicUrl}/accounts/password-reset/request` })
        : await this.tokenMail(kind, user);

    await this.repository.countOutboxAttempt(outbox.id);
    try {
      const result = await this.deps.mailer.send({
        to: outbox.toAddress,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: outbox.messageId,
        kind,
      });
      await this.repository.markOutboxSent(outbox.id, result.response);
      return { status: 'sent', messageId: outbox.messageId, response: result.response };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.repository.markOutboxFailed(outbox.id, message, isPermanent(error));
      throw error;
    }
  }

  /** Mints a token and renders the mail that carries its link (verification, reset). */
  private async tokenMail(purpose: TokenPurpose, user: UserRow): Promise<AccountMail> {
    const ttlMs = purpose === 'verify-email' ? this.settings.verifyTokenTtlMs : this.settings.resetTokenTtlMs;
    const minted = mintToken();
    await this.repository.insertToken({
      userId: user.id,
      purpose,
      selector: minted.selector,
      verifierHash: minted.verifierHash,
      expiresAt: new Date(Date.now() + ttlMs),
    });
    const path = purpose === 'verify-email' ? '/accounts/verify-email' : '/accounts/password-reset';
    const link = `${this.settings.publicUrl}${path}?token=${encodeURIComponent(minted.token)}`;
    return purpose === 'verify-email' ? verifyEmailMail({ name: user.name, link, ttlMs }) : resetPasswordMail({ name: user.name, link, ttlMs });
  }

  private async checkToken(token: string, purpose: TokenPurpose): Promise<AccountTokenRow> {
    const parsed = parseToken(token);
    if (!parsed) throw tokenError('TOKEN_INVALID');
    const row = await this.repository.findToken(parsed.selector);
    if (!row || row.purpose !== purpose || !secretMatches(parsed.secret, row.verifierHash)) {
      throw tokenError('TOKEN_INVALID');
    }
    if (row.usedAt !== null) throw tokenError('TOKEN_USED');
    if (purpose === 'reset-password') {
      const user = await this.repository.findUserById(row.userId);
      // Minted before the last password change (a race with a confirm): as good as used.
      if (user?.passwordChangedAt && row.createdAt.getTime() <= user.passwordChangedAt.getTime()) {
        throw tokenError('TOKEN_USED');
      }
    }
    if (row.expiresAt.getTime() <= Date.now()) throw tokenError('TOKEN_EXPIRED');
    return row;
  }

  private async issueSession(user: { id: number; publicId: string; sessionVersion: number }): Promise<SessionTokens> {
    const access = await this.deps.accessTokens.sign(user.publicId, user.sessionVersion);
    const refresh = mintToken();
    await this.repository.insertRefreshToken({
      userId: user.id,
      selector: refresh.selector,
      verifierHash: refresh.verifierHash,
      sessionVersion: user.sessionVersion,
      expiresAt: new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000),
    });
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken: refresh.token };
  }

  private async assertStrongPassword(password: string, person: { email: string; name?: string | undefined }, field: string): Promise<void> {
    const weakness = await passwordWeakness(password, { email: person.email, ...(person.name ? { name: person.name } : {}) });
    if (weakness) throw new AppError(400, 'WEAK_PASSWORD', weakness, [{ field, message: weakness }]);
  }

  private async underAddressLimit(purpose: AccountMailKind, email: string): Promise<boolean> {
    const { max, windowSeconds } = this.settings.mailsPerAddress;
    const key = `${purpose}:${sha256Hex(email.trim().toLowerCase())}`;
    // With Redis down the mail is recorded all the same (the outbox holds it): an outage must not
    // turn the 201/202 into an error that would tell a taken address from a new one.
    const allowed = await this.deps.rateCounter.hit(key, max, windowSeconds).catch((error: unknown) => {
      this.log.warn({ err: error, purpose }, 'per-address mail limit unavailable; the mail is allowed');
      return true;
    });
    if (!allowed) this.log.info({ purpose }, 'mail request over the per-address limit; accepted and dropped');
    return allowed;
  }

  private getDummyHash(): Promise<string> {
    // Hashed once per process, with the current parameters, so an unknown address costs a login the same.
    this.dummyHash ??= hashPassword('dummy password for timing');
    return this.dummyHash;
  }
}

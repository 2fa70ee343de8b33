import { and, count, desc, eq, ilike, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database, DatabaseHandle, Tx } from '../../db/index.ts';
import type { CheckedProfilePatch } from './accounts.profile.ts';
import {
  accountTokens,
  mailOutbox,
  refreshTokens,
  users,
  type AccountTokenRow,
  type MailOutboxRow,
  type RefreshTokenRow,
  type TokenPurpose,
  type UserRow,
} from './accounts.tables.ts';

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  noticeConsent: boolean;
}

export interface NewOutboxMail {
  dedupeKey: string;
  kind: string;
  userId: number;
  toAddress: string;
  messageId: string;
}

export interface UserListItem {
  id: number;
  publicId: string;
  email: string;
  name: string;
  noticeConsent: boolean;
  emailVerifiedAt: Date | null;
  isAdmin: boolean;
  createdAt: Date;
}

export interface UserFilter {
  /** Part of the e-mail address or the name, case-insensitive. */
  q?: string;
  consent?: boolean;
  verified?: boolean;
}

const lowerEmailIs = (email: string) => sql`lower(${users.email}) = lower(${email})`;

/** `%`, `_` and `\` typed into a search box match themselves. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/**
 * Every database access of the accounts module. Multi-row changes that must happen together
 * (consume a token and change the user) run in one transaction here, so the service stays plain.
 */
export class AccountsRepository {
  private readonly db: Database;

  constructor(database: DatabaseHandle) {
    this.db = database.db;
  }

  /** Runs `work` in one transaction (a change and the outbox row of the mail that follows it). */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(tx));
  }

  /** Inserts a user; undefined when the address is taken (case-insensitively). */
  async createUser(user: NewUser, db: Database = this.db): Promise<UserRow | undefined> {
    // No conflict target: the unique index is on lower(email), and any unique clash means "taken".
    const rows = await db.insert(users).values(user).onConflictDoNothing().returning();
    return rows[0];
  }

  async findUserById(id: number): Promise<UserRow | undefined> {
    const rows = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    return rows[0];
  }

  async findUserByPublicId(publicId: string): Promise<UserRow | undefined> {
    const rows = await this.db.select().from(users).where(eq(users.publicId, publicId)).limit(1);
    return rows[0];
  }

  /** The public ids of these users (those that still exist). */
  async publicIds(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select({ id: users.id, publicId: users.publicId }).from(users).where(inArray(users.id, [...ids]));
    return new Map(rows.map((row) => [row.id, row.publicId]));
  }

  async findUserByEmail(email: string): Promise<UserRow | undefined> {
    const rows = await this.db.select().from(users).where(lowerEmailIs(email)).limit(1);
    return rows[0];
  }

  /** Sets a user's notice consent; returns what it was before, or undefined for an unknown user. */
  async setNoticeConsent(userId: number, consent: boolean): Promise<{ wasConsenting: boolean } | undefined> {
    const changed = await this.db
      .update(users)
      .set({ noticeConsent: consent })
      .where(and(eq(users.id, userId), eq(users.noticeConsent, !consent)))
      .returning({ id: users.id });
    if (changed.length > 0) return { wasConsenting: !consent };
    const user = await this.findUserById(userId);
    return user ? { wasConsenting: user.noticeConsent } : undefined;
  }

  /** Users for the admin lists, newest first, filtered by text, consent and verification. */
  async listUsers(filter: UserFilter, page: { limit: number; offset: number }): Promise<{ items: UserListItem[]; total: number }> {
    const conditions: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const match = or(ilike(users.email, likePattern(q)), ilike(users.name, likePattern(q)));
      if (match) conditions.push(match);
    }
    if (filter.consent !== undefined) conditions.push(eq(users.noticeConsent, filter.consent));
    if (filter.verified === true) conditions.push(isNotNull(users.emailVerifiedAt));
    if (filter.verified === false) conditions.push(isNull(users.emailVerifiedAt));
    const where = conditions.length > 0 ? and(...conditions) : undefined;
    const [items, totals] = await Promise.all([
      this.db
        .select({
          id: users.id,
          publicId: users.publicId,
          email: users.email,
          name: users.name,
          noticeConsent: users.noticeConsent,
          emailVerifiedAt: users.emailVerifiedAt,
          isAdmin: users.isAdmin,
          createdAt: users.createdAt,
        })
        .from(users)
        .where(where)
        .orderBy(desc(users.id))
        .limit(page.limit)
        .offset(page.offset),
      this.db.select({ total: count() }).from(users).where(where),
    ]);
    return { items, total: totals[0]?.total ?? 0 };
  }

  /** Writes a checked profile patch; the row after, or undefined for an unknown user. */
  async updateProfile(userId: number, patch: CheckedProfilePatch): Promise<UserRow | undefined> {
    if (Object.keys(patch).length === 0) return this.findUserById(userId);
    const rows = await this.db.update(users).set(patch).where(eq(users.id, userId)).returning();
    return rows[0];
  }

  /**
   * Sets a new password chosen by the signed-in person: records when, bumps the session version
   * and drops refresh tokens (every other session ends; the caller starts a new one for this
   * browser). Live reset links die with it (they were minted before passwordChangedAt).
   */
  async changePassword(userId: number, passwordHash: string): Promise<UserRow | undefined> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(users)
        .set({ passwordHash, passwordChangedAt: sql`now()`, sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, userId))
        .returning();
      await tx.delete(refreshTokens).where(eq(refreshTokens.userId, userId));
      return rows[0];
    });
  }

  /**
   * Deletes a user and what accounts keeps of them: the outbox rows that hold their address (the
   * foreign key would only null the user), then the user, whose tokens go by cascade, as do
   * other modules' rows declared `on delete cascade` (notifications' deliveries). False when
   * there was no such user.
   */
  async deleteUser(userId: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.delete(mailOutbox).where(eq(mailOutbox.userId, userId));
      const deleted = await tx.delete(users).where(eq(users.id, userId)).returning({ id: users.id });
      return deleted.length > 0;
    });
  }

  async updatePasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  }

  /**
   * Creates an admin, or makes an existing account one: verified, with this password and (when
   * given) this name. Returns the row and whether it was created.
   */
  async upsertAdmin(input: { email: string; name: string | undefined; passwordHash: string }): Promise<{
    user: UserRow;
    created: boolean;
  }> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(users)
        .values({
          email: input.email,
          name: input.name ?? input.email.split('@')[0] ?? input.email,
          passwordHash: input.passwordHash,
          isAdmin: true,
          emailVerifiedAt: new Date(),
        })
        .onConflictDoNothing()
        .returning();
      if (inserted[0]) return { user: inserted[0], created: true };
      const updated = await tx
        .update(users)
        .set({
          isAdmin: true,
          passwordHash: input.passwordHash,
          emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
          ...(input.name !== undefined ? { name: input.name } : {}),
        })
        .where(lowerEmailIs(input.email))
        .returning();
      const user = updated[0];
      if (!user) throw new Error(`user ${input.email} vanished while being promoted`);
      return { user, created: false };
    });
  }

  async insertToken(token: {
    userId: number;
    purpose: TokenPurpose;
    selector: string;
    verifierHash: string;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.insert(accountTokens).values(token);
  }

  async findToken(selector: string): Promise<AccountTokenRow | undefined> {
    const rows = await this.db.select().from(accountTokens).where(eq(accountTokens.selector, selector)).limit(1);
    return rows[0];
  }

  /**
   * Uses a verification token: marks it and every other live verification token of the user used,
   * and the address verified. False when another request used the token first.
   */
  async consumeVerifyToken(tokenId: number, userId: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await claimToken(tx, tokenId, userId, 'verify-email'))) return false;
      await tx
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
        .where(eq(users.id, userId));
      return true;
    });
  }

  /**
   * Uses a reset token: sets the new password, kills every reset token of the user, records when
   * the password changed, bumps the session version and drops refresh tokens (every session
   * ends). A password reset also proves the address, so it is marked verified. False when
   * another request used the token first.
   */
  async consumeResetToken(tokenId: number, userId: number, passwordHash: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await claimToken(tx, tokenId, userId, 'reset-password'))) return false;
      await tx
        .update(users)
        .set({
          passwordHash,
          passwordChangedAt: sql`now()`,
          sessionVersion: sql`${users.sessionVersion} + 1`,
          emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
        })
        .where(eq(users.id, userId));
      await tx.delete(refreshTokens).where(eq(refreshTokens.userId, userId));
      return true;
    });
  }

  async insertRefreshToken(token: {
    userId: number;
    selector: string;
    verifierHash: string;
    sessionVersion: number;
    expiresAt: Date;
  }): Promise<void> {
    await this.db.insert(refreshTokens).values(token);
  }

  async findRefreshToken(selector: string): Promise<RefreshTokenRow | undefined> {
    const rows = await this.db.select().from(refreshTokens).where(eq(refreshTokens.selector, selector)).limit(1);
    return rows[0];
  }

  /** Marks a refresh token used (rotated); false when it was used already. */
  async useRefreshToken(id: number): Promise<boolean> {
    const rows = await this.db
      .update(refreshTokens)
      .set({ usedAt: sql`now()` })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length > 0;
  }

  async deleteRefreshToken(id: number): Promise<void> {
    await this.db.delete(refreshTokens).where(eq(refreshTokens.id, id));
  }

  /** Ends every session of a user: access tokens by the version bump, refresh tokens by deletion. */
  async revokeSessions(userId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx
        .update(users)
        .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, userId));
      await tx.delete(refreshTokens).where(eq(refreshTokens.userId, userId));
    });
  }

  /** The outbox row of one logical mail, created on first call (idempotent by dedupe key). */
  async openOutbox(mail: NewOutboxMail): Promise<MailOutboxRow> {
    await this.db.insert(mailOutbox).values(mail).onConflictDoNothing({ target: mailOutbox.dedupeKey });
    const rows = await this.db.select().from(mailOutbox).where(eq(mailOutbox.dedupeKey, mail.dedupeKey)).limit(1);
    const row = rows[0];
    if (!row) throw new Error(`outbox row ${mail.dedupeKey} missing right after its insert`);
    return row;
  }

  async countOutboxAttempt(id: number): Promise<void> {
    await this.db
      .update(mailOutbox)
      .set({ attempts: sql`${mailOutbox.attempts} + 1` })
      .where(eq(mailOutbox.id, id));
  }

  async markOutboxSent(id: number, response: string): Promise<void> {
    await this.db
      .update(mailOutbox)
      .set({ status: 'sent', response, sentAt: sql`now()`, lastError: null })
      .where(eq(mailOutbox.id, id));
  }

  async markOutboxFailed(id: number, error: string, permanent: boolean): Promise<void> {
    await this.db
      .update(mailOutbox)
      .set(permanent ? { status: 'failed', lastError: error } : { lastError: error })
      .where(eq(mailOutbox.id, id));
  }

  /**
   * Deletes mail tokens and refresh tokens that expired (or, for refresh tokens, were rotated)
   * before `tokensBefore`, and outbox rows created before `outboxBefore`. Returns the counts.
   */
  async purgeExpired(tokensBefore: Date, outboxBefore: Date): Promise<{ accountTokens: number; refreshTokens: number; outbox: number }> {
    const deletedTokens = await this.db
      .delete(accountTokens)
      .where(lt(accountTokens.expiresAt, tokensBefore))
      .returning({ id: accountTokens.id });
    const deletedRefresh = await this.db
      .delete(refreshTokens)
      .where(or(lt(refreshTokens.expiresAt, tokensBefore), lt(refreshTokens.usedAt, tokensBefore)))
      .returning({ id: refreshTokens.id });
    const deletedOutbox = await this.db
      .delete(mailOutbox)
      .where(lt(mailOutbox.createdAt, outboxBefore))
      .returning({ id: mailOutbox.id });
    return { accountTokens: deletedTokens.length, refreshTokens: deletedRefresh.length, outbox: deletedOutbox.length };
  }

  async findOutbox(dedupeKey: string): Promise<MailOutboxRow | undefined> {
    const rows = await this.db.select().from(mailOutbox).where(eq(mailOutbox.dedupeKey, dedupeKey)).limit(1);
    return rows[0];
  }
}

/**
 * Marks a token used, unless another request did first (then false), and with it every other live
 * token of the same user and purpose, so that only one of them can ever work.
 */
async function claimToken(tx: Tx, tokenId: number, userId: number, purpose: 'verify-email' | 'reset-password'): Promise<boolean> {
  const used = await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(accountTokens.id, tokenId), isNull(accountTokens.usedAt)))
    .returning({ id: accountTokens.id });
  if (used.length === 0) return false;
  await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)));
  return true;
}

import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

/** What a person says they are doing now (the profile's 상황); labels in accounts.profile.ts. */
export const SITUATIONS = ['student', 'job-seeking', 'employed', 'starting-business', 'other'] as const;
export type Situation = (typeof SITUATIONS)[number];

/**
 * Users. `email` is unique case-insensitively (a unique index on lower(email)): look users up
 * with `sql\`lower(${users.email}) = lower(${email})\``.
 */
export const users = pgTable(
  'users',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The only id the API shows: random, so it tells nothing about how many users there are or their order. */
    publicId: uuid('public_id').notNull().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** The original's 수신동의: the user agreed to receive notices by mail. */
    noticeConsent: boolean('notice_consent').notNull().default(false),
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    isAdmin: boolean('is_admin').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Access and refresh tokens carry it; bumping it revokes them all. */
    sessionVersion: integer('session_version').notNull().default(0),
    /** Reset tokens created before this moment are refused. */
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    /** The profile (/me): all optional. The year only, never a full birth date: an age is all search needs. */
    birthYear: integer('birth_year'),
    /** Short 시도 key (`서울`), see src/utils/regions.ts. */
    regionSido: text('region_sido'),
    /** A 시군구 of `regionSido` (`강남구`). */
    regionSigungu: text('region_sigungu'),
    situation: text('situation', { enum: SITUATIONS }),
  },
  (table) => [
    check('users_birth_year_check', sql`${table.birthYear} between 1900 and 2100`),
    check('users_region_check', sql`${table.regionSigungu} is null or ${table.regionSido} is not null`),
    check('users_situation_check', sql`${table.situation} in ('student', 'job-seeking', 'employed', 'starting-business', 'other')`),
    uniqueIndex('users_email_lower_key').using('btree', sql`lower(${table.email})`),
    uniqueIndex('users_public_id_key').on(table.publicId),
    index('users_notice_recipients_idx').using('btree', table.id).where(sql`${table.noticeConsent} and ${table.emailVerifiedAt} is not null`),
  ],
);

export type UserRow = typeof users.$inferSelect;

/**
 * For other modules' foreign keys to a user (`.references(userIdReference, …)`), and for nothing
 * else: the users table itself belongs to accounts.
 */
export const userIdReference = (): AnyPgColumn => users.id;

export const TOKEN_PURPOSES = ['verify-email', 'reset-password'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Single-use mail tokens, stored as selector + sha256 of the secret. */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: TOKEN_PURPOSES }).notNull(),
    selector: text('selector').notNull(),
    verifierHash: text('verifier_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    check('account_tokens_purpose_check', sql`${table.purpose} in ('verify-email', 'reset-password')`),
    uniqueIndex('account_tokens_selector_key').on(table.selector),
    index('account_tokens_user_live_idx').on(table.userId, table.purpose).where(sql`${table.usedAt} is null`),
  ],
);

export type AccountTokenRow = typeof accountTokens.$inferSelect;

/** Rotating refresh tokens. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    selector: text('selector').notNull(),
    verifierHash: text('verifier_hash').notNull(),
    sessionVersion: integer('session_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [uniqueIndex('refresh_tokens_selector_key').on(table.selector), index('refresh_tokens_user_idx').on(table.userId)],
);

export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export const MAIL_STATUSES = ['pending', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/** One row per logical account mail, keyed by the task id. */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').notNull(),
    userId: bigint('user_id', { mode: 'number' }).references(() => users.id, { onDelete: 'set null' }),
    toAddress: text('to_address').notNull(),
    messageId: text('message_id').notNull(),
    status: text('status', { enum: MAIL_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    response: text('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    check('mail_outbox_status_check', sql`${table.status} in ('pending', 'sent', 'failed')`),
    uniqueIndex('mail_outbox_dedupe_key').on(table.dedupeKey),
    index('mail_outbox_user_idx').on(table.userId),
  ],
);

export type MailOutboxRow = typeof mailOutbox.$inferSelect;

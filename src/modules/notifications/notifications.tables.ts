import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { userIdReference } from '../accounts/index.ts';

/** Notices written by admins. */
export const notices = pgTable(
  'notices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    title: text('title').notNull(),
    content: text('content').notNull(),
    createdBy: bigint('created_by', { mode: 'number' }).references(userIdReference, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The admin's name, as the original stored it. */
    sentBy: text('sent_by'),
    sentByUserId: bigint('sent_by_user_id', { mode: 'number' }).references(userIdReference, { onDelete: 'set null' }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    recipientsSnapshotAt: timestamp('recipients_snapshot_at', { withTimezone: true }),
    dispatchRound: integer('dispatch_round').notNull().default(0),
    /** The task that created it (a Celery send_mail_to_all message's id); null for notices written in the admin. */
    requestKey: text('request_key'),
  },
  (table) => [
    index('notices_created_at_idx').on(table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst()),
    uniqueIndex('notices_request_key_key').on(table.requestKey),
  ],
);

export type NoticeRow = typeof notices.$inferSelect;

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One row per (notice, recipient), written by the fan-out snapshot. */
export const noticeDeliveries = pgTable(
  'notice_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    noticeId: bigint('notice_id', { mode: 'number' })
      .notNull()
      .references(() => notices.id, { onDelete: 'cascade' }),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(userIdReference, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    transientFailures: integer('transient_failures').notNull().default(0),
    lastError: text('last_error'),
    smtpReply: text('smtp_reply'),
    messageId: text('message_id'),
    unsubscribeToken: uuid('unsubscribe_token').notNull().defaultRandom(),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    claimedBy: text('claimed_by'),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
  },
  (table) => [
    check('notice_deliveries_status_check', sql`${table.status} in ('pending', 'sent', 'failed', 'skipped')`),
    unique('notice_deliveries_notice_user_key').on(table.noticeId, table.userId),
    uniqueIndex('notice_deliveries_unsubscribe_token_key').on(table.unsubscribeToken),
    // No predicate on status: a mark (pending → sent) then changes no indexed column and stays HOT (migration 0080).
    index('notice_deliveries_notice_idx').on(table.noticeId, table.id),
    index('notice_deliveries_user_idx').on(table.userId),
  ],
);

export type NoticeDeliveryRow = typeof noticeDeliveries.$inferSelect;

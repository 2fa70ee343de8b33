import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { userIdReference } from '../accounts/index.ts';

/** Every admin action, with who and when. */
export const adminAuditLog = pgTable(
  'admin_audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    adminUserId: bigint('admin_user_id', { mode: 'number' }).references(userIdReference, { onDelete: 'set null' }),
    adminEmail: text('admin_email'),
    action: text('action').notNull(),
    target: text('target'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    ip: text('ip'),
  },
  (table) => [index('admin_audit_log_at_idx').on(table.at.desc().nullsFirst(), table.id.desc().nullsFirst())],
);

export type AuditRow = typeof adminAuditLog.$inferSelect;

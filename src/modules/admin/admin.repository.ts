import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../db/index.ts';
import { users } from '../accounts/accounts.tables.ts';
import { notices } from '../notifications/notifications.tables.ts';
import { adminAuditLog, type AuditRow } from './admin.tables.ts';

/** A user as the admin login needs it. */
export interface AdminCandidate {
  id: number;
  email: string;
  name: string;
  passwordHash: string;
  isAdmin: boolean;
  isVerified: boolean;
  sessionVersion: number;
}

export interface AuditEntry {
  adminUserId: number | null;
  adminEmail: string | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/**
 * The admin's queries: reading users for login and the users page, editing a notice that was not
 * sent yet, and the audit log. Users and notices belong to other modules; only the draft edit
 * writes to them, and only while the notice is unsent.
 */
export class AdminRepository {
  constructor(private readonly database: () => DatabaseHandle) {}

  private get db(): DatabaseHandle['db'] {
    return this.database().db;
  }

  private toCandidate(row: typeof users.$inferSelect): AdminCandidate {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      passwordHash: row.passwordHash,
      isAdmin: row.isAdmin,
      isVerified: row.emailVerifiedAt !== null,
      sessionVersion: row.sessionVersion,
    };
  }

  async findUserByEmail(email: string): Promise<AdminCandidate | undefined> {
    const [row] = await this.db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
    return row ? this.toCandidate(row) : undefined;
  }

  async findUserById(id: number): Promise<AdminCandidate | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    return row ? this.toCandidate(row) : undefined;
  }

  /** Changes an unsent notice; a notice whose sending was requested is never rewritten. */
  async updateDraftNotice(id: number, input: { title: string; content: string }): Promise<'updated' | 'sent' | 'missing'> {
    const updated = await this.db
      .update(notices)
      .set({ title: input.title, content: input.content })
      .where(and(eq(notices.id, id), isNull(notices.sentAt)))
      .returning({ id: notices.id });
    if (updated.length > 0) return 'updated';
    const [existing] = await this.db.select({ id: notices.id }).from(notices).where(eq(notices.id, id)).limit(1);
    return existing ? 'sent' : 'missing';
  }

  async addAudit(entry: AuditEntry): Promise<void> {
    await this.db.insert(adminAuditLog).values({
      adminUserId: entry.adminUserId,
      adminEmail: entry.adminEmail,
      action: entry.action,
      target: entry.target ?? null,
      detail: entry.detail ?? {},
      ip: entry.ip ?? null,
    });
  }

  async listAudit(page: { limit: number; offset: number }, filter: { action?: string } = {}): Promise<{ items: AuditRow[]; total: number }> {
    const where = filter.action ? eq(adminAuditLog.action, filter.action) : undefined;
    const [items, totals] = await Promise.all([
      this.db.select().from(adminAuditLog).where(where).orderBy(desc(adminAuditLog.at), desc(adminAuditLog.id)).limit(page.limit).offset(page.offset),
      this.db.select({ total: count() }).from(adminAuditLog).where(where),
    ]);
    return { items, total: totals[0]?.total ?? 0 };
  }
}

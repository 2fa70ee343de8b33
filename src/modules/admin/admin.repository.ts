import { count, desc, eq } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '../../db/index.ts';
import { adminAuditLog, type AuditRow } from './admin.tables.ts';

export interface AuditEntry {
  adminUserId: number | null;
  adminEmail: string | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/** The admin's own table: the audit log. Users, notices and runs are read through their modules. */
export class AdminRepository {
  private readonly db: Database;

  constructor(database: DatabaseHandle) {
    this.db = database.db;
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

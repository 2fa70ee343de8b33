import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import { runReadinessChecks, type CheckOutcome, type ReadinessChecks } from '../../http/readiness.ts';
import type { Logger } from '../../log/logger.ts';
import type { MailboxRepository } from '../../mail/index.ts';
import { depKey } from '../../utils/deps.ts';
import type { AccountsService } from '../accounts/index.ts';
import type { DataloadService } from '../dataload/index.ts';
import type { NotificationsService } from '../notifications/index.ts';
import { AdminOperations, type AdminTaskLayer } from './admin.operations.ts';
import { AdminRepository } from './admin.repository.ts';
import { AdminService } from './admin.service.ts';

/** What the admin pages call; every module through its public service, none through its tables. */
export interface Admin {
  /** Sessions, CSRF tokens and the audit log. */
  sessions: AdminService;
  /** Task-layer operations: dashboard, schedules, task look-up and retry, bull-board's queues. */
  operations: AdminOperations;
  accounts: Pick<AccountsService, 'listUsers'>;
  notifications: Pick<NotificationsService, 'createNotice' | 'listNotices' | 'getNotice' | 'updateDraft' | 'requestSend' | 'requestResume'>;
  dataload: Pick<DataloadService, 'isSample' | 'recentRuns' | 'requestRun'>;
  /** The dev mailbox (what was kept while SMTP_URL was unset) and how mail goes now. */
  mailbox: { repository: MailboxRepository; kind: 'smtp' | 'mailbox' };
  /** Session cookies are marked Secure when PUBLIC_URL is https. */
  secureCookies: boolean;
  /** Redis, the database and Chroma: which answer, and why not (the detail /readyz keeps from the public). */
  dependencies(): Promise<CheckOutcome[]>;
  /** Tasks recorded with a database change whose run has not finished (the task outbox). */
  outboxBacklog(): Promise<OutboxBacklog>;
}

export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number;
}

/** What the admin routes use. */
export const ADMIN = depKey<Admin>('admin');

export interface AdminModuleDeps {
  db: DatabaseHandle;
  /** Sessions live in Redis. */
  redis: Redis;
  config: Config;
  log: Logger;
  accounts: AccountsService;
  notifications: Admin['notifications'];
  dataload: Admin['dataload'];
  tasks: AdminTaskLayer;
  mailbox: Admin['mailbox'];
  /** The process's /readyz checks beyond Redis (the database, Chroma). */
  readiness: ReadinessChecks;
  outbox: { backlog(): Promise<OutboxBacklog> };
}

/** The admin module's factory. */
export function createAdmin(deps: AdminModuleDeps): Admin {
  return {
    sessions: new AdminService({
      repository: new AdminRepository(deps.db),
      redis: deps.redis,
      prefix: deps.config.tasks.prefix,
      accounts: deps.accounts,
      log: deps.log,
    }),
    operations: new AdminOperations(deps.tasks),
    accounts: deps.accounts,
    notifications: deps.notifications,
    dataload: deps.dataload,
    mailbox: deps.mailbox,
    secureCookies: deps.config.http.publicUrl.startsWith('https:'),
    dependencies: () => runReadinessChecks({ redis: () => deps.redis.ping(), ...deps.readiness }),
    outboxBacklog: () => deps.outbox.backlog(),
  };
}

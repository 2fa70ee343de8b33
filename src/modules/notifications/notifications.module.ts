import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Mailer } from '../../mail/index.ts';
import type { TaskProducer } from '../../tasks/index.ts';
import { NotificationsRepository } from './notifications.repository.ts';
import { NotificationsService, type NoticeAccounts, type NotificationsServiceOptions } from './notifications.service.ts';

/** What the notifications module is built from. */
export interface NotificationsModuleDeps {
  db: DatabaseHandle;
  producer: TaskProducer;
  mailer: Mailer;
  /** The accounts service (or anything with its two calls): notifications reads and changes no user itself. */
  accounts: NoticeAccounts;
  config: Config;
  log: Logger;
  /** Fan-out and delivery settings other than the defaults (tests page small and retry fast). */
  tuning?: Partial<Pick<NotificationsServiceOptions, 'deliverTask' | 'fanOutPageSize' | 'fanOutPagesInFlight' | 'deliveryLeaseMs' | 'deliveryChunkSize' | 'deliveryParallelism'>>;
}

/** The notifications module's factory: its service. */
export function createNotifications(deps: NotificationsModuleDeps): NotificationsService {
  return new NotificationsService({
    repository: new NotificationsRepository(deps.db),
    mailer: deps.mailer,
    producer: deps.producer,
    accounts: deps.accounts,
    publicUrl: deps.config.http.publicUrl,
    log: deps.log,
    // The lease is held per run (TaskContext.runId): a run that takes over a stalled one waits for
    // it, so it must outlast a slow SMTP conversation and a partition the old worker returns from.
    deliveryLeaseMs: Math.max(deps.config.mail.deliveryLeaseMs, deps.config.tasks.lockMs),
    // The mail queue's rate limiter counts tasks: with a limit, one mail per task keeps it per mail.
    ...(deps.config.mail.ratePerSecond > 0 ? { deliveryChunkSize: 1 } : {}),
    ...deps.tuning,
  });
}

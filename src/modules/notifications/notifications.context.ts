import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { Broker } from '../../tasks/broker.ts';
import { NotificationsRepository } from './notifications.repository.ts';
import { NotificationsService } from './notifications.service.ts';
import { createNoticeTaskQueue } from './notifications.tasks.ts';

/**
 * Wires the notifications service for the composition root. The database is read on first use,
 * so a process without one (beat) can build the context.
 */
export function createNotificationsService(options: {
  config: Config;
  database: () => DatabaseHandle;
  broker: Broker;
  mailer: Mailer;
  log: Logger;
}): NotificationsService {
  return new NotificationsService({
    repository: new NotificationsRepository(options.database),
    mailer: options.mailer,
    queue: createNoticeTaskQueue(options.broker),
    publicUrl: options.config.http.publicUrl,
    log: options.log,
    // A run killed mid-send is re-run under the same task id and takes its lease back at once; a
    // different run waits for the lease, which must outlast a slow SMTP conversation.
    deliveryLeaseMs: Math.max(120_000, options.config.tasks.lockMs),
  });
}

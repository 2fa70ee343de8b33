import type { AppContext } from '../../src/context.ts';
import type { SqlRunner } from '../../src/db/index.ts';
import { NotificationsRepository } from '../../src/modules/notifications/notifications.repository.ts';
import { NotificationsService } from '../../src/modules/notifications/notifications.service.ts';
import {
  createNoticeTaskQueue,
  deliverNotice,
  resumeNotice,
  sendNoticeToAll,
} from '../../src/modules/notifications/notifications.tasks.ts';
import { defineTask, type RetryPolicy } from '../../src/tasks/define-task.ts';
import { TaskRegistry } from '../../src/tasks/registry.ts';
import { TaskWorker } from '../../src/tasks/worker.ts';

/** Test users: `<label><n>@example.com`, inserted set-based. */
export async function seedUsers(
  sql: SqlRunner,
  label: string,
  count: number,
  options: { consent: boolean; verified: boolean },
): Promise<void> {
  await sql.query(
    `insert into users (email, name, password_hash, notice_consent, email_verified_at)
     select $1 || g || '@example.com', '사용자 ' || $1 || g, 'not-a-hash', $2, case when $3 then now() end
       from generate_series(1, $4::int) g`,
    [label, options.consent, options.verified, count],
  );
}

/** The delivery task with the same name and handler, but test-sized backoffs. */
export function deliverWithRetry(retry: RetryPolicy): typeof deliverNotice {
  return defineTask(
    { name: deliverNotice.name, queue: deliverNotice.queue, schema: deliverNotice.schema, retry, dedupe: deliverNotice.dedupe },
    deliverNotice.handler,
  );
}

/**
 * A notifications service whose delivery tasks carry `retry`, on the context's clients; a small
 * `fanOutPageSize` makes a test broadcast page through its recipients.
 */
export function notificationsWith(ctx: AppContext, retry: RetryPolicy, options: { fanOutPageSize?: number } = {}): NotificationsService {
  return new NotificationsService({
    repository: new NotificationsRepository(ctx.database),
    mailer: ctx.mailer,
    queue: createNoticeTaskQueue(ctx.broker, deliverWithRetry(retry)),
    publicUrl: ctx.config.http.publicUrl,
    log: ctx.log,
    deliveryLeaseMs: 120_000,
    ...options,
  });
}

/** An in-process worker on the notices and mail queues running the real handlers. */
export async function startNoticeWorker(deps: AppContext, options: { concurrency: number }): Promise<TaskWorker> {
  const registry = new TaskRegistry();
  for (const task of [sendNoticeToAll, resumeNotice, deliverNotice]) registry.register(task);
  const worker = new TaskWorker({
    broker: deps.broker,
    registry,
    deps,
    log: deps.log,
    queues: ['notices', 'mail'],
    concurrency: options.concurrency,
    lockMs: 5_000,
  });
  await worker.start();
  return worker;
}

/** Polls `check` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

import type { SqlRunner } from '../../src/db/index.ts';
import { deliverNotice, NOTIFICATIONS, resumeNotice, sendNoticeToAll } from '../../src/modules/notifications/index.ts';
import { defineTask, type RetryPolicy } from '../../src/tasks/index.ts';

export { waitUntil } from '../helpers/wait.ts';

/** The notices tasks, for a stack's worker on the notices and mail queues. */
export const NOTICE_TASKS = [sendNoticeToAll, resumeNotice, deliverNotice] as const;

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

/** The delivery task with the same name and handler, but test-sized backoffs (for the notifications tuning). */
export function deliverWithRetry(retry: RetryPolicy): typeof deliverNotice {
  return defineTask(
    {
      name: deliverNotice.name,
      queue: deliverNotice.queue,
      schema: deliverNotice.schema,
      retry,
      ...(deliverNotice.dedupe ? { dedupe: deliverNotice.dedupe } : {}),
      uses: NOTIFICATIONS,
    },
    deliverNotice.handler,
  );
}

import { sql, type SQL } from 'drizzle-orm';
import { users } from './accounts.tables.ts';

/**
 * What "a notice recipient" means, for another module's set-based statement (notifications'
 * snapshot: one INSERT … SELECT however many recipients): the users who consented to notices and
 * verified their address, now. A subquery with the columns `id`, `email`, `name`; served by the
 * partial index users_notice_recipients_idx.
 */
export function noticeRecipients(): SQL {
  return sql`select ${users.id} as id, ${users.email} as email, ${users.name} as name
    from ${users} where ${users.noticeConsent} and ${users.emailVerifiedAt} is not null`;
}

/** A user's notice consent now, as a scalar subquery on `userId` (a column or value of the outer statement). */
export function currentNoticeConsent(userId: SQL): SQL {
  return sql`(select ${users.noticeConsent} from ${users} where ${users.id} = ${userId})`;
}

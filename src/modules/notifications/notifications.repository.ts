import { and, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { queryRows, type Database, type DatabaseHandle, type SqlRunner } from '../../db/index.ts';
import { currentNoticeConsent, noticeRecipients } from '../accounts/index.ts';
import { notices, type DeliveryStatus, type NoticeRow } from './notifications.tables.ts';

/** Deliveries of one notice by status. `pendingWithError` are pending rows that failed transiently at least once. */
export interface DeliveryCounts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
  pendingWithError: number;
}

export interface DeliveryFailure {
  deliveryId: number;
  userId: number;
  email: string;
  /** The SMTP server's reply, e.g. "550 5.1.1 mailbox unavailable". */
  reply: string;
  failedAt: Date;
}

/** What a delivery task needs to render and send one mail, read while taking the lease. */
export interface ClaimedDelivery {
  id: number;
  noticeId: number;
  userId: number;
  email: string;
  name: string;
  unsubscribeToken: string;
  title: string;
  content: string;
  /** The user's consent now, not at the snapshot: an unsubscribe in between is honoured. */
  noticeConsent: boolean;
}

export type ClaimResult =
  | { kind: 'claimed'; delivery: ClaimedDelivery }
  | { kind: 'finished'; status: Exclude<DeliveryStatus, 'pending'> }
  | { kind: 'busy'; claimedBy: string }
  | { kind: 'missing' };

const toNumber = (value: unknown): number => Number(value);

const emptyCounts = (): DeliveryCounts => ({ total: 0, pending: 0, sent: 0, failed: 0, skipped: 0, pendingWithError: 0 });

/** A row of a claim statement: the input id, the row's state, and what was leased (null when nothing was). */
type ClaimRow = {
  input_id: string | number;
  status: DeliveryStatus | null;
  claimed_by: string | null;
  id: string | number | null;
  notice_id: string | number | null;
  user_id: string | number | null;
  email: string | null;
  name: string | null;
  unsubscribe_token: string | null;
  title: string | null;
  content: string | null;
  notice_consent: boolean | null;
};

/** What a claim returns of a leased row: the delivery, its notice's content, the consent now. */
/** A snapshot of at least this many rows refreshes the planner's statistics; below it, a poor plan costs less. */
const ANALYZE_AFTER_SNAPSHOT_ROWS = 5_000;

const CLAIMED_COLUMNS = sql`d.id, d.notice_id, d.user_id, d.email, d.name, d.unsubscribe_token::text as unsubscribe_token,
                   n.title, n.content, ${currentNoticeConsent(sql`d.user_id`)} as notice_consent`;

function claimResultOf(row: ClaimRow): ClaimResult {
  if (row.status === null) return { kind: 'missing' };
  if (row.id === null) return row.status === 'pending' ? { kind: 'busy', claimedBy: row.claimed_by ?? '' } : { kind: 'finished', status: row.status };
  return {
    kind: 'claimed',
    delivery: {
      id: toNumber(row.id),
      noticeId: toNumber(row.notice_id),
      userId: toNumber(row.user_id),
      email: row.email ?? '',
      name: row.name ?? '',
      unsubscribeToken: row.unsubscribe_token ?? '',
      title: row.title ?? '',
      content: row.content ?? '',
      noticeConsent: row.notice_consent === true,
    },
  };
}

/**
 * Every query of the notifications domain; set-based where the work is per recipient. Users are
 * read only through what accounts exports (who receives notices, a user's consent now).
 */
export class NotificationsRepository {
  private readonly db: Database;
  private readonly sql: SqlRunner;

  constructor(database: DatabaseHandle) {
    this.db = database.db;
    this.sql = database.sql;
  }

  /** Runs `work` in one transaction (a change and the outbox row of the task that follows it). */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(tx));
  }

  async createNotice(input: { title: string; content: string; createdBy: number | null }): Promise<NoticeRow> {
    const [row] = await this.db.insert(notices).values(input).returning();
    if (!row) throw new Error('insert into notices returned no row');
    return row;
  }

  /** Inserts a notice unless one with `requestKey` exists; returns the stored one either way. */
  async createNoticeOnce(input: {
    title: string;
    content: string;
    createdBy: number | null;
    requestKey: string;
  }): Promise<{ notice: NoticeRow; created: boolean }> {
    const [row] = await this.db.insert(notices).values(input).onConflictDoNothing({ target: notices.requestKey }).returning();
    if (row) return { notice: row, created: true };
    const [existing] = await this.db.select().from(notices).where(eq(notices.requestKey, input.requestKey));
    if (!existing) throw new Error(`notice of request ${input.requestKey} neither inserted nor found`);
    return { notice: existing, created: false };
  }

  async findNotice(id: number, db: Database = this.db): Promise<NoticeRow | undefined> {
    const [row] = await db.select().from(notices).where(eq(notices.id, id));
    return row;
  }

  /** Newest first. */
  async listNotices(page: { limit: number; offset: number }): Promise<{ items: NoticeRow[]; total: number }> {
    const [items, totals] = await Promise.all([
      this.db.select().from(notices).orderBy(desc(notices.createdAt), desc(notices.id)).limit(page.limit).offset(page.offset),
      this.db.select({ total: count() }).from(notices),
    ]);
    return { items, total: totals[0]?.total ?? 0 };
  }

  /**
   * Records who pressed send and when, the first time only, so a second click or a second admin
   * changes nothing. Returns the notice as stored and whether this call was the first.
   */
  async markSendRequested(
    noticeId: number,
    sender: { name: string; userId: number | null },
    db: Database = this.db,
  ): Promise<{ notice: NoticeRow; first: boolean } | undefined> {
    const [updated] = await db
      .update(notices)
      .set({ sentBy: sender.name, sentByUserId: sender.userId, sentAt: sql`now()` })
      .where(and(eq(notices.id, noticeId), isNull(notices.sentAt)))
      .returning();
    if (updated) return { notice: updated, first: true };
    const existing = await this.findNotice(noticeId, db);
    return existing ? { notice: existing, first: false } : undefined;
  }

  /**
   * Snapshots the recipients (consenting users with a verified address, now) into delivery rows
   * in one statement. The snapshot happens once per notice: a re-run (a retried or re-requested
   * broadcast) inserts nothing, so users who joined after the first run are not added.
   * @returns rows inserted, and whether this call took the snapshot.
   */
  async snapshotRecipients(noticeId: number): Promise<{ inserted: number; snapshotTaken: boolean }> {
    const rows = await queryRows<{ inserted: number; snapshot_taken: number }>(
      this.sql,
      sql`with snapshot as (
         update notices set recipients_snapshot_at = now()
          where id = ${noticeId} and recipients_snapshot_at is null
         returning id
       ), inserted as (
         insert into notice_deliveries (notice_id, user_id, email, name)
         select snapshot.id, recipient.id, recipient.email, recipient.name
           from snapshot cross join (${noticeRecipients()}) recipient
          order by recipient.id
         on conflict (notice_id, user_id) do nothing
         returning 1
       )
       select (select count(*) from inserted)::int as inserted, (select count(*) from snapshot)::int as snapshot_taken`,
    );
    const row = rows[0];
    const inserted = toNumber(row?.inserted ?? 0);
    // Right after a large snapshot the planner's statistics still describe the table without it:
    // expecting a handful of rows for the notice, it read each page of pending ids by collecting
    // and sorting all the notice's later rows, quadratic in the recipients (1 s for 100,000,
    // against 0.15 s for an ordered index walk). ANALYZE reads a fixed sample, about 0.1 s.
    if (inserted >= ANALYZE_AFTER_SNAPSHOT_ROWS) await this.sql.exec('analyze notice_deliveries');
    return { inserted, snapshotTaken: toNumber(row?.snapshot_taken ?? 0) > 0 };
  }

  /** Sent notices that still have pending deliveries (what a Redis that came back empty no longer holds). */
  async noticesWithPendingDeliveries(): Promise<number[]> {
    const rows = await this.sql.query<{ notice_id: string | number }>(
      `select n.id as notice_id from notices n
        where n.sent_at is not null
          and exists (select 1 from notice_deliveries d where d.notice_id = n.id and d.status = 'pending')
        order by n.id`,
    );
    return rows.map((row) => toNumber(row.notice_id));
  }

  /** One keyset page of a notice's pending delivery ids, ascending, after `afterId`. */
  async pendingDeliveryIds(noticeId: number, afterId: number, limit: number): Promise<number[]> {
    const rows = await this.sql.query<{ id: string | number }>(
      `select id from notice_deliveries
        where notice_id = $1 and status = 'pending' and id > $2
        order by id limit $3`,
      [noticeId, afterId, limit],
    );
    return rows.map((row) => toNumber(row.id));
  }

  /** Increments and returns the notice's dispatch round (what a resume enqueues under). */
  async nextDispatchRound(noticeId: number, db: Database = this.db): Promise<number | undefined> {
    const [row] = await db
      .update(notices)
      .set({ dispatchRound: sql`${notices.dispatchRound} + 1` })
      .where(eq(notices.id, noticeId))
      .returning({ round: notices.dispatchRound });
    return row?.round;
  }

  async deliveryCounts(noticeIds: readonly number[]): Promise<Map<number, DeliveryCounts>> {
    const result = new Map<number, DeliveryCounts>(noticeIds.map((id) => [id, emptyCounts()]));
    if (noticeIds.length === 0) return result;
    const rows = await this.sql.query<{ notice_id: string | number; status: DeliveryStatus; n: number; with_error: number }>(
      `select notice_id, status, count(*)::int as n, (count(*) filter (where last_error is not null))::int as with_error
         from notice_deliveries where notice_id = any($1::bigint[])
        group by notice_id, status`,
      [noticeIds],
    );
    for (const row of rows) {
      const counts = result.get(toNumber(row.notice_id));
      if (!counts) continue;
      const n = toNumber(row.n);
      counts[row.status] += n;
      counts.total += n;
      if (row.status === 'pending') counts.pendingWithError += toNumber(row.with_error);
    }
    return result;
  }

  /**
   * Whether a sent notice's pending deliveries are moving: how many are leased by a run now, and
   * how long since any delivery was last sent, failed or leased (null: none ever was).
   */
  async deliveryActivity(noticeId: number): Promise<{ leased: number; idleSeconds: number | null }> {
    const rows = await this.sql.query<{ leased: number; idle_seconds: number | string | null }>(
      `select (count(*) filter (where status = 'pending' and claimed_until > now()))::int as leased,
              extract(epoch from now() - greatest(max(sent_at), max(failed_at), max(claimed_until)))::float8 as idle_seconds
         from notice_deliveries where notice_id = $1`,
      [noticeId],
    );
    const row = rows[0];
    const idle = row?.idle_seconds;
    return { leased: toNumber(row?.leased ?? 0), idleSeconds: idle === null || idle === undefined ? null : Math.max(0, Number(idle)) };
  }

  async listFailures(noticeId: number, limit: number): Promise<DeliveryFailure[]> {
    const rows = await this.sql.query<{
      id: string | number;
      user_id: string | number;
      email: string;
      smtp_reply: string | null;
      failed_at: Date | string;
    }>(
      `select id, user_id, email, smtp_reply, failed_at from notice_deliveries
        where notice_id = $1 and status = 'failed' order by id limit $2`,
      [noticeId, limit],
    );
    return rows.map((row) => ({
      deliveryId: toNumber(row.id),
      userId: toNumber(row.user_id),
      email: row.email,
      reply: row.smtp_reply ?? '',
      failedAt: new Date(row.failed_at),
    }));
  }

  /**
   * Takes a delivery's lease for `claimant` (one run of a delivery task, TaskContext.runId) if it
   * is pending and nobody else holds a live lease; the same claimant may take it again. A run that
   * takes over a stalled one is another claimant: it waits for the lease to expire (or the stalled
   * run to finish), as the stalled run may still be sending.
   */
  async claimDelivery(deliveryId: number, claimant: string, leaseMs: number): Promise<ClaimResult> {
    return (await this.claimDeliveries([{ deliveryId, claimant }], leaseMs)).get(deliveryId) ?? { kind: 'missing' };
  }

  /**
   * claimDelivery for many deliveries in one statement (the mail worker's runs that start
   * together share it). Each delivery id may appear once; every id gets its own result.
   */
  async claimDeliveries(claims: readonly { deliveryId: number; claimant: string }[], leaseMs: number): Promise<Map<number, ClaimResult>> {
    const results = new Map<number, ClaimResult>();
    if (claims.length === 0) return results;
    const rows = await queryRows<ClaimRow>(
      this.sql,
      sql`with input as (
         select * from unnest(${sql.param(claims.map((claim) => claim.deliveryId))}::bigint[],
                              ${sql.param(claims.map((claim) => claim.claimant))}::text[]) as i(id, claimant)
       ), target as (
         select d.id, d.status, d.claimed_by from notice_deliveries d join input on input.id = d.id
       ), claimed as (
         update notice_deliveries d
            set claimed_by = input.claimant, claimed_until = now() + make_interval(secs => ${leaseMs / 1000}::double precision)
           from input, notices n
          where d.id = input.id and d.status = 'pending' and n.id = d.notice_id
            and (d.claimed_until is null or d.claimed_until < now() or d.claimed_by = input.claimant)
         returning ${CLAIMED_COLUMNS}
       )
       select input.id as input_id, target.status, target.claimed_by, claimed.*
         from input left join target on target.id = input.id left join claimed on claimed.id = input.id`,
      'notice_deliveries_claim',
    );
    for (const row of rows) results.set(toNumber(row.input_id), claimResultOf(row));
    return results;
  }

  /**
   * Leases, for `claimant`, the pending deliveries of one notice with ids from `firstId` to
   * `lastId` (a delivery task's chunk; the notice is `firstId`'s), in one statement. Rows sent,
   * failed or skipped already are left out; a pending row another run holds comes back busy.
   */
  async claimDeliveryRange(firstId: number, lastId: number, claimant: string, leaseMs: number): Promise<ClaimResult[]> {
    const rows = await queryRows<ClaimRow>(
      this.sql,
      sql`with target as (
         select d.id, d.status, d.claimed_by from notice_deliveries d
          where d.notice_id = (select notice_id from notice_deliveries where id = ${firstId})
            and d.status = 'pending' and d.id between ${firstId} and ${lastId}
       ), claimed as (
         update notice_deliveries d
            set claimed_by = ${claimant}, claimed_until = now() + make_interval(secs => ${leaseMs / 1000}::double precision)
           from target, notices n
          where d.id = target.id and d.status = 'pending' and n.id = d.notice_id
            and (d.claimed_until is null or d.claimed_until < now() or d.claimed_by = ${claimant})
         returning ${CLAIMED_COLUMNS}
       )
       select target.id as input_id, target.status, target.claimed_by, claimed.*
         from target left join claimed on claimed.id = target.id order by target.id`,
      'notice_deliveries_claim_range',
    );
    return rows.map(claimResultOf);
  }

  /** markSent for many deliveries in one statement; each delivery id may appear once. */
  async markSentMany(sent: readonly { deliveryId: number; messageId: string; reply: string }[]): Promise<void> {
    if (sent.length === 0) return;
    await this.sql.query(
      `update notice_deliveries d
          set status = 'sent', sent_at = now(), message_id = s.message_id, smtp_reply = s.reply, last_error = null,
              claimed_by = null, claimed_until = null
         from unnest($1::bigint[], $2::text[], $3::text[]) as s(id, message_id, reply)
        where d.id = s.id and d.status = 'pending'`,
      [sent.map((row) => row.deliveryId), sent.map((row) => row.messageId), sent.map((row) => row.reply)],
      'notice_deliveries_mark_sent',
    );
  }

  async markSent(deliveryId: number, result: { messageId: string; reply: string }): Promise<void> {
    await this.markSentMany([{ deliveryId, ...result }]);
  }

  async markFailed(deliveryId: number, reply: string): Promise<void> {
    await this.sql.query(
      `update notice_deliveries
          set status = 'failed', failed_at = now(), smtp_reply = $2, last_error = $2,
              claimed_by = null, claimed_until = null
        where id = $1 and status = 'pending'`,
      [deliveryId, reply],
    );
  }

  async markSkipped(deliveryId: number, reason: string): Promise<void> {
    await this.sql.query(
      `update notice_deliveries set status = 'skipped', last_error = $2, claimed_by = null, claimed_until = null
        where id = $1 and status = 'pending'`,
      [deliveryId, reason],
    );
  }

  /** Counts a transient failure and releases the lease, so the retry (or a resume) can take it. */
  async recordTransientFailure(deliveryId: number, error: string): Promise<void> {
    await this.recordTransientFailures([deliveryId], error);
  }

  /** recordTransientFailure for many deliveries (a chunk's run that failed) in one statement. */
  async recordTransientFailures(deliveryIds: readonly number[], error: string): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.sql.query(
      `update notice_deliveries
          set transient_failures = transient_failures + 1, last_error = $2, claimed_by = null, claimed_until = null
        where id = any($1::bigint[]) and status = 'pending'`,
      [deliveryIds, error],
    );
  }

  /** The user an unsubscribe token belongs to; undefined for an unknown token. */
  async findUnsubscribeToken(token: string): Promise<{ userId: number } | undefined> {
    const rows = await this.sql.query<{ user_id: string | number }>(
      'select user_id from notice_deliveries where unsubscribe_token = $1::uuid limit 1',
      [token],
    );
    const row = rows[0];
    return row ? { userId: toNumber(row.user_id) } : undefined;
  }

  /** Records that a token was used to unsubscribe (the first time only); its user, or undefined for an unknown token. */
  async markUnsubscribed(token: string): Promise<{ userId: number } | undefined> {
    const rows = await this.sql.query<{ user_id: string | number }>(
      `update notice_deliveries set unsubscribed_at = coalesce(unsubscribed_at, now())
        where unsubscribe_token = $1::uuid
       returning user_id`,
      [token],
    );
    const row = rows[0];
    return row ? { userId: toNumber(row.user_id) } : undefined;
  }

  /** Changes an unsent notice; a notice whose sending was requested is never rewritten. */
  async updateDraft(id: number, input: { title: string; content: string }): Promise<'updated' | 'sent' | 'missing'> {
    const updated = await this.db
      .update(notices)
      .set({ title: input.title, content: input.content })
      .where(and(eq(notices.id, id), isNull(notices.sentAt)))
      .returning({ id: notices.id });
    if (updated.length > 0) return 'updated';
    return (await this.findNotice(id)) ? 'sent' : 'missing';
  }
}

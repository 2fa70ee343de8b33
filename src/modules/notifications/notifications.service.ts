import type { Logger } from 'pino';
import { MailPermanentError, MailTransientError, type Mailer, type SendResult } from '../../mail/index.ts';
import type { TaskProducer } from '../../tasks/index.ts';
import { AppError } from '../../utils/errors.ts';
import { GroupBatcher } from '../../utils/group-batcher.ts';
import { renderNoticeMarkdown } from './notifications.markdown.ts';
import type { ClaimedDelivery, ClaimResult, DeliveryCounts, DeliveryFailure, NotificationsRepository } from './notifications.repository.ts';
import type { NoticeRow } from './notifications.tables.ts';
import { deliverNotice, resumeNotice, sendNoticeToAll } from './notifications.tasks.ts';
import { renderNoticeMail } from './notifications.templates.ts';

/** What notifications asks of accounts, which owns the users: a recipient's address and consent, and the ids the API shows. */
export interface NoticeAccounts {
  findUser(userId: number): Promise<{ email: string; noticeConsent: boolean } | undefined>;
  withdrawNoticeConsent(userId: number): Promise<{ wasConsenting: boolean } | undefined>;
  /** The public ids of these users, for the JSON the admin reads (never the sequential ids). */
  publicIds(userIds: readonly number[]): Promise<Map<number, string>>;
}

export interface NotificationsServiceOptions {
  repository: NotificationsRepository;
  mailer: Mailer;
  /** Enqueues the broadcast, resume and delivery tasks (notifications.tasks.ts). */
  producer: TaskProducer;
  accounts: NoticeAccounts;
  /**
   * The delivery task enqueued per chunk of recipients. Default deliverNotice; tests give the same task
   * (same name and handler) with short backoffs.
   */
  deliverTask?: typeof deliverNotice;
  /** config.http.publicUrl: the only base of links in mail. */
  publicUrl: string;
  log: Logger;
  /** How long one delivery run holds its row before another run may take it over. Default 2 min. */
  deliveryLeaseMs?: number;
  /** Delivery ids read and enqueued per round trip during a fan-out. Default 1,000. */
  fanOutPageSize?: number;
  /** Pages being enqueued at once during a fan-out. Default 4. */
  fanOutPagesInFlight?: number;
  /**
   * Deliveries per delivery task (a chunk of consecutive ids). Default 50. 1 when the mail queue is
   * rate-limited: the queue's limiter counts tasks, so only then does it count mails.
   */
  deliveryChunkSize?: number;
  /** Mails of one chunk in flight at once (each waits for its sent mark before the next). Default 4. */
  deliveryParallelism?: number;
}

export interface NoticeView {
  id: number;
  title: string;
  content: string;
  /** The content as the mail shows it (Markdown subset, escaped). */
  contentHtml: string;
  /** The public id of the admin who wrote it; null once that account is gone. */
  createdBy: string | null;
  createdAt: string;
  sentBy: string | null;
  sentAt: string | null;
  recipientsSnapshotAt: string | null;
  deliveries: DeliveryCounts;
}

export interface NoticeDetail extends NoticeView {
  /** The first failures (by delivery id) with the SMTP reply; `deliveries.failed` counts them all. */
  failures: (Omit<DeliveryFailure, 'failedAt' | 'userId'> & { userId: string | null; failedAt: string })[];
  /**
   * Pending deliveries that nothing is moving: none leased, and none sent, failed or leased for
   * STALLED_AFTER_SECONDS since the send (e.g. retries ran out during an SMTP outage). Only then is
   * a resume worth offering; while the broadcast runs it would only duplicate work.
   */
  stalled: boolean;
}

const STALLED_AFTER_SECONDS = 120;

export type DeliveryOutcome =
  | { status: 'sent'; messageId: string; reply: string }
  | { status: 'failed'; reply: string }
  | { status: 'skipped'; reason: string }
  | { status: 'already-sent' | 'already-failed' | 'already-skipped' }
  | { status: 'gone' };

/** What one run of a chunk did; the rows hold the truth, this is the run's summary. */
export interface ChunkReport {
  sent: number;
  skipped: number;
  /** Refused with a 5xx in this run: marked failed, not retried. */
  refused: { deliveryId: number; reply: string }[];
}

export interface DispatchReport {
  noticeId: number;
  round: number;
  /** Delivery rows this run inserted (0 when the snapshot was taken before). */
  snapshotInserted: number;
  /** Delivery tasks enqueued (pending deliveries; the queue drops ids it already holds). */
  enqueued: number;
  snapshotMs: number;
  enqueueMs: number;
}

/** A notice that does not exist: a 404 for HTTP, and permanent for a task (retrying cannot create it). */
export class NoticeNotFoundError extends AppError {
  readonly permanent = true;

  constructor(noticeId: number) {
    super(404, 'NOTICE_NOT_FOUND', `공지 ${noticeId}번을 찾을 수 없습니다.`);
  }
}

/** Another run of the same delivery holds its lease; retrying later is safe. */
export class DeliveryBusyError extends Error {
  constructor(deliveryId: number, claimedBy: string) {
    super(`delivery ${deliveryId} is being sent by ${claimedBy}; will check again`);
    this.name = 'DeliveryBusyError';
  }
}

export { NOTICE_CONTENT_MAX, NOTICE_TITLE_MAX } from './notifications.limits.ts';
const FAILURES_SHOWN = 100;
const DEFAULT_LEASE_MS = 120_000;
const DEFAULT_FAN_OUT_PAGE = 1_000;
const DEFAULT_PAGES_IN_FLIGHT = 4;
const DEFAULT_CHUNK = 50;
/** Mails of one delivery task in flight at once, by default: a crash duplicates at most this many per running task. */
export const DELIVERY_PARALLELISM = 4;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

/** A transient failure as the row records it: the SMTP reply, or the error's message. */
function reasonOf(error: unknown): string {
  return error instanceof MailTransientError ? error.reply : error instanceof Error ? error.message : String(error);
}

function notFound(noticeId: number): NoticeNotFoundError {
  return new NoticeNotFoundError(noticeId);
}

/** Notices, their broadcast to consenting users, and unsubscribing. Plain TypeScript. */
export class NotificationsService {
  private readonly repository: NotificationsRepository;
  private readonly mailer: Mailer;
  private readonly producer: TaskProducer;
  private readonly accounts: NoticeAccounts;
  private readonly deliverTask: typeof deliverNotice;
  /** The only base of links in mail and of the unsubscribe form. */
  readonly publicUrl: string;
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly pageSize: number;
  private readonly pagesInFlight: number;
  private readonly chunkSize: number;
  private readonly parallelism: number;
  /**
   * The mail worker's bookkeeping, batched: the leases of the runs that start together are taken
   * in one statement, and the marks of the mails accepted together written in one. A run still
   * waits for its own mark before it ends, so at-least-once is unchanged.
   */
  private readonly claims: GroupBatcher<{ deliveryId: number; claimant: string }, ClaimResult>;
  private readonly sentMarks: GroupBatcher<{ deliveryId: number; messageId: string; reply: string }, undefined>;
  /** The last notices' content as HTML: the same for every recipient, so rendered once per notice. */
  private readonly contentHtml = new Map<number, { content: string; html: string }>();

  constructor(options: NotificationsServiceOptions) {
    this.repository = options.repository;
    this.mailer = options.mailer;
    this.producer = options.producer;
    this.accounts = options.accounts;
    this.deliverTask = options.deliverTask ?? deliverNotice;
    this.publicUrl = options.publicUrl;
    this.log = options.log;
    this.leaseMs = options.deliveryLeaseMs ?? DEFAULT_LEASE_MS;
    this.pageSize = options.fanOutPageSize ?? DEFAULT_FAN_OUT_PAGE;
    this.pagesInFlight = Math.max(1, options.fanOutPagesInFlight ?? DEFAULT_PAGES_IN_FLIGHT);
    this.chunkSize = Math.max(1, options.deliveryChunkSize ?? DEFAULT_CHUNK);
    this.parallelism = Math.max(1, options.deliveryParallelism ?? DELIVERY_PARALLELISM);
    this.claims = new GroupBatcher(
      async (items) => {
        const claimed = await this.repository.claimDeliveries(items, this.leaseMs);
        return items.map((item): ClaimResult => claimed.get(item.deliveryId) ?? { kind: 'missing' });
      },
      (item) => item.deliveryId,
    );
    this.sentMarks = new GroupBatcher(
      async (items) => {
        await this.repository.markSentMany(items);
        return items.map(() => undefined);
      },
      (item) => item.deliveryId,
    );
  }

  async createNotice(input: { title: string; content: string }, adminUserId: number | null): Promise<NoticeView> {
    const row = await this.repository.createNotice({ title: input.title, content: input.content, createdBy: adminUserId });
    const [counts, authors] = await Promise.all([this.repository.deliveryCounts([row.id]), this.authorsOf([row])]);
    return this.view(row, counts.get(row.id), authors);
  }

  async listNotices(page: number, pageSize: number): Promise<{ items: NoticeView[]; total: number; page: number; pageSize: number }> {
    const { items, total } = await this.repository.listNotices({ limit: pageSize, offset: (page - 1) * pageSize });
    const [counts, authors] = await Promise.all([this.repository.deliveryCounts(items.map((row) => row.id)), this.authorsOf(items)]);
    return { items: items.map((row) => this.view(row, counts.get(row.id), authors)), total, page, pageSize };
  }

  async getNotice(noticeId: number): Promise<NoticeDetail> {
    const row = await this.repository.findNotice(noticeId);
    if (!row) throw notFound(noticeId);
    const [counts, failures, activity] = await Promise.all([
      this.repository.deliveryCounts([row.id]),
      this.repository.listFailures(row.id, FAILURES_SHOWN),
      this.repository.deliveryActivity(row.id),
    ]);
    const pending = counts.get(row.id)?.pending ?? 0;
    const sinceSend = row.sentAt ? (Date.now() - row.sentAt.getTime()) / 1000 : 0;
    const idle = activity.idleSeconds ?? sinceSend;
    const stalled = pending > 0 && activity.leased === 0 && Math.min(idle, sinceSend) >= STALLED_AFTER_SECONDS;
    const publicIds = await this.accounts.publicIds([...failures.map((failure) => failure.userId), ...(row.createdBy === null ? [] : [row.createdBy])]);
    return {
      ...this.view(row, counts.get(row.id), publicIds),
      failures: failures.map((failure) => ({ ...failure, userId: publicIds.get(failure.userId) ?? null, failedAt: failure.failedAt.toISOString() })),
      stalled,
    };
  }

  /**
   * An admin pressed send. The first request records who and when; every request enqueues the
   * broadcast under the notice's own task id, so a double click or a second admin starts nothing
   * new, and a request after a lost enqueue (Redis down at the first click) still starts it.
   */
  async requestSend(noticeId: number, admin: { id: number; name: string }): Promise<{ taskId: string; alreadyRequested: boolean }> {
    return this.requestBroadcast(noticeId, { name: admin.name, userId: admin.id });
  }

  /**
   * Creates a notice and requests its broadcast, once per `requestKey` (the id of the task asking,
   * e.g. a Celery `send_mail_to_all` message): a retry or a redelivered message finds the notice
   * it created, and the broadcast, deduped on the notice, is not started twice.
   */
  async createAndSendNotice(
    input: { title: string; content: string; senderName: string },
    requestKey: string,
  ): Promise<{ noticeId: number; created: boolean; broadcastTaskId: string }> {
    const { notice, created } = await this.repository.createNoticeOnce({
      title: input.title,
      content: input.content,
      createdBy: null,
      requestKey,
    });
    const { taskId } = await this.requestBroadcast(notice.id, { name: input.senderName, userId: null });
    return { noticeId: notice.id, created, broadcastTaskId: taskId };
  }

  private async requestBroadcast(
    noticeId: number,
    sender: { name: string; userId: number | null },
  ): Promise<{ taskId: string; alreadyRequested: boolean }> {
    // The send mark and the broadcast task commit together (the outbox): accepted means it will run.
    return this.repository.transaction(async (tx) => {
      const marked = await this.repository.markSendRequested(noticeId, sender, tx);
      if (!marked) throw notFound(noticeId);
      const ref = await this.producer.enqueue(sendNoticeToAll, { noticeId, senderName: marked.notice.sentBy ?? sender.name }, { tx });
      return { taskId: ref.id, alreadyRequested: !marked.first };
    });
  }

  /**
   * Re-enqueues the notice's pending deliveries (after an SMTP outage outlasted the retries),
   * under a new dispatch round so the queue does not drop them as already known.
   */
  async requestResume(noticeId: number): Promise<{ taskId: string; round: number }> {
    const row = await this.repository.findNotice(noticeId);
    if (!row) throw notFound(noticeId);
    if (!row.sentAt) throw new AppError(409, 'NOTICE_NOT_SENT', '아직 발송하지 않은 공지입니다. 먼저 발송해 주세요.');
    return this.repository.transaction(async (tx) => {
      const round = await this.repository.nextDispatchRound(noticeId, tx);
      if (round === undefined) throw notFound(noticeId);
      return { taskId: (await this.producer.enqueue(resumeNotice, { noticeId, round }, { tx })).id, round };
    });
  }

  /**
   * The recovery after Redis came back without its tasks (the outbox relay runs it once): every
   * sent notice with pending deliveries is resumed, since their delivery tasks lived only in Redis.
   * A delivery already sent is skipped by its run, so a resume sends nothing twice.
   */
  async requeuePendingDeliveries(): Promise<{ resumed: number[] }> {
    const resumed = await this.repository.noticesWithPendingDeliveries();
    for (const noticeId of resumed) await this.requestResume(noticeId);
    if (resumed.length > 0) this.log.warn({ notices: resumed }, 'pending notice deliveries enqueued again after Redis lost them');
    return { resumed };
  }

  /**
   * The broadcast task's work: snapshot the recipients once (one statement), then enqueue their
   * delivery tasks page by page, so memory stays flat whatever the number of recipients.
   */
  async broadcast(noticeId: number, senderName: string, onProgress?: (report: DispatchReport) => Promise<void>): Promise<DispatchReport> {
    const notice = await this.repository.findNotice(noticeId);
    if (!notice) throw notFound(noticeId);
    // Started from `ainfo call` rather than the admin API: record the sender all the same.
    if (!notice.sentAt) await this.repository.markSendRequested(noticeId, { name: senderName, userId: null });
    return this.dispatch(noticeId, notice.dispatchRound, onProgress);
  }

  /** The resume task's work: the same dispatch, under the round the resume request allocated. */
  async resumeDispatch(noticeId: number, round: number, onProgress?: (report: DispatchReport) => Promise<void>): Promise<DispatchReport> {
    const notice = await this.repository.findNotice(noticeId);
    if (!notice) throw notFound(noticeId);
    return this.dispatch(noticeId, round, onProgress);
  }

  private async dispatch(
    noticeId: number,
    round: number,
    onProgress?: (report: DispatchReport) => Promise<void>,
  ): Promise<DispatchReport> {
    const started = performance.now();
    const snapshot = await this.repository.snapshotRecipients(noticeId);
    const snapshotDone = performance.now();
    const report: DispatchReport = {
      noticeId,
      round,
      snapshotInserted: snapshot.inserted,
      enqueued: 0,
      snapshotMs: Math.round(snapshotDone - started),
      enqueueMs: 0,
    };
    this.log.info({ noticeId, round, recipients: snapshot.inserted, snapshotTaken: snapshot.snapshotTaken }, 'notice recipients snapshot');
    // A few pages in flight: Redis runs one page's scripts while this process reads and
    // prepares the next, and memory stays bounded by pages, not by recipients.
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    let afterId = 0;
    for (;;) {
      const ids = await this.repository.pendingDeliveryIds(noticeId, afterId, this.pageSize);
      if (ids.length === 0) break;
      afterId = ids[ids.length - 1] ?? afterId;
      const tracked: Promise<void> = this.producer
        .enqueueMany(this.deliverTask, this.chunksOf(ids, round))
        .then(
          () => {
            report.enqueued += ids.length;
            report.enqueueMs = Math.round(performance.now() - snapshotDone);
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= this.pagesInFlight) await Promise.race(inFlight);
      if (failure) break;
      if (onProgress) await onProgress(report);
      if (ids.length < this.pageSize) break;
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    this.log.info({ ...report }, 'notice deliveries enqueued');
    return report;
  }

  /**
   * One delivery task per chunk of consecutive ids of a page: a chunk task covers the notice's
   * pending deliveries from its first id to its last, so its id (and dedupe) is that range.
   */
  private chunksOf(ids: readonly number[], round: number): { payload: { deliveryId: number; round: number; lastId?: number } }[] {
    const chunks: { payload: { deliveryId: number; round: number; lastId?: number } }[] = [];
    for (let start = 0; start < ids.length; start += this.chunkSize) {
      const first = ids[start] as number;
      const last = ids[Math.min(ids.length, start + this.chunkSize) - 1] as number;
      chunks.push({ payload: last === first ? { deliveryId: first, round } : { deliveryId: first, round, lastId: last } });
    }
    return chunks;
  }

  /**
   * Sends a chunk's mails: the notice's pending deliveries with ids from `firstId` to `lastId`,
   * leased to this run in one statement, sent `deliveryParallelism` at a time over the pooled
   * connections, each marked sent (group commit) right after the server accepts it and before its
   * slot sends the next, so a crash duplicates at most one mail per slot.
   * A transient failure stops the chunk (the deliveries not tried record it and give their leases
   * back) and is thrown for a retry, which takes only what is still pending; a 5xx marks that delivery failed and the rest go on.
   * @throws MailTransientError (retry later), DeliveryBusyError (another run holds some of them).
   */
  async deliverRange(firstId: number, lastId: number, claimant: string): Promise<ChunkReport> {
    const claims = await this.repository.claimDeliveryRange(firstId, lastId, claimant, this.leaseMs);
    const report: ChunkReport = { sent: 0, skipped: 0, refused: [] };
    const queue: ClaimedDelivery[] = [];
    let busy: DeliveryBusyError | undefined;
    for (const claim of claims) {
      if (claim.kind === 'claimed') queue.push(claim.delivery);
      // Rows finished already (a retry, a chunk overlapping another) are not returned at all.
      else if (claim.kind === 'busy') busy ??= new DeliveryBusyError(firstId, claim.claimedBy);
    }
    let transient: { error: unknown } | undefined;
    let next = 0;
    const slot = async (): Promise<void> => {
      while (next < queue.length && !transient) {
        const delivery = queue[next++] as ClaimedDelivery;
        const outcome = await this.send(delivery).catch((error: unknown) => {
          transient ??= { error };
          return undefined;
        });
        if (outcome?.status === 'sent') report.sent += 1;
        else if (outcome?.status === 'skipped') report.skipped += 1;
        else if (outcome?.status === 'failed') report.refused.push({ deliveryId: delivery.id, reply: outcome.reply });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallelism, queue.length) }, slot));
    if (transient) {
      // The run failed for the ones it did not get to as well: they show the error and give their leases back.
      await this.repository.recordTransientFailures(queue.slice(next).map((delivery) => delivery.id), `not tried: ${reasonOf(transient.error)}`);
      throw transient.error;
    }
    if (busy) throw busy;
    return report;
  }

  /**
   * Sends one delivery's mail, at most once per acceptance: a delivery already finished is
   * skipped, the row is marked sent right after the server accepts, and a stable Message-ID lets
   * receivers drop the copy a crash between acceptance and that mark can cause.
   * @throws MailTransientError (retry later), DeliveryBusyError (another run holds it).
   */
  async deliver(deliveryId: number, claimant: string): Promise<DeliveryOutcome> {
    const claim = await this.claims.submit({ deliveryId, claimant });
    if (claim.kind === 'missing') return { status: 'gone' };
    if (claim.kind === 'finished') return { status: `already-${claim.status}` };
    if (claim.kind === 'busy') throw new DeliveryBusyError(deliveryId, claim.claimedBy);
    return this.send(claim.delivery);
  }

  /** Renders and sends one leased delivery and records the outcome on its row. @throws MailTransientError and other transient errors. */
  private async send(delivery: ClaimedDelivery): Promise<DeliveryOutcome> {
    if (!delivery.noticeConsent) {
      const reason = 'unsubscribed after the recipients were snapshotted';
      await this.repository.markSkipped(delivery.id, reason);
      return { status: 'skipped', reason };
    }
    const mail = renderNoticeMail(
      {
        noticeId: delivery.noticeId,
        deliveryId: delivery.id,
        title: delivery.title,
        content: delivery.content,
        recipientName: delivery.name,
        unsubscribeToken: delivery.unsubscribeToken,
        publicUrl: this.publicUrl,
      },
      this.contentHtmlOf(delivery.noticeId, delivery.content),
    );
    let result: SendResult;
    try {
      result = await this.mailer.send({
        to: delivery.email,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        messageId: mail.messageId,
        kind: 'notice',
      });
    } catch (error) {
      if (error instanceof MailPermanentError) {
        await this.repository.markFailed(delivery.id, error.reply);
        return { status: 'failed', reply: error.reply };
      }
      await this.repository.recordTransientFailure(delivery.id, reasonOf(error));
      throw error;
    }
    await this.sentMarks.submit({ deliveryId: delivery.id, messageId: result.messageId || mail.messageId, reply: result.response });
    return { status: 'sent', messageId: result.messageId || mail.messageId, reply: result.response };
  }

  private contentHtmlOf(noticeId: number, content: string): string {
    const cached = this.contentHtml.get(noticeId);
    if (cached?.content === content) return cached.html;
    const html = renderNoticeMarkdown(content);
    if (this.contentHtml.size >= 8) this.contentHtml.clear();
    this.contentHtml.set(noticeId, { content, html });
    return html;
  }

  /**
   * Changes a notice that was not sent yet.
   * @returns 'updated', or 'locked' once its sending was requested. @throws NoticeNotFoundError (404).
   */
  async updateDraft(noticeId: number, input: { title: string; content: string }): Promise<'updated' | 'locked'> {
    const outcome = await this.repository.updateDraft(noticeId, input);
    if (outcome === 'missing') throw notFound(noticeId);
    return outcome === 'updated' ? 'updated' : 'locked';
  }

  /** For the confirmation page; undefined for a malformed or unknown token. */
  async unsubscribeInfo(token: string): Promise<{ email: string; alreadyOff: boolean } | undefined> {
    if (!UUID.test(token)) return undefined;
    const found = await this.repository.findUnsubscribeToken(token);
    const user = found ? await this.accounts.findUser(found.userId) : undefined;
    return user ? { email: user.email, alreadyOff: !user.noticeConsent } : undefined;
  }

  /**
   * Turns the token owner's notice consent off (through accounts); idempotent, no login (RFC 8058
   * one-click).
   * @throws AppError 404 INVALID_UNSUBSCRIBE_TOKEN for a malformed or unknown token.
   */
  async unsubscribe(token: string): Promise<{ userId: number; wasConsenting: boolean }> {
    const found = UUID.test(token) ? await this.repository.markUnsubscribed(token) : undefined;
    const result = found ? await this.accounts.withdrawNoticeConsent(found.userId) : undefined;
    if (!found || !result) throw new AppError(404, 'INVALID_UNSUBSCRIBE_TOKEN', '수신 거부 링크가 올바르지 않습니다.');
    return { userId: found.userId, wasConsenting: result.wasConsenting };
  }

  private authorsOf(rows: readonly NoticeRow[]): Promise<Map<number, string>> {
    return this.accounts.publicIds(rows.flatMap((row) => (row.createdBy === null ? [] : [row.createdBy])));
  }

  private view(row: NoticeRow, counts: DeliveryCounts | undefined, publicIds: ReadonlyMap<number, string>): NoticeView {
    return {
      id: row.id,
      title: row.title,
      content: row.content,
      contentHtml: renderNoticeMarkdown(row.content),
      createdBy: row.createdBy === null ? null : (publicIds.get(row.createdBy) ?? null),
      createdAt: row.createdAt.toISOString(),
      sentBy: row.sentBy,
      sentAt: iso(row.sentAt),
      recipientsSnapshotAt: iso(row.recipientsSnapshotAt),
      deliveries: counts ?? { total: 0, pending: 0, sent: 0, failed: 0, skipped: 0, pendingWithError: 0 },
    };
  }
}

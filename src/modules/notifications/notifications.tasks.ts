import { z } from 'zod';
import { celeryArguments, defineTask, depKey, PermanentError, type TaskContext } from '../../tasks/index.ts';
import { createNoticeBody } from './notifications.schemas.ts';
import type { DispatchReport, NotificationsService } from './notifications.service.ts';

/** What the notifications tasks (and routes) use: the notifications service. */
export const NOTIFICATIONS = depKey<NotificationsService>('notifications');

const id = z.number().int().positive();

/** Broadcast: a few retries for a database or Redis hiccup; every step is idempotent. */
const BROADCAST_RETRY = { attempts: 5, backoffMs: 5_000 };

/**
 * One mail: 10 runs with backoff from 3 s (3, 6, 12 … 768 s) ride out about 25 minutes of SMTP
 * outage on their own; a longer one leaves the rows pending for POST …/resume.
 */
export const DELIVERY_RETRY = { attempts: 10, backoffMs: 3_000 };

const progressOf = (ctx: TaskContext<NotificationsService>) => (report: DispatchReport) => ctx.progress({ ...report });

/**
 * Snapshots a notice's recipients into delivery rows and enqueues one delivery task each.
 * Deduped on the notice: a double click, or two admins, run it once. A notice that does not exist
 * fails at once (NoticeNotFoundError is permanent).
 */
export const sendNoticeToAll = defineTask(
  {
    name: 'notifications.sendNoticeToAll',
    queue: 'notices',
    schema: z.object({ noticeId: id, senderName: z.string().min(1).max(200) }),
    retry: BROADCAST_RETRY,
    dedupe: ({ noticeId }) => `notice-${noticeId}`,
    uses: NOTIFICATIONS,
  },
  async ({ noticeId, senderName }, ctx): Promise<DispatchReport> => ctx.deps.broadcast(noticeId, senderName, progressOf(ctx)),
);

/**
 * Writes a notice and requests its broadcast: the original's `send_mail_to_all(title, content,
 * sender_name)`, which Django's admin called. Once per task id: a retried run or a redelivered
 * Celery message finds the notice it created (keyed on the id) and starts nothing new.
 */
export const createAndSendNotice = defineTask(
  {
    name: 'notifications.createAndSendNotice',
    queue: 'notices',
    schema: createNoticeBody.extend({ senderName: z.string().trim().min(1).max(200) }),
    retry: BROADCAST_RETRY,
    uses: NOTIFICATIONS,
    celery: {
      name: 'notifications.tasks.send_mail_to_all',
      toPayload: (args, kwargs) => {
        const { title, content, sender_name: senderName } = celeryArguments(['title', 'content', 'sender_name'], args, kwargs);
        return { title, content, senderName };
      },
    },
  },
  (notice, ctx) => ctx.deps.createAndSendNotice(notice, ctx.id),
);

/** Re-enqueues a notice's pending deliveries under a new dispatch round (the admin's resume). */
export const resumeNotice = defineTask(
  {
    name: 'notifications.resumeNotice',
    queue: 'notices',
    schema: z.object({ noticeId: id, round: z.number().int().positive() }),
    retry: BROADCAST_RETRY,
    dedupe: ({ noticeId, round }) => `notice-${noticeId}-r${round}`,
    uses: NOTIFICATIONS,
  },
  async ({ noticeId, round }, ctx): Promise<DispatchReport> => ctx.deps.resumeDispatch(noticeId, round, progressOf(ctx)),
);

/**
 * Sends notice mail through the `mail` queue: one delivery (`deliveryId`), or a chunk, the
 * notice's pending deliveries from `deliveryId` to `lastId` (the fan-out enqueues chunks unless
 * the queue is rate-limited, whose limiter counts tasks). A 5xx reply marks the delivery failed
 * (with the reply) and then fails the task permanently, once nothing in it is left to retry, so
 * the task's state says some mail was refused as the rows do and the queue dashboard counts it;
 * 4xx and connection errors are thrown to retry, which sends only what is still pending.
 * The dispatch round is part of the id, so a resume is not dropped as a copy of the runs before it.
 */
export const deliverNotice = defineTask(
  {
    name: 'notifications.deliverNotice',
    queue: 'mail',
    schema: z.object({ deliveryId: id, round: z.number().int().min(0).default(0), lastId: id.optional() }),
    retry: DELIVERY_RETRY,
    dedupe: ({ deliveryId, round, lastId }) => {
      const range = lastId === undefined ? String(deliveryId) : `${deliveryId}-${lastId}`;
      return round === 0 ? range : `${range}-r${round}`;
    },
    uses: NOTIFICATIONS,
  },
  async ({ deliveryId, lastId }, ctx) => {
    // Leased to this run, not to the task id: a run taken over after a stall (its worker cut off
    // from Redis, or too busy to renew its lock) may still be sending; the takeover waits for the
    // lease instead of sending a copy.
    if (lastId !== undefined) {
      const report = await ctx.deps.deliverRange(deliveryId, lastId, ctx.runId);
      if (report.refused.length > 0) {
        const refused = report.refused.map((refusal) => `${refusal.deliveryId}: ${refusal.reply}`).join('; ');
        throw new PermanentError(`${report.refused.length} of deliveries ${deliveryId}–${lastId} refused (${report.sent} sent): ${refused}`);
      }
      return report;
    }
    const outcome = await ctx.deps.deliver(deliveryId, ctx.runId);
    if (outcome.status === 'failed') throw new PermanentError(`delivery ${deliveryId} refused: ${outcome.reply}`);
    return outcome;
  },
);

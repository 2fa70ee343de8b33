import { z } from 'zod';
import type { Broker } from '../../tasks/broker.ts';
import { defineTask, type Task, type TaskContext } from '../../tasks/define-task.ts';
import { PermanentError } from '../../tasks/errors.ts';
import { AppError } from '../../utils/errors.ts';
import type { DispatchReport, NoticeTaskQueue } from './notifications.service.ts';

const id = z.number().int().positive();

/** Broadcast: a few retries for a database or Redis hiccup; every step is idempotent. */
const BROADCAST_RETRY = { attempts: 5, backoffMs: 5_000 };

/**
 * One mail: 10 runs with backoff from 3 s (3, 6, 12 … 768 s) ride out about 25 minutes of SMTP
 * outage on their own; a longer one leaves the rows pending for POST …/resume.
 */
export const DELIVERY_RETRY = { attempts: 10, backoffMs: 3_000 };

/** A missing notice cannot appear by retrying; everything else may be transient. */
function permanentIfMissing(error: unknown): never {
  if (error instanceof AppError && error.status === 404) throw new PermanentError(error.message, { cause: error });
  throw error;
}

const progressOf = (ctx: TaskContext) => (report: DispatchReport) => ctx.progress({ ...report });

/**
 * Snapshots a notice's recipients into delivery rows and enqueues one delivery task each.
 * Deduped on the notice: a double click, or two admins, run it once.
 */
export const sendNoticeToAll = defineTask(
  {
    name: 'notifications.sendNoticeToAll',
    queue: 'notices',
    schema: z.object({ noticeId: id, senderName: z.string().min(1).max(200) }),
    retry: BROADCAST_RETRY,
    dedupe: ({ noticeId }) => `notice-${noticeId}`,
  },
  async ({ noticeId, senderName }, ctx): Promise<DispatchReport> =>
    ctx.app.notifications.broadcast(noticeId, senderName, progressOf(ctx)).catch(permanentIfMissing),
);

/** Re-enqueues a notice's pending deliveries under a new dispatch round (the admin's resume). */
export const resumeNotice = defineTask(
  {
    name: 'notifications.resumeNotice',
    queue: 'notices',
    schema: z.object({ noticeId: id, round: z.number().int().positive() }),
    retry: BROADCAST_RETRY,
    dedupe: ({ noticeId, round }) => `notice-${noticeId}-r${round}`,
  },
  async ({ noticeId, round }, ctx): Promise<DispatchReport> =>
    ctx.app.notifications.resumeDispatch(noticeId, round, progressOf(ctx)).catch(permanentIfMissing),
);

/**
 * Sends one notice mail through the rate-limited `mail` queue. A 5xx reply marks the delivery
 * failed (with the reply) and then fails the task permanently, so the task's state tells the same
 * truth as the row and the queue dashboard counts it; 4xx and connection errors are thrown to retry.
 */
export const deliverNotice = defineTask(
  {
    name: 'notifications.deliverNotice',
    queue: 'mail',
    schema: z.object({ deliveryId: id }),
    retry: DELIVERY_RETRY,
    dedupe: ({ deliveryId }) => String(deliveryId),
  },
  async ({ deliveryId }, ctx) => {
    const outcome = await ctx.app.notifications.deliver(deliveryId, ctx.id);
    if (outcome.status === 'failed') throw new PermanentError(`delivery ${deliveryId} refused: ${outcome.reply}`);
    return outcome;
  },
);

type DeliverTask = Task<typeof deliverNotice.schema>;

/** The id of a delivery's task in a dispatch round; round 0 is the one the task's dedupe gives. */
export function deliveryTaskId(task: DeliverTask, deliveryId: number, round: number): string {
  return round === 0 ? `${task.name}-${String(deliveryId)}` : `${task.name}-${String(deliveryId)}-r${round}`;
}

/**
 * The service's port onto the task layer. `deliver` may be swapped for a task with the same name
 * and handler but another retry policy (tests use short backoffs).
 */
export function createNoticeTaskQueue(broker: Broker, deliver: DeliverTask = deliverNotice): NoticeTaskQueue {
  return {
    async startBroadcast(noticeId, senderName) {
      return (await broker.enqueue(sendNoticeToAll, { noticeId, senderName })).id;
    },
    async startResume(noticeId, round) {
      return (await broker.enqueue(resumeNotice, { noticeId, round })).id;
    },
    async enqueueDeliveries(deliveryIds, round) {
      await broker.enqueueMany(
        deliver,
        deliveryIds.map((deliveryId) => ({ payload: { deliveryId }, id: deliveryTaskId(deliver, deliveryId, round) })),
      );
    },
  };
}

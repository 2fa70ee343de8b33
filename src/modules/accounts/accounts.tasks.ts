import { z } from 'zod';
import { MailPermanentError } from '../../mail/mailer.ts';
import { defineSchedule, defineTask, PermanentError, type TaskContext } from '../../tasks/index.ts';
import type { DeliveryOutcome } from './accounts.service.ts';

const userPayload = z.object({ userId: z.number().int().positive() });

/**
 * 14 runs, 1 s doubling: retries at 1 s, 3 s, 7 s … the last about 2.3 hours after the first, so
 * an SMTP outage of up to two hours delays account mail without losing it.
 */
export const ACCOUNT_MAIL_RETRY = { attempts: 14, backoffMs: 1_000 } as const;

async function runDelivery(ctx: TaskContext, deliver: (dedupeKey: string) => Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
  // The task id is the same on every retry: it names the logical mail in the outbox.
  if (ctx.id === '') throw new PermanentError('an account mail task needs a task id');
  try {
    const outcome = await deliver(ctx.id);
    ctx.log.info({ outcome: outcome.status, ...(outcome.status === 'skipped' ? { reason: outcome.reason } : {}) }, 'account mail');
    return outcome;
  } catch (error) {
    // The reply ("550 …") becomes the task's recorded failure; no retry can change it.
    if (error instanceof MailPermanentError) throw new PermanentError(error.message, { cause: error });
    throw error;
  }
}

/** Mints a verification token and mails the link (Celery original: send_verification_email). */
export const sendVerifyEmail = defineTask(
  { name: 'accounts.sendVerifyEmail', queue: 'mail', schema: userPayload, retry: ACCOUNT_MAIL_RETRY },
  ({ userId }, ctx) => runDelivery(ctx, (dedupeKey) => ctx.app.accounts.deliverVerifyEmail(userId, dedupeKey)),
);

/** Mints a reset token and mails the link (Celery original: send_password_reset_email). */
export const sendResetPasswordEmail = defineTask(
  { name: 'accounts.sendResetPasswordEmail', queue: 'mail', schema: userPayload, retry: ACCOUNT_MAIL_RETRY },
  ({ userId }, ctx) => runDelivery(ctx, (dedupeKey) => ctx.app.accounts.deliverResetPasswordEmail(userId, dedupeKey)),
);

/** Deletes long-expired tokens and old outbox rows, so these tables do not grow for ever. */
export const purgeExpiredTokens = defineTask(
  { name: 'accounts.purgeExpiredTokens', queue: 'default', schema: z.object({}), retry: { attempts: 3, backoffMs: 60_000 } },
  async (_payload, ctx) => {
    const deleted = await ctx.app.accounts.purgeExpired();
    ctx.log.info(deleted, 'expired account tokens purged');
    return deleted;
  },
);

export const accountSchedules = [
  defineSchedule({ id: 'accounts-purge-expired-tokens-daily-4am', task: purgeExpiredTokens, cron: '0 4 * * *', tz: 'Asia/Seoul', payload: {} }),
];

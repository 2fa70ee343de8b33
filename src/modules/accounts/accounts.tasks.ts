import { z } from 'zod';
import { celeryArguments, defineSchedule, defineTask, depKey, PermanentError, type TaskContext } from '../../tasks/index.ts';
import type { AccountsService, DeliveryOutcome } from './accounts.service.ts';

/** What the accounts tasks (and routes) use: the accounts service. Provided by each composition root. */
export const ACCOUNTS = depKey<AccountsService>('accounts');

const userPayload = z.object({ userId: z.number().int().positive() });

/**
 * 14 runs, 1 s doubling: retries at 1 s, 3 s, 7 s … the last about 2.3 hours after the first, so
 * an SMTP outage of up to two hours delays account mail without losing it.
 */
export const ACCOUNT_MAIL_RETRY = { attempts: 14, backoffMs: 1_000 } as const;

async function runDelivery(ctx: TaskContext<AccountsService>, deliver: (dedupeKey: string) => Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
  // The task id is the same on every retry: it names the logical mail in the outbox.
  if (ctx.id === '') throw new PermanentError('an account mail task needs a task id');
  // A 5xx reply ("550 …") is a MailPermanentError: the worker records it and does not retry.
  const outcome = await deliver(ctx.id);
  ctx.log.info({ outcome: outcome.status, ...(outcome.status === 'skipped' ? { reason: outcome.reason } : {}) }, 'account mail');
  return outcome;
}

/**
 * The original's `(user_id, email, domain)` as our payload: only the id is read. The address is the
 * user's own, from the database, and links are built on PUBLIC_URL, never on a caller's domain.
 */
const fromOriginalMailTask = (args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): unknown => ({
  userId: celeryArguments(['user_id', 'email?', 'domain?'], args, kwargs).user_id,
});

/** Mints a verification token and mails the link (Celery original: `accounts.tasks.send_verify_email`). */
export const sendVerifyEmail = defineTask(
  {
    name: 'accounts.sendVerifyEmail',
    queue: 'mail',
    schema: userPayload,
    retry: ACCOUNT_MAIL_RETRY,
    uses: ACCOUNTS,
    celery: { name: 'accounts.tasks.send_verify_email', toPayload: fromOriginalMailTask },
  },
  ({ userId }, ctx) => runDelivery(ctx, (dedupeKey) => ctx.deps.deliverVerifyEmail(userId, dedupeKey)),
);

/** Mints a reset token and mails the link (Celery original: `accounts.tasks.send_reset_pw_email`). */
export const sendResetPasswordEmail = defineTask(
  {
    name: 'accounts.sendResetPasswordEmail',
    queue: 'mail',
    schema: userPayload,
    retry: ACCOUNT_MAIL_RETRY,
    uses: ACCOUNTS,
    celery: { name: 'accounts.tasks.send_reset_pw_email', toPayload: fromOriginalMailTask },
  },
  ({ userId }, ctx) => runDelivery(ctx, (dedupeKey) => ctx.deps.deliverResetPasswordEmail(userId, dedupeKey)),
);

/**
 * Tells the owner of an address that someone signed up with it again, with links to log in and
 * to reset the password: signup answers the same whether or not the address was taken.
 */
export const sendAccountExistsEmail = defineTask(
  { name: 'accounts.sendAccountExistsEmail', queue: 'mail', schema: userPayload, retry: ACCOUNT_MAIL_RETRY, uses: ACCOUNTS },
  ({ userId }, ctx) => runDelivery(ctx, (dedupeKey) => ctx.deps.deliverAccountExistsEmail(userId, dedupeKey)),
);

/** Deletes long-expired tokens and old outbox rows, so these tables do not grow for ever. */
export const purgeExpiredTokens = defineTask(
  { name: 'accounts.purgeExpiredTokens', queue: 'default', schema: z.object({}), retry: { attempts: 3, backoffMs: 60_000 }, uses: ACCOUNTS },
  async (_payload, ctx) => {
    const deleted = await ctx.deps.purgeExpired();
    ctx.log.info(deleted, 'expired account tokens purged');
    return deleted;
  },
);

export const accountSchedules = [
  defineSchedule({ id: 'accounts-purge-expired-tokens-daily-4am', task: purgeExpiredTokens, cron: '0 4 * * *', tz: 'Asia/Seoul', payload: {} }),
];

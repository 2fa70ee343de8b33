import type { DatabaseHandle } from '../../src/db/index.ts';
import type { App } from '../../src/http/app.ts';
import type { ReceivedMail } from '../helpers/smtp-server.ts';
import { startStack, type Stack, type StackOptions } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

export const PUBLIC_URL = 'https://ainfo.test';

/**
 * What an accounts test stands on: its own database and prefix, the app, a worker on the mail
 * queue running the real tasks, and (unless `smtp: false`, for the dev mailbox) a real SMTP server.
 */
export function startAccountsStack(label: string, options: { smtp?: boolean; env?: Record<string, string> } = {}): Promise<Stack> {
  const stackOptions: StackOptions = {
    label,
    database: 'postgres',
    smtp: options.smtp ?? true,
    env: { PUBLIC_URL, AUTH_RATE_LIMIT_PER_MINUTE: '10000', MAIL_FROM: 'AInfo <no-reply@ainfo.test>', ...options.env },
    app: true,
    worker: { queues: ['mail'] },
  };
  return startStack(stackOptions);
}

/** The app of a stack that was asked for one. */
export function appOf(stack: Stack): App {
  if (!stack.app) throw new Error('the stack has no app');
  return stack.app;
}

/** The link of a given path in a mail's text part. */
export function linkIn(mail: ReceivedMail, path: string): string {
  const match = new RegExp(`https?://\\S+${path.replace(/[/.?]/g, '\\$&')}\\?token=\\S+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in the mail: ${mail.text}`);
  return match[0];
}

/** The path and query of an absolute link, for app.inject. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

export function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token') ?? '';
}

/** The internal (sequential) id of the user with this address, which the API never shows. */
export async function userIdOf(db: DatabaseHandle, email: string): Promise<number> {
  const rows = await db.sql.query<{ id: string | number }>('select id from users where lower(email) = lower($1)', [email]);
  if (!rows[0]) throw new Error(`no user ${email}`);
  return Number(rows[0].id);
}

/** Waits until the account-mail task of a user has an outbox row, and returns the task id. */
export async function mailTaskId(db: DatabaseHandle, userId: number, kind: string, timeoutMs = 10_000): Promise<string> {
  let taskId: string | undefined;
  await waitUntil(
    async () => {
      const rows = await db.sql.query<{ dedupe_key: string }>(
        'select dedupe_key from mail_outbox where user_id = $1 and kind = $2 order by id desc limit 1',
        [userId, kind],
      );
      taskId = rows[0]?.dedupe_key;
      return taskId !== undefined;
    },
    timeoutMs,
    `a ${kind} mail task for user ${userId}`,
  );
  return taskId ?? '';
}

export async function signup(
  app: App,
  body: { email: string; password?: string; name?: string; noticeConsent?: boolean },
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url: '/api/accounts/signup',
    headers,
    payload: { password: 'blue ocean 7 waves', name: '테스트 사용자', ...body },
  });
}

/** Posts an HTML form, as a browser does. */
export function postForm(app: App, url: string, form: Record<string, string>, remoteAddress?: string) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

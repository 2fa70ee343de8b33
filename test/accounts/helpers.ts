import type { AppContext } from '../../src/context.ts';
import type { App } from '../../src/http/app.ts';
import { TaskWorker } from '../../src/tasks/worker.ts';
import { testContext } from '../helpers/context.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { deletePrefix, uniquePrefix } from '../helpers/redis.ts';
import { TestSmtpServer, type ReceivedMail } from '../helpers/smtp-server.ts';
import { buildApp } from '../../src/http/app.ts';

export const PUBLIC_URL = 'https://ainfo.test';

/** A context on `database` sending over `smtpUrl`, with a worker on the mail queue. */
export async function accountsHarness(
  prefix: string,
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<{ ctx: AppContext; worker: TaskWorker }> {
  const ctx = await testContext(prefix, {
    database: database.handle,
    env: { PUBLIC_URL, AUTH_RATE_LIMIT_PER_MINUTE: '10000', MAIL_FROM: 'AInfo <no-reply@ainfo.test>', ...env },
  });
  const worker = new TaskWorker({
    broker: ctx.broker,
    registry: ctx.registry,
    deps: ctx,
    log: ctx.log,
    queues: ['mail'],
    lockMs: 5_000,
  });
  await worker.start();
  return { ctx, worker };
}

/** Everything an accounts-over-HTTP test stands on: its own database and prefix, a real SMTP server, a mail worker, the app. */
export interface AccountsStack {
  database: TestDatabase;
  smtp: TestSmtpServer;
  ctx: AppContext;
  worker: TaskWorker;
  app: App;
  /** Closes all of it and drops what it created. */
  stop(): Promise<void>;
}

export async function startAccountsStack(label: string): Promise<AccountsStack> {
  const prefix = uniquePrefix(label);
  const [database, smtp] = await Promise.all([createPostgresDatabase(label), TestSmtpServer.start()]);
  const { ctx, worker } = await accountsHarness(prefix, database, { SMTP_URL: smtp.url });
  const app = await buildApp(ctx);
  return {
    database,
    smtp,
    ctx,
    worker,
    app,
    async stop() {
      await app.close();
      await worker.close(5_000);
      await ctx.close();
      await smtp.close();
      await database.drop();
      await deletePrefix(prefix);
    },
  };
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

/** Waits until the account-mail task of a user has an outbox row, and returns the task id. */
export async function mailTaskId(ctx: AppContext, userId: number, kind: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await ctx.database.sql.query<{ dedupe_key: string }>(
      'select dedupe_key from mail_outbox where user_id = $1 and kind = $2 order by id desc limit 1',
      [userId, kind],
    );
    if (rows[0]) return rows[0].dedupe_key;
    if (Date.now() > deadline) throw new Error(`no ${kind} mail task ran for user ${userId}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

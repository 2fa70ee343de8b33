import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import type { TaskWorker } from '../../src/tasks/worker.ts';
import { accountsHarness, mailTaskId, signup } from '../accounts/helpers.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { deletePrefix, uniquePrefix } from '../helpers/redis.ts';
import { TestSmtpServer } from '../helpers/smtp-server.ts';

const OUTAGE_MS = 30_000;

describe('an SMTP outage delays account mail and loses none', () => {
  const prefix = uniquePrefix('smtp-outage');
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let ctx: AppContext;
  let worker: TaskWorker;
  let app: App;

  beforeAll(async () => {
    [database, smtp] = await Promise.all([createPostgresDatabase('smtp_outage'), TestSmtpServer.start()]);
    ({ ctx, worker } = await accountsHarness(prefix, database, { SMTP_URL: smtp.url }));
    app = await buildApp(ctx);
  });

  afterAll(async () => {
    await app.close();
    await worker.close(5_000);
    await ctx.close();
    await smtp.close();
    await database.drop();
    await deletePrefix(prefix);
  });

  it('delivers the verification mail once the server is back after 30 s down', { timeout: 100_000 }, async () => {
    await smtp.stop();
    const started = Date.now();
    const response = await signup(app, { email: 'patient@example.com' });
    expect(response.statusCode).toBe(201);
    const userId = response.json<{ id: number }>().id;
    const taskId = await mailTaskId(ctx, userId, 'verify-email');

    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - started)));
    const during = await ctx.results.get(taskId);
    expect(during.state).toBe('RETRY');
    expect(smtp.messages).toHaveLength(0);
    await smtp.start();

    // The retry due ~31 s after the first attempt finds the server up; on a very slow machine the next one (~63 s) does.
    const result = await ctx.results.wait(taskId, { timeoutMs: 45_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: { status: 'sent' } });
    expect(result.attempts).toBeGreaterThan(3);
    expect(smtp.messagesTo('patient@example.com')).toHaveLength(1);
    const outbox = await database.handle.sql.query<{ status: string; attempts: number }>('select status, attempts from mail_outbox where dedupe_key = $1', [taskId]);
    expect(outbox[0]).toMatchObject({ status: 'sent', attempts: result.attempts });
  });
});

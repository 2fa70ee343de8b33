import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { appOf, mailTaskId, signup, startAccountsStack, userIdOf } from '../accounts/helpers.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import type { Stack } from '../helpers/stack.ts';

const OUTAGE_MS = 30_000;

describe('an SMTP outage delays account mail and loses none', () => {
  let smtp: TestSmtpServer;
  let app: App;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startAccountsStack('smtp_outage');
    app = appOf(stack);
    if (!stack.smtp) throw new Error('no SMTP server');
    smtp = stack.smtp;
  });

  afterAll(() => stack.stop());

  it('delivers the verification mail once the server is back after 30 s down', { timeout: 100_000 }, async () => {
    await smtp.stop();
    const started = Date.now();
    const response = await signup(app, { email: 'patient@example.com' });
    expect(response.statusCode).toBe(201);
    const userId = await userIdOf(stack.db, 'patient@example.com');
    const taskId = await mailTaskId(stack.db, userId, 'verify-email');

    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - started)));
    const during = await stack.core.results.get(taskId);
    expect(during.state).toBe('RETRY');
    expect(smtp.messages).toHaveLength(0);
    await smtp.start();

    // The retry due ~31 s after the first attempt finds the server up; on a very slow machine the next one (~63 s) does.
    const result = await stack.core.results.wait(taskId, { timeoutMs: 45_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: { status: 'sent' } });
    expect(result.attempts).toBeGreaterThan(3);
    expect(smtp.messagesTo('patient@example.com')).toHaveLength(1);
    const outbox = await stack.db.sql.query<{ status: string; attempts: number }>('select status, attempts from mail_outbox where dedupe_key = $1', [taskId]);
    expect(outbox[0]).toMatchObject({ status: 'sent', attempts: result.attempts });
  });
});

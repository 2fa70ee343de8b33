import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import type { Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';
import { appOf, PUBLIC_URL, pathOf, postForm, startAccountsStack, tokenOf } from './helpers.ts';

const RATE_LIMIT_PER_MINUTE = 5;

interface MailboxList {
  messages: { id: number; to: string; subject: string; text: string }[];
}

describe('the no-configuration flow: dev mailbox, and rate limits', () => {
  let stack: Stack;
  let app: App;
  let adminToken: string;

  beforeAll(async () => {
    // No SMTP server: with SMTP_URL unset, mail goes to the dev mailbox.
    stack = await startAccountsStack('dev_mailbox', { smtp: false, env: { AUTH_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE) } });
    app = appOf(stack);
    const { accounts } = stack.services;
    await accounts.createSuperuser({ email: 'admin@example.com', password: 'quiet harbor lights' });
    adminToken = (await accounts.login('admin@example.com', 'quiet harbor lights', '127.0.0.1')).accessToken;
  });

  afterAll(() => stack.stop());

  async function mailbox(email: string): Promise<MailboxList['messages']> {
    const response = await app.inject({
      method: 'GET',
      url: `/api/admin/mailbox?to=${encodeURIComponent(email)}`,
      headers: { authorization: `Bearer ${adminToken}` },
    });
    return response.json<MailboxList>().messages;
  }

  async function mailboxFor(email: string, count: number): Promise<MailboxList['messages']> {
    await waitUntil(async () => (await mailbox(email)).length >= count, 10_000, `${count} mails to ${email}`);
    return mailbox(email);
  }

  it('signup → mail in the dev mailbox → its link and button verify → login', async () => {
    expect(stack.services.mailer.kind).toBe('mailbox');
    const signup = await app.inject({
      method: 'POST',
      url: '/api/accounts/signup',
      remoteAddress: '10.0.0.1',
      payload: { email: 'newcomer@example.com', password: 'first steps here', name: '새내기' },
    });
    expect(signup.statusCode).toBe(201);
    const [mail] = await mailboxFor('newcomer@example.com', 1);
    expect(mail?.subject).toBe('[AInfo] 이메일 주소를 인증해 주세요');
    const link = /https?:\/\/\S+\/accounts\/verify-email\?token=\S+/.exec(mail?.text ?? '')?.[0] ?? '';
    expect(link.startsWith(PUBLIC_URL)).toBe(true);

    const one = await app.inject({ method: 'GET', url: `/api/admin/mailbox/${mail?.id ?? 0}`, headers: { authorization: `Bearer ${adminToken}` } });
    expect(one.statusCode).toBe(200);
    expect(one.json<{ html: string }>().html).toContain(`href="${link}"`);

    expect((await app.inject({ method: 'GET', url: pathOf(link), remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    const verified = await postForm(app, '/accounts/verify-email', { token: tokenOf(link) }, '10.0.0.1');
    expect(verified.statusCode).toBe(200);
    const login = await app.inject({
      method: 'POST',
      url: '/api/accounts/login',
      remoteAddress: '10.0.0.1',
      payload: { email: 'newcomer@example.com', password: 'first steps here' },
    });
    expect(login.statusCode).toBe(200);
  });

  it('limits each auth route per client IP with 429 and Retry-After', async () => {
    const attempt = (remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/api/accounts/verify-email', remoteAddress, payload: { token: 'forged.token' } });
    for (let i = 0; i < RATE_LIMIT_PER_MINUTE; i += 1) expect((await attempt('10.0.0.2')).statusCode).toBe(400);
    const limited = await attempt('10.0.0.2');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt('10.0.0.3')).statusCode).toBe(400);
    const otherRoute = await app.inject({ method: 'POST', url: '/api/accounts/login', remoteAddress: '10.0.0.2', payload: { email: 'x@example.com', password: 'wrong password' } });
    expect(otherRoute.statusCode).toBe(401);
  });

  it('limits mails per address silently: always 202, at most 5 resends an hour', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/accounts/signup',
      remoteAddress: '10.0.1.1',
      payload: { email: 'spammed@example.com', password: 'first steps here', name: '대상' },
    });
    const bodies = new Set<string>();
    for (let i = 0; i < 8; i += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/accounts/verify-email/resend',
        remoteAddress: `10.0.2.${i}`,
        payload: { email: i % 2 === 0 ? 'spammed@example.com' : 'SPAMMED@example.com' },
      });
      expect(response.statusCode).toBe(202);
      bodies.add(response.body);
    }
    expect(bodies.size).toBe(1);
    await mailboxFor('spammed@example.com', 6);
    // Every resend task has finished (the mail queue is empty): nothing more can arrive.
    await waitUntil(async () => {
      const counts = await stack.core.broker.queue('mail').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    }, 10_000, 'the mail queue drained');
    expect(await mailbox('spammed@example.com')).toHaveLength(6);
  });
});

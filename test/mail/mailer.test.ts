import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { MailPermanentError, MailTransientError, renderMail, SmtpMailer, type Mailer } from '../../src/mail/index.ts';
import { createLogger } from '../../src/log/logger.ts';
import { escapeHtml, html } from '../../src/utils/html.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { AdminClient } from '../admin/admin-client.ts';

const log = createLogger('silent');

const message = (to: string, messageId?: string) => ({
  to,
  subject: '[AInfo] 한글 제목 테스트',
  text: '안녕하세요, 본문입니다.',
  html: '<p>안녕하세요, 본문입니다.</p>',
  kind: 'test',
  ...(messageId ? { messageId } : {}),
});

describe('escapeHtml and the mail template', () => {
  it('escapes the five HTML specials and backquote', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
  });

  it('escapes interpolations in html`` but not nested safe markup', () => {
    const name = '<b>홍길동</b>';
    expect(html`<p>${name}</p>${html`<i>${name}</i>`}`.__html).toBe('<p>&lt;b&gt;홍길동&lt;/b&gt;</p><i>&lt;b&gt;홍길동&lt;/b&gt;</i>');
  });

  it('renders text and HTML from one description and refuses non-http links', () => {
    const mail = renderMail({ title: '제목', paragraphs: ['<script>alert(1)</script>님'], action: { label: '열기', url: 'https://a.example/x?t=1&u=2' } });
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;님');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('href="https://a.example/x?t=1&amp;u=2"');
    expect(mail.text).toContain('<script>alert(1)</script>님');
    expect(mail.text).toContain('열기: https://a.example/x?t=1&u=2');
    expect(() => renderMail({ title: 't', paragraphs: [], action: { label: 'x', url: 'javascript:alert(1)' } })).toThrow();
  });
});

describe('SMTP mailer against a real SMTP server', () => {
  let stack: Stack;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    stack = await startStack({ label: 'smtp', smtp: true });
    if (!stack.smtp) throw new Error('no SMTP server');
    smtp = stack.smtp;
  });

  afterAll(() => stack.stop());

  const mailer = (): Mailer => new SmtpMailer(smtp.url, 'AInfo <no-reply@ainfo.test>', log);

  it('delivers with the Korean subject intact and the given Message-ID', async () => {
    const sender = mailer();
    try {
      const result = await sender.send(message('a@example.com', '<stable.1@ainfo.test>'));
      expect(result.response).toMatch(/^250/);
      expect(result.messageId).toBe('<stable.1@ainfo.test>');
      const received = await smtp.waitForMessageTo('a@example.com');
      expect(received.subject).toBe('[AInfo] 한글 제목 테스트');
      expect(received.text.trim()).toBe('안녕하세요, 본문입니다.');
      expect(received.messageId).toBe('<stable.1@ainfo.test>');
      expect(received.from).toBe('no-reply@ainfo.test');
    } finally {
      await sender.close();
    }
  });

  it('reports a 421 reply as MailTransientError and a 550 reply as MailPermanentError with the reply', async () => {
    const sender = mailer();
    try {
      smtp.failNext(1, 421);
      const transient = await sender.send(message('b@example.com')).catch((error: unknown) => error);
      expect(transient).toBeInstanceOf(MailTransientError);
      expect((transient as MailTransientError).responseCode).toBe(421);

      smtp.rejectRecipients(['gone@example.com']);
      const permanent = await sender.send(message('gone@example.com')).catch((error: unknown) => error);
      expect(permanent).toBeInstanceOf(MailPermanentError);
      expect((permanent as MailPermanentError).responseCode).toBe(550);
      expect((permanent as MailPermanentError).reply).toMatch(/550/);
    } finally {
      smtp.reset();
      await sender.close();
    }
  });

  it('reports a refused connection as MailTransientError, and sends again once the server is back', async () => {
    const sender = mailer();
    try {
      await smtp.stop();
      const down = await sender.send(message('c@example.com')).catch((error: unknown) => error);
      expect(down).toBeInstanceOf(MailTransientError);
      await smtp.start();
      await sender.send(message('c@example.com'));
      expect(smtp.messagesTo('c@example.com')).toHaveLength(1);
    } finally {
      await sender.close();
    }
  });
});

describe('dev mailbox (SMTP_URL unset)', () => {
  let stack: Stack;
  let app: App;
  let mailbox: Mailer;

  beforeAll(async () => {
    stack = await startStack({ label: 'mailbox', database: 'postgres', env: { AUTH_RATE_LIMIT_PER_MINUTE: '1000' }, app: true });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    mailbox = stack.services.mailer;
  });

  afterAll(() => stack.stop());

  async function adminToken(): Promise<string> {
    const { accounts } = stack.services;
    await accounts.createSuperuser({ email: 'boss@example.com', password: 'correct horse battery' });
    return (await accounts.login('boss@example.com', 'correct horse battery', '127.0.0.1')).accessToken;
  }

  it('stores mail once per Message-ID and lists it to an admin only', async () => {
    expect(mailbox.kind).toBe('mailbox');
    await mailbox.send(message('new@example.com', '<same@ainfo.test>'));
    await mailbox.send(message('new@example.com', '<same@ainfo.test>'));

    expect((await app.inject({ method: 'GET', url: '/api/admin/mailbox' })).statusCode).toBe(401);
    const token = await adminToken();
    const listed = await app.inject({ method: 'GET', url: '/api/admin/mailbox?to=NEW@example.com', headers: { authorization: `Bearer ${token}` } });
    expect(listed.statusCode).toBe(200);
    const body = listed.json<{ mode: string; messages: { subject: string; to: string }[] }>();
    expect(body.mode).toBe('mailbox');
    expect(body.messages).toHaveLength(1);
    expect(body.messages[0]).toMatchObject({ subject: '[AInfo] 한글 제목 테스트', to: 'new@example.com' });
  });

  it('refuses a verified non-admin with 403', async () => {
    await stack.services.accounts.signup({ email: 'plain@example.com', password: 'quiet meadow 42', name: '보통' });
    await stack.db.sql.query('update users set email_verified_at = now() where email = $1', ['plain@example.com']);
    const { accessToken } = await stack.services.accounts.login('plain@example.com', 'quiet meadow 42', '127.0.0.1');
    const response = await app.inject({ method: 'GET', url: '/api/admin/mailbox', headers: { authorization: `Bearer ${accessToken}` } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('shows the mailbox page to a signed-in admin, in the admin layout, with the mail escaped', async () => {
    await mailbox.send({ ...message('x@example.com'), subject: '<script>alert(1)</script> 제목', text: '링크: https://ainfo.test/a?token=abc.def 끝' });
    const anonymous = await app.inject({ method: 'GET', url: '/admin/mailbox' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/admin/login?next=%2Fadmin%2Fmailbox');

    await adminToken();
    const client = new AdminClient(app);
    const login = await client.login('boss@example.com', 'correct horse battery', '/admin/mailbox');
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/admin/mailbox');

    const page = await client.get('/admin/mailbox?to=x@example.com');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('개발용 메일함');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 제목');
    expect(page.body).not.toContain('<script>alert(1)');
    const id = /href="\/admin\/mailbox\/(\d+)"/.exec(page.body)?.[1] ?? '';

    const one = await client.get(`/admin/mailbox/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).toContain('<a href="https://ainfo.test/a?token=abc.def">https://ainfo.test/a?token=abc.def</a> 끝');
    const body = await client.get(`/admin/mailbox/${id}/html`);
    expect(body.statusCode).toBe(200);
    expect(body.headers['content-security-policy']).toMatch(/^sandbox; default-src 'none'/);
    expect(body.body).toBe('<p>안녕하세요, 본문입니다.</p>');
  });
});

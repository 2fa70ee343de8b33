import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/index.ts';
import type { App } from '../../src/http/app.ts';
import { sendVerifyEmail } from '../../src/modules/accounts/index.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import type { Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';
import { appOf, PUBLIC_URL, startAccountsStack, linkIn, mailTaskId, median, pathOf, postForm, signup, tokenOf, userIdOf } from './helpers.ts';

const PASSWORD = 'blue ocean 7 waves';

describe('accounts over HTTP, with a real SMTP server and a mail worker', () => {
  let db: DatabaseHandle;
  let smtp: TestSmtpServer;
  let app: App;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startAccountsStack('accounts');
    db = stack.db;
    app = appOf(stack);
    if (!stack.smtp) throw new Error('no SMTP server');
    smtp = stack.smtp;
  });

  afterAll(() => stack.stop());

  beforeEach(() => {
    smtp.reset();
  });

  async function signupAndVerify(email: string, name = '사용자'): Promise<number> {
    const response = await signup(app, { email, name });
    expect(response.statusCode).toBe(201);
    const mail = await smtp.waitForMessageTo(email);
    const verified = await app.inject({ method: 'POST', url: '/api/accounts/verify-email', payload: { token: tokenOf(linkIn(mail, '/accounts/verify-email')) } });
    expect(verified.statusCode).toBe(200);
    return userIdOf(db, email);
  }

  async function login(email: string, password = PASSWORD) {
    return app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email, password } });
  }

  it('signs up, mails a link over SMTP to a page whose button verifies the address, then logs in', async () => {
    const response = await signup(app, { email: 'Kim@Example.com', name: '김민지', noticeConsent: true });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ status: 'accepted', email: 'Kim@Example.com', message: expect.stringContaining('인증 메일') as unknown });

    const notYet = await login('kim@example.com');
    expect(notYet.statusCode).toBe(403);
    expect(notYet.json()).toMatchObject({ error: { code: 'EMAIL_NOT_VERIFIED' } });

    const mail = await smtp.waitForMessageTo('Kim@Example.com');
    expect(mail.subject).toBe('[AInfo] 이메일 주소를 인증해 주세요');
    expect(mail.html).toContain('김민지님');
    expect(mail.text).toContain('24시간 동안 한 번만');
    const link = linkIn(mail, '/accounts/verify-email');
    expect(link.startsWith(`${PUBLIC_URL}/accounts/verify-email?token=`)).toBe(true);
    expect(mail.html).toContain(link.replaceAll('&', '&amp;'));

    const page = await app.inject({ method: 'GET', url: pathOf(link) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toContain("script-src 'none'");
    expect(page.body).toContain('<html lang="ko">');
    const done = await postForm(app, '/accounts/verify-email', { token: tokenOf(link) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('이메일 인증이 완료되었습니다');

    const loggedIn = await login('KIM@example.com');
    expect(loggedIn.statusCode).toBe(200);
    const { accessToken, refreshToken, tokenType } = loggedIn.json<{ accessToken: string; refreshToken: string; tokenType: string }>();
    expect(tokenType).toBe('Bearer');
    expect(accessToken.split('.')).toHaveLength(3);
    expect(refreshToken).toBeTruthy();
    const me = await app.inject({ method: 'GET', url: '/api/accounts/me', headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'Kim@Example.com', emailVerified: true, isAdmin: false });
  });

  it('verifies nothing when the mailed link is only opened (a mail scanner): the button on the page posts the token', async () => {
    await signup(app, { email: 'scanned@example.com', name: '박스캔' });
    const link = linkIn(await smtp.waitForMessageTo('scanned@example.com'), '/accounts/verify-email');
    for (let visit = 0; visit < 2; visit += 1) {
      const page = await app.inject({ method: 'GET', url: pathOf(link) });
      expect(page.statusCode).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('<form method="post" action="/accounts/verify-email">');
      expect(page.body).toContain(`name="token" value="${tokenOf(link)}"`);
      expect(page.body).toContain('이메일 인증하기</button>');
      expect(page.body).not.toContain('이메일 인증이 완료되었습니다');
    }
    const head = await app.inject({ method: 'HEAD', url: pathOf(link) });
    expect(head.statusCode).toBe(200);
    const [before] = await db.sql.query<{ email_verified_at: Date | null }>('select email_verified_at from users where email = $1', ['scanned@example.com']);
    expect(before?.email_verified_at).toBeNull();

    const pressed = await postForm(app, '/accounts/verify-email', { token: tokenOf(link) });
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain('이메일 인증이 완료되었습니다');
    expect(pressed.body).toContain('박스캔님');
    const again = await app.inject({ method: 'GET', url: pathOf(link) });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('이미 사용된 링크입니다');
    const repost = await postForm(app, '/accounts/verify-email', { token: tokenOf(link) });
    expect(repost.statusCode).toBe(410);
  });

  it('answers signup without waiting for SMTP (a 2 s server)', async () => {
    smtp.delayMs = 2_000;
    const response = await signup(app, { email: 'fast@example.com' });
    expect(response.statusCode).toBe(201);
    // Had signup waited for the send, the server would hold the message by now.
    expect(smtp.messagesTo('fast@example.com')).toHaveLength(0);
    const mail = await smtp.waitForMessageTo('fast@example.com', 15_000);
    expect(mail.subject).toContain('인증');
  });

  it('answers a taken address like a new one, 201 with the same body, and mails its owner instead', async () => {
    const first = await signup(app, { email: 'dup@example.com', name: '먼저 가입' });
    expect(first.statusCode).toBe(201);
    await smtp.waitForMessageTo('dup@example.com');
    const again = await signup(app, { email: 'DUP@example.com', name: '다른 사람' });
    expect(again.statusCode).toBe(201);
    const fresh = await signup(app, { email: 'DUP-fresh@example.com', name: '다른 사람' });
    const shape = (body: string): unknown => ({ ...(JSON.parse(body) as Record<string, unknown>), email: '(address)' });
    expect(shape(again.body)).toEqual(shape(fresh.body));
    expect(again.json()).toEqual({ status: 'accepted', email: 'DUP@example.com', message: expect.stringContaining('메일') as unknown });

    await smtp.waitFor(() => smtp.messagesTo('dup@example.com').length === 2);
    const notice = smtp.messagesTo('dup@example.com').find((mail) => mail.subject.includes('이미 가입된 계정'));
    if (!notice) throw new Error('no account-exists mail');
    expect(notice.subject).toBe('[AInfo] 이미 가입된 계정이 있습니다');
    expect(notice.text).toContain('먼저 가입님');
    expect(notice.text).not.toContain('다른 사람');
    expect(notice.text).toContain(`${PUBLIC_URL}/accounts/password-reset/request`);
    expect(notice.text).toContain(`${PUBLIC_URL}/login`);
    expect(notice.html).toContain(`href="${PUBLIC_URL}/accounts/password-reset/request"`);
    const form = await app.inject({ method: 'GET', url: '/accounts/password-reset/request' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<form method="post" action="/accounts/password-reset/request">');
    const users = await db.sql.query<{ name: string }>('select name from users where lower(email) = $1', ['dup@example.com']);
    expect(users).toEqual([{ name: '먼저 가입' }]);
  });

  it('mails the owner of a taken address at most 5 times an hour, and answers the same in similar time', async () => {
    await signup(app, { email: 'often@example.com' });
    await smtp.waitForMessageTo('often@example.com');
    const taken: number[] = [];
    const fresh: number[] = [];
    const timeOf = async (email: string): Promise<number> => {
      const started = process.hrtime.bigint();
      expect((await signup(app, { email })).statusCode).toBe(201);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let round = 0; round < 7; round += 1) {
      taken.push(await timeOf('often@example.com'));
      fresh.push(await timeOf(`often-${round}@example.com`));
    }
    // Both hash the password (scrypt, hundreds of ms); a taken address that skipped it would answer
    // in a few ms. The margin is wide for a loaded machine and still far below one hash.
    const [takenMs, freshMs] = [median(taken), median(fresh)];
    expect(Math.abs(takenMs - freshMs)).toBeLessThan(Math.max(100, 0.5 * Math.max(takenMs, freshMs)));
    await smtp.waitFor(() => smtp.messagesTo('often@example.com').length === 6);
    // Every mail task has finished (the mail queue is empty): nothing more can arrive.
    await waitUntil(async () => {
      const counts = await stack.core.broker.queue('mail').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    }, 15_000, 'the mail queue drained');
    expect(smtp.messagesTo('often@example.com').filter((mail) => mail.subject.includes('이미 가입된 계정'))).toHaveLength(5);
  });

  it('sends the account-exists mail once per task, however often the task runs', async () => {
    await signup(app, { email: 'exists-once@example.com' });
    await signup(app, { email: 'exists-once@example.com' });
    const userId = await userIdOf(db, 'exists-once@example.com');
    const taskId = await mailTaskId(db, userId, 'account-exists');
    await stack.core.results.wait(taskId, { timeoutMs: 10_000 });
    expect(await stack.services.accounts.deliverAccountExistsEmail(userId, taskId)).toEqual({ status: 'skipped', reason: 'already-sent' });
    await smtp.waitFor(() => smtp.messagesTo('exists-once@example.com').length === 2);
    expect(smtp.messagesTo('exists-once@example.com').filter((mail) => mail.subject.includes('이미 가입된 계정'))).toHaveLength(1);
  });

  it('shows opaque ids only: /me, the access token and the admin users list never carry the sequential id', async () => {
    const userId = await signupAndVerify('opaque@example.com', '불투명');
    const [{ public_id: publicId } = { public_id: '' }] = await db.sql.query<{ public_id: string }>('select public_id::text from users where id = $1', [userId]);
    expect(publicId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const { accessToken } = (await login('opaque@example.com')).json<{ accessToken: string }>();
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as { sub: string };
    expect(claims.sub).toBe(publicId);
    const me = await app.inject({ method: 'GET', url: '/api/accounts/me', headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.json()).toMatchObject({ id: publicId, email: 'opaque@example.com' });
    expect(me.body).not.toMatch(new RegExp(`"id":${userId}\\b`));

    await stack.services.accounts.createSuperuser({ email: 'opaque-admin@example.com', password: PASSWORD, name: '관리자' });
    const adminToken = (await login('opaque-admin@example.com')).json<{ accessToken: string }>().accessToken;
    const list = await app.inject({ method: 'GET', url: '/api/admin/users?q=opaque', headers: { authorization: `Bearer ${adminToken}` } });
    const items = list.json<{ items: { id: unknown; email: string }[] }>().items;
    expect(items.find((item) => item.email === 'opaque@example.com')?.id).toBe(publicId);
    for (const item of items) expect(typeof item.id).toBe('string');
    const notice = await app.inject({ method: 'POST', url: '/api/admin/notices', headers: { authorization: `Bearer ${adminToken}` }, payload: { title: '누가 썼나', content: '내용' } });
    const [{ public_id: adminPublicId } = { public_id: '' }] = await db.sql.query<{ public_id: string }>('select public_id::text from users where email = $1', ['opaque-admin@example.com']);
    expect(notice.json<{ createdBy: unknown }>().createdBy).toBe(adminPublicId);
  });

  it('names the field of a bad e-mail, a weak password and a missing name with 400', async () => {
    const badEmail = await signup(app, { email: 'not-an-address' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field)).toEqual(['email']);

    for (const password of ['12345678', 'Passw0rd!', 'qwerty12']) {
      const weak = await signup(app, { email: 'weak@example.com', password });
      expect(weak.statusCode, password).toBe(400);
      expect(weak.json(), password).toMatchObject({ error: { code: 'WEAK_PASSWORD', fields: [{ field: 'password', message: expect.stringMatching(/[가-힣]/) as unknown }] } });
    }

    const noName = await signup(app, { email: 'noname@example.com', name: '  ' });
    expect(noName.statusCode).toBe(400);
    expect(noName.json<{ error: { fields: { field: string }[] } }>().error.fields.map((f) => f.field)).toEqual(['name']);
  });

  it('refuses a name that is not one plain line: a link, a domain, an address, a line break or a direction mark', async () => {
    const names = ['https://evil.example', 'www.evil.example 고객센터', '고객센터 evil.co.kr', 'evil。com', 'help@evil.example', '홍길동\n보안팀', '\u202e동길홍'];
    for (const name of names) {
      const response = await signup(app, { email: `name-${names.indexOf(name)}@example.com`, name });
      expect(response.statusCode, name).toBe(400);
      const body = response.json<{ error: { fields: { field: string; message: string }[] } }>();
      expect(body.error.fields.map((f) => f.field), name).toEqual(['name']);
      expect(body.error.fields[0]?.message, name).toMatch(/[가-힣]/);
    }
    for (const name of ['김민지', 'Kim Min-ji', "O'Brien J.", '이 수']) {
      expect((await signup(app, { email: `ok-name-${name.length}-${name.charCodeAt(0)}@example.com`, name })).statusCode, name).toBe(201);
    }
  });

  it('gives the same 401 for an unknown address and a wrong password', async () => {
    await signupAndVerify('known@example.com');
    const wrong = await login('known@example.com', 'not the password');
    const unknown = await login('nobody@example.com', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
  });

  it('rejects a reused token with 410, a forged, tampered or wrong-purpose one with 400, an expired one with 410', async () => {
    const response = await signup(app, { email: 'tokens@example.com' });
    const userId = await userIdOf(db, response.json<{ email: string }>().email);
    const token = tokenOf(linkIn(await smtp.waitForMessageTo('tokens@example.com'), '/accounts/verify-email'));
    const [selector, secret] = token.split('.') as [string, string];

    const forged = await app.inject({ method: 'POST', url: '/api/accounts/verify-email', payload: { token: `${'A'.repeat(16)}.${'B'.repeat(43)}` } });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    const tampered = `${selector}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect((await app.inject({ method: 'POST', url: '/api/accounts/verify-email', payload: { token: tampered } })).statusCode).toBe(400);
    const wrongPurpose = await app.inject({ method: 'POST', url: '/api/accounts/password-reset/confirm', payload: { token, newPassword: 'green forest 42' } });
    expect(wrongPurpose.statusCode).toBe(400);
    expect(wrongPurpose.json()).toMatchObject({ error: { code: 'TOKEN_INVALID' } });
    const garbage = await app.inject({ method: 'GET', url: '/accounts/verify-email?token=%3Cscript%3E' });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.body).toContain('유효하지 않은 링크입니다');
    expect(garbage.body).toContain('action="/accounts/verify-email/resend"');

    await db.sql.query(`update account_tokens set expires_at = now() - interval '1 second' where selector = $1`, [selector]);
    const expired = await app.inject({ method: 'GET', url: `/accounts/verify-email?token=${token}` });
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('유효 기간이 지났습니다');
    const users = await db.sql.query<{ email_verified_at: Date | null }>('select email_verified_at from users where id = $1', [userId]);
    expect(users[0]?.email_verified_at).toBeNull();

    await db.sql.query(`update account_tokens set expires_at = now() + interval '1 hour' where selector = $1`, [selector]);
    expect((await app.inject({ method: 'POST', url: '/api/accounts/verify-email', payload: { token } })).statusCode).toBe(200);
    const reused = await app.inject({ method: 'POST', url: '/api/accounts/verify-email', payload: { token } });
    expect(reused.statusCode).toBe(410);
    expect(reused.json()).toMatchObject({ error: { code: 'TOKEN_USED' } });
    const stored = await db.sql.query<{ verifier_hash: string }>('select verifier_hash from account_tokens where selector = $1', [selector]);
    expect(stored[0]?.verifier_hash).not.toContain(secret);
  });

  it('answers resend and reset the same whether or not the address exists, in similar time', async () => {
    await signup(app, { email: 'unverified@example.com' });
    await signupAndVerify('verified@example.com');
    const post = (url: string, email: string) => app.inject({ method: 'POST', url, payload: { email } });

    const resend = await Promise.all(
      ['unverified@example.com', 'verified@example.com', 'ghost@example.com'].map((email) => post('/api/accounts/verify-email/resend', email)),
    );
    const reset = await Promise.all(['verified@example.com', 'ghost@example.com'].map((email) => post('/api/accounts/password-reset', email)));
    for (const responses of [resend, reset]) {
      expect(new Set(responses.map((r) => r.statusCode))).toEqual(new Set([202]));
      expect(new Set(responses.map((r) => r.body)).size).toBe(1);
    }
    await smtp.waitFor(() => smtp.messagesTo('unverified@example.com').length === 2);
    await smtp.waitFor(() => smtp.messagesTo('verified@example.com').some((m) => m.subject.includes('비밀번호')));

    const timeOf = async (email: string): Promise<number> => {
      const started = process.hrtime.bigint();
      await post('/api/accounts/password-reset', email);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      known.push(await timeOf('verified@example.com'));
      unknown.push(await timeOf(`ghost-${round}@example.com`));
    }
    // The known address costs one extra enqueue (~1 ms); allow for the noise of a shared machine.
    const [knownMs, unknownMs] = [median(known), median(unknown)];
    expect(Math.abs(knownMs - unknownMs)).toBeLessThan(Math.max(20, 0.5 * Math.max(knownMs, unknownMs)));
  });

  it('resets a password from the mailed form: the token, every other reset token and every session die', async () => {
    await signupAndVerify('reset@example.com', '재설정');
    const session = (await login('reset@example.com')).json<{ accessToken: string; refreshToken: string }>();

    await app.inject({ method: 'POST', url: '/api/accounts/password-reset', payload: { email: 'reset@example.com' } });
    await app.inject({ method: 'POST', url: '/api/accounts/password-reset', payload: { email: 'reset@example.com' } });
    await smtp.waitFor(() => smtp.messagesTo('reset@example.com').filter((m) => m.subject.includes('비밀번호')).length === 2);
    const [first, second] = smtp
      .messagesTo('reset@example.com')
      .filter((m) => m.subject.includes('비밀번호'))
      .map((m) => linkIn(m, '/accounts/password-reset')) as [string, string];
    expect(first.startsWith(`${PUBLIC_URL}/accounts/password-reset?token=`)).toBe(true);
    expect(smtp.messagesTo('reset@example.com').find((m) => m.subject.includes('비밀번호'))?.text).toContain('1시간 동안 한 번만');

    const form = await app.inject({ method: 'GET', url: pathOf(first) });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<form method="post" action="/accounts/password-reset">');
    expect(form.body).toContain(`name="token" value="${tokenOf(first)}"`);
    expect(form.body).not.toContain('<script');

    const mismatch = await postForm(app, '/accounts/password-reset', { token: tokenOf(first), newPassword: 'green forest 42', newPasswordConfirm: 'other' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('두 비밀번호가 같지 않습니다');

    const done = await postForm(app, '/accounts/password-reset', { token: tokenOf(first), newPassword: 'green forest 42', newPasswordConfirm: 'green forest 42' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('비밀번호를 바꿨습니다');

    expect((await login('reset@example.com')).statusCode).toBe(401);
    expect((await login('reset@example.com', 'green forest 42')).statusCode).toBe(200);
    const oldAccess = await app.inject({ method: 'GET', url: '/api/accounts/me', headers: { authorization: `Bearer ${session.accessToken}` } });
    expect(oldAccess.statusCode).toBe(401);
    const oldRefresh = await app.inject({ method: 'POST', url: '/api/accounts/token/refresh', payload: { refreshToken: session.refreshToken } });
    expect(oldRefresh.statusCode).toBe(401);

    for (const link of [first, second]) {
      const again = await app.inject({ method: 'POST', url: '/api/accounts/password-reset/confirm', payload: { token: tokenOf(link), newPassword: 'yellow sun 99' } });
      expect(again.statusCode).toBe(410);
      expect(again.json()).toMatchObject({ error: { code: 'TOKEN_USED' } });
    }
    const page = await app.inject({ method: 'GET', url: pathOf(second) });
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('이미 사용된 링크입니다');
  });

  it('names newPassword when the new password is weak', async () => {
    await signupAndVerify('weakreset@example.com');
    await app.inject({ method: 'POST', url: '/api/accounts/password-reset', payload: { email: 'weakreset@example.com' } });
    await smtp.waitFor(() => smtp.messagesTo('weakreset@example.com').length === 2);
    const resetMail = smtp.messagesTo('weakreset@example.com').find((m) => m.subject.includes('비밀번호'));
    if (!resetMail) throw new Error('no reset mail');
    const link = linkIn(resetMail, '/accounts/password-reset');
    const weak = await app.inject({ method: 'POST', url: '/api/accounts/password-reset/confirm', payload: { token: tokenOf(link), newPassword: 'password' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: { code: 'WEAK_PASSWORD', fields: [{ field: 'newPassword' }] } });
  });

  it('rotates refresh tokens and revokes every session when a used one comes back', async () => {
    await signupAndVerify('refresh@example.com');
    const first = (await login('refresh@example.com')).json<{ refreshToken: string }>();
    const rotated = await app.inject({ method: 'POST', url: '/api/accounts/token/refresh', payload: { refreshToken: first.refreshToken } });
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json<{ accessToken: string; refreshToken: string }>();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const me = () => app.inject({ method: 'GET', url: '/api/accounts/me', headers: { authorization: `Bearer ${second.accessToken}` } });
    expect((await me()).statusCode).toBe(200);

    const replay = await app.inject({ method: 'POST', url: '/api/accounts/token/refresh', payload: { refreshToken: first.refreshToken } });
    expect(replay.statusCode).toBe(401);
    expect((await me()).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/accounts/token/refresh', payload: { refreshToken: second.refreshToken } })).statusCode).toBe(401);
  });

  it('refuses missing, malformed and tampered access tokens with 401', async () => {
    await signupAndVerify('jwt@example.com');
    const { accessToken } = (await login('jwt@example.com')).json<{ accessToken: string }>();
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    for (const authorization of [undefined, 'Bearer', 'Basic abc', `Bearer ${header}.${forgedPayload}.${signature}`, `Bearer ${noneHeader}.${payload}.`]) {
      const response = await app.inject({ method: 'GET', url: '/api/accounts/me', headers: authorization ? { authorization } : {} });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('never puts the Host header into a link, and escapes HTML in the name', async () => {
    const name = '<img src=x onerror=alert(1)>"&\'';
    const response = await signup(app, { email: 'evil@example.com', name }, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    expect(response.statusCode).toBe(201);
    await app.inject({ method: 'POST', url: '/api/accounts/password-reset', headers: { host: 'evil.example' }, payload: { email: 'evil@example.com' } });
    await smtp.waitFor(() => smtp.messagesTo('evil@example.com').length === 2);
    for (const mail of smtp.messagesTo('evil@example.com')) {
      expect(mail.text).not.toContain('evil.example');
      expect(mail.html).not.toContain('evil.example');
      expect(mail.html).not.toContain('<img src=x');
    }
    const verifyMail = smtp.messagesTo('evil@example.com').find((m) => m.subject.includes('인증'));
    expect(verifyMail?.html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#39;님');
  });

  it('retries after a 421 and delivers exactly one mail', async () => {
    smtp.failNext(1, 421);
    const attemptsBefore = smtp.dataAttempts;
    const response = await signup(app, { email: 'retry@example.com' });
    const userId = await userIdOf(db, response.json<{ email: string }>().email);
    const taskId = await mailTaskId(db, userId, 'verify-email');
    const result = await stack.core.results.wait(taskId, { timeoutMs: 15_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2, result: { status: 'sent' } });
    expect(smtp.dataAttempts - attemptsBefore).toBe(2);
    expect(smtp.messagesTo('retry@example.com')).toHaveLength(1);
  });

  it('fails the task at once on a 550, records the reply, and does not retry', async () => {
    smtp.rejectRecipients(['bounce@example.com'], 550, 'No such user here');
    const response = await signup(app, { email: 'bounce@example.com' });
    const userId = await userIdOf(db, response.json<{ email: string }>().email);
    const taskId = await mailTaskId(db, userId, 'verify-email');
    const result = await stack.core.results.wait(taskId, { timeoutMs: 15_000 });
    expect(result.state).toBe('FAILURE');
    expect(result.attempts).toBe(1);
    expect(result.error).toMatch(/550.*No such user here/);
    const outbox = await db.sql.query<{ status: string; last_error: string; attempts: number }>(
      'select status, last_error, attempts from mail_outbox where dedupe_key = $1',
      [taskId],
    );
    expect(outbox[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outbox[0]?.last_error).toMatch(/550/);
    expect(smtp.messagesTo('bounce@example.com')).toHaveLength(0);
  });

  it('never sends a logical mail twice once the acceptance is recorded', async () => {
    const response = await signup(app, { email: 'once@example.com' });
    const userId = await userIdOf(db, response.json<{ email: string }>().email);
    await smtp.waitForMessageTo('once@example.com');
    const taskId = await mailTaskId(db, userId, 'verify-email');
    await stack.core.results.wait(taskId, { timeoutMs: 10_000 });
    // What a retry of the same task (same id) does after the send was recorded:
    const again = await stack.services.accounts.deliverVerifyEmail(userId, taskId);
    expect(again).toEqual({ status: 'skipped', reason: 'already-sent' });
    expect(smtp.messagesTo('once@example.com')).toHaveLength(1);
    const stored = smtp.messagesTo('once@example.com')[0];
    expect(stored?.messageId).toMatch(/^<verify-email\.[0-9a-f]{32}@ainfo\.test>$/);
  });

  it('completes without sending for a user that is gone or already verified', async () => {
    const before = smtp.messages.length;
    const gone = await stack.core.broker.enqueue(sendVerifyEmail, { userId: 987_654_321 });
    expect(await stack.core.results.wait(gone.id, { timeoutMs: 10_000 })).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'skipped', reason: 'user-missing' },
    });
    const verifiedId = await signupAndVerify('already@example.com');
    const sent = smtp.messages.length;
    const again = await stack.core.broker.enqueue(sendVerifyEmail, { userId: verifiedId });
    expect(await stack.core.results.wait(again.id, { timeoutMs: 10_000 })).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'skipped', reason: 'already-verified' },
    });
    expect(smtp.messages.length).toBe(sent);
    expect(sent).toBe(before + 1);
  });
});

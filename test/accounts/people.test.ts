import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/index.ts';
import type { App } from '../../src/http/app.ts';
import { sendAccountExistsEmail, sendResetPasswordEmail, sendVerifyEmail } from '../../src/modules/accounts/index.ts';
import { AdminClient as Browser } from '../admin/admin-client.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import type { Stack } from '../helpers/stack.ts';
import { startStack } from '../helpers/stack.ts';
import { appOf, linkIn, pathOf, PUBLIC_URL, tokenOf, userIdOf } from './helpers.ts';

const PASSWORD = 'blue ocean 7 waves';
const NEW_PASSWORD = 'quiet river 9 stones';

describe('the people’s side: pages, page sessions and /api/accounts/me (PostgreSQL, Redis, SMTP)', () => {
  let stack: Stack;
  let app: App;
  let db: DatabaseHandle;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    // The account mails only: notice deliveries (also on the mail queue) stay queued, so what deletion does to them is seen.
    stack = await startStack({
      label: 'people',
      database: 'postgres',
      smtp: true,
      env: { PUBLIC_URL, AUTH_RATE_LIMIT_PER_MINUTE: '10000', MAIL_FROM: 'AInfo <no-reply@ainfo.test>' },
      app: true,
      worker: { queues: ['mail'], tasks: [sendVerifyEmail, sendAccountExistsEmail, sendResetPasswordEmail] },
    });
    app = appOf(stack);
    db = stack.db;
    if (!stack.smtp) throw new Error('no SMTP server');
    smtp = stack.smtp;
  });

  afterAll(() => stack.stop());

  beforeEach(() => {
    smtp.reset();
  });

  /** Signs up through the API and verifies through the mailed link; returns the internal id. */
  async function verifiedUser(email: string, noticeConsent = false): Promise<number> {
    const response = await app.inject({ method: 'POST', url: '/api/accounts/signup', payload: { email, password: PASSWORD, name: '이서연', noticeConsent } });
    expect(response.statusCode).toBe(201);
    const mail = await smtp.waitForMessageTo(email);
    const verified = await app.inject({ method: 'POST', url: '/api/accounts/verify-email', payload: { token: tokenOf(linkIn(mail, '/accounts/verify-email')) } });
    expect(verified.statusCode).toBe(200);
    return userIdOf(db, email);
  }

  async function bearer(email: string, password = PASSWORD): Promise<string> {
    const response = await app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email, password } });
    expect(response.statusCode).toBe(200);
    return `Bearer ${(response.json<{ accessToken: string }>()).accessToken}`;
  }

  async function pageLogin(browser: Browser, email: string, password = PASSWORD, next = '/me') {
    const page = await browser.get(`/login?next=${encodeURIComponent(next)}`);
    return browser.post('/login', { _csrf: Browser.csrfOf(page.body), email, password, next });
  }

  it('answers / with the home page: search and ask boxes, the ways in, under the strict CSP', async () => {
    const home = await app.inject('/');
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toContain('text/html');
    expect(home.headers['content-security-policy']).toContain("script-src 'none'");
    expect(home.body).toContain('action="/policies"');
    expect(home.body).toContain('action="/ask"');
    expect(home.body).toContain('href="/signup"');
    expect(home.body).toContain('href="/login"');
  });

  it('signs up, verifies and logs in through the pages, then sets the profile that fills the search, toggles notices and logs out', async () => {
    const browser = new Browser(app, '10.1.0.1');
    const form = await browser.get('/signup');
    expect(form.statusCode).toBe(200);
    // A post without the form's token (another site's form) is refused.
    const forged = await new Browser(app, '10.1.0.2').post('/signup', { email: 'x@example.com', name: '엑스', password: PASSWORD, passwordConfirm: PASSWORD });
    expect(forged.statusCode).toBe(403);
    const mismatch = await browser.post('/signup', { _csrf: Browser.csrfOf(form.body), email: 'minsu@example.com', name: '박민수', password: PASSWORD, passwordConfirm: 'other' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('두 비밀번호가 같지 않습니다.');
    const signed = await browser.post('/signup', {
      _csrf: Browser.csrfOf(mismatch.body),
      email: 'minsu@example.com',
      name: '박민수',
      password: PASSWORD,
      passwordConfirm: PASSWORD,
      noticeConsent: 'on',
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toContain('메일함을 확인해 주세요');

    const early = await pageLogin(browser, 'minsu@example.com');
    expect(early.statusCode).toBe(403);
    expect(early.body).toContain('이메일 인증을 마친 뒤');

    const mail = await smtp.waitForMessageTo('minsu@example.com');
    const token = tokenOf(linkIn(mail, '/accounts/verify-email'));
    expect((await browser.get(pathOf(linkIn(mail, '/accounts/verify-email')))).statusCode).toBe(200);
    const verified = await browser.post('/accounts/verify-email', { token });
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('href="/login"');

    const wrong = await pageLogin(browser, 'minsu@example.com', 'not the password');
    expect(wrong.statusCode).toBe(401);
    const login = await pageLogin(browser, 'minsu@example.com');
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/me');
    const setCookie = [login.headers['set-cookie']].flat().find((value) => value?.startsWith('ainfo_session=')) ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    // PUBLIC_URL is https here.
    expect(setCookie).toMatch(/Secure/);

    const me = await browser.get('/me');
    expect(me.statusCode).toBe(200);
    expect(me.body).toContain('박민수님 (minsu@example.com)');
    expect(me.body).toContain('지금 공지 메일을 받고 있습니다.');
    const csrf = Browser.csrfOf(me.body);

    const bad = await browser.post('/me/profile', { _csrf: csrf, name: '박민수', birthYear: '19x9', regionSido: '부산', regionSigungu: '서울 강남구', situation: 'job-seeking' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('시군구가 고른 시도에 속하지 않습니다.');
    const badYear = await browser.post('/me/profile', { _csrf: csrf, name: '박민수', birthYear: '19x9', regionSido: '', regionSigungu: '', situation: '' });
    expect(badYear.statusCode).toBe(400);
    expect(badYear.body).toContain('출생 연도는 숫자로 입력해 주세요.');
    expect(badYear.body).toContain('value="19x9"');
    const saved = await browser.post('/me/profile', { _csrf: csrf, name: '박민수', birthYear: '1999', regionSido: '', regionSigungu: '서울 강남구', situation: 'job-seeking' });
    expect(saved.statusCode).toBe(303);
    const userId = await userIdOf(db, 'minsu@example.com');
    expect(await stack.services.accounts.profiles.forUser(userId)).toEqual({ birthYear: 1999, regionSido: '서울', regionSigungu: '강남구', situation: 'job-seeking' });

    // The search page opens with the profile's age and region, says so, and offers to drop them.
    const search = await browser.get('/policies');
    expect(search.headers['cache-control']).toBe('no-store');
    expect(search.body).toContain('data-testid="profile-filters"');
    expect(search.body).toMatch(/<option value="서울" selected>/);
    expect(search.body).toMatch(/<option value="서울 강남구" selected>/);
    expect(search.body).toContain('조건 없이 검색');
    const cleared = await browser.get('/policies?q=&age=&sido=');
    expect(cleared.body).not.toContain('data-testid="profile-filters"');
    const anonymous = await app.inject('/policies');
    expect(anonymous.body).not.toContain('data-testid="profile-filters"');

    const off = await browser.post('/me/notices', { _csrf: csrf, noticeConsent: 'off' });
    expect(off.statusCode).toBe(303);
    expect((await browser.get('/me')).body).toContain('지금 공지 메일을 받지 않습니다.');
    expect((await browser.post('/me/notices', { _csrf: csrf, noticeConsent: 'on' })).statusCode).toBe(303);
    expect((await stack.services.accounts.getMe(userId)).noticeConsent).toBe(true);
    expect((await browser.post('/me/notices', { _csrf: 'stale', noticeConsent: 'off' })).statusCode).toBe(403);

    // Logging out ends the session on the server: the old cookie, replayed, opens nothing.
    const stolen = new Browser(app, '10.1.0.3');
    for (const [name, value] of browser.cookies) stolen.cookies.set(name, value);
    const out = await browser.post('/logout', { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect((await browser.get('/me')).statusCode).toBe(303);
    const replay = await stolen.get('/me');
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/login?next=%2Fme');
  });

  it('serves /api/accounts/me to a bearer token and to the page session, which must send X-CSRF-Token to change anything', async () => {
    await verifiedUser('api@example.com');
    const auth = await bearer('api@example.com');
    const me = await app.inject({ url: '/api/accounts/me', headers: { authorization: auth } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'api@example.com', birthYear: null, regionSido: null, regionSigungu: null, situation: null });

    const invalid = await app.inject({
      method: 'PATCH',
      url: '/api/accounts/me',
      headers: { authorization: auth },
      payload: { birthYear: 1850, regionSido: '서울', regionSigungu: '해운대구', situation: 'astronaut' },
    });
    expect(invalid.statusCode).toBe(400);
    const fields = invalid.json<{ error: { fields: { field: string; message: string }[] } }>().error.fields.map((field) => field.field);
    expect(fields).toEqual(expect.arrayContaining(['birthYear', 'situation']));
    const region = await app.inject({ method: 'PATCH', url: '/api/accounts/me', headers: { authorization: auth }, payload: { regionSido: '서울', regionSigungu: '해운대구' } });
    expect(region.statusCode).toBe(400);
    expect(region.json()).toMatchObject({ error: { fields: [{ field: 'regionSigungu', message: '해운대구은(는) 서울특별시에 속하지 않습니다. 목록에서 골라 주세요.' }] } });
    const unknown = await app.inject({ method: 'PATCH', url: '/api/accounts/me', headers: { authorization: auth }, payload: { isAdmin: true } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json())).toContain('알 수 없는 항목입니다: isAdmin');
    const name = await app.inject({ method: 'PATCH', url: '/api/accounts/me', headers: { authorization: auth }, payload: { name: 'evil.example.com' } });
    expect(name.json()).toMatchObject({ error: { fields: [{ field: 'name' }] } });

    const patched = await app.inject({
      method: 'PATCH',
      url: '/api/accounts/me',
      headers: { authorization: auth },
      payload: { birthYear: 2001, regionSido: '부산광역시', regionSigungu: '해운대구', situation: 'student', noticeConsent: true },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ birthYear: 2001, regionSido: '부산', regionSigungu: '해운대구', situation: 'student', noticeConsent: true });
    // A new 시도 alone clears the 시군구 of the old one; null empties a field.
    const moved = await app.inject({ method: 'PATCH', url: '/api/accounts/me', headers: { authorization: auth }, payload: { regionSido: '대구', birthYear: null } });
    expect(moved.json()).toMatchObject({ regionSido: '대구', regionSigungu: null, birthYear: null, situation: 'student' });

    const browser = new Browser(app, '10.1.0.4');
    expect((await pageLogin(browser, 'api@example.com')).statusCode).toBe(303);
    const viaCookie = await app.inject({ url: '/api/accounts/me', headers: { cookie: browser.cookie } });
    expect(viaCookie.json()).toMatchObject({ email: 'api@example.com' });
    const noToken = await app.inject({ method: 'PATCH', url: '/api/accounts/me', headers: { cookie: browser.cookie }, payload: { situation: 'employed' } });
    expect(noToken.statusCode).toBe(403);
    const csrf = await browser.csrf('/me');
    const withToken = await app.inject({ method: 'PATCH', url: '/api/accounts/me', headers: { cookie: browser.cookie, 'x-csrf-token': csrf }, payload: { situation: 'employed' } });
    expect(withToken.json()).toMatchObject({ situation: 'employed' });
    expect((await app.inject({ url: '/api/accounts/me' })).statusCode).toBe(401);
  });

  it('changes the password only with the current one and a strong new one, ending every other session', async () => {
    await verifiedUser('pw@example.com');
    const auth = await bearer('pw@example.com');
    const browser = new Browser(app, '10.1.0.5');
    expect((await pageLogin(browser, 'pw@example.com')).statusCode).toBe(303);

    const wrong = await app.inject({ method: 'POST', url: '/api/accounts/me/password', headers: { authorization: auth }, payload: { currentPassword: 'nope nope', newPassword: NEW_PASSWORD } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { code: 'WRONG_PASSWORD', fields: [{ field: 'currentPassword' }] } });
    const weak = await app.inject({ method: 'POST', url: '/api/accounts/me/password', headers: { authorization: auth }, payload: { currentPassword: PASSWORD, newPassword: 'password1' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: { code: 'WEAK_PASSWORD', fields: [{ field: 'newPassword' }] } });

    const changed = await app.inject({ method: 'POST', url: '/api/accounts/me/password', headers: { authorization: auth }, payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } });
    expect(changed.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/accounts/me', headers: { authorization: auth } })).statusCode).toBe(401);
    expect((await browser.get('/me')).statusCode).toBe(303);
    await bearer('pw@example.com', NEW_PASSWORD);

    // Through the page, the browser that changed it stays signed in with a new session.
    expect((await pageLogin(browser, 'pw@example.com', NEW_PASSWORD)).statusCode).toBe(303);
    const csrf = await browser.csrf('/me');
    const page = await browser.post('/me/password', { _csrf: csrf, currentPassword: NEW_PASSWORD, newPassword: PASSWORD, newPasswordConfirm: PASSWORD });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/me?msg=password-changed');
    expect((await browser.get('/me?msg=password-changed')).body).toContain('비밀번호를 바꿨습니다.');
  });

  it('deletes the account with its password: the user, their mails and their pending notice deliveries go, and nothing more is sent', async () => {
    const userId = await verifiedUser('bye@example.com', true);
    const other = await verifiedUser('stay@example.com', true);
    const notice = await stack.services.notifications.createNotice({ title: '새 정책 안내', content: '청년 월세 지원이 시작됩니다.' }, null);
    // The snapshot and the delivery tasks, with no worker on the notices queue: every delivery stays pending.
    await stack.services.notifications.broadcast(notice.id, '운영자');
    const before = (await stack.services.notifications.getNotice(notice.id)).deliveries;
    expect(before.pending).toBe(before.total);
    expect(before.total).toBeGreaterThanOrEqual(2);
    expect(before.sent).toBe(0);

    const [delivery] = await db.sql.query<{ id: string }>('select id from notice_deliveries where user_id = $1', [userId]);
    const auth = await bearer('bye@example.com');
    const wrong = await app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: { authorization: auth }, payload: { password: 'not mine at all' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { fields: [{ field: 'password' }] } });
    const deleted = await app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: { authorization: auth }, payload: { password: PASSWORD } });
    expect(deleted.statusCode).toBe(204);

    expect(await stack.services.accounts.findUser(userId)).toBeUndefined();
    expect(await stack.services.accounts.profiles.forUser(userId)).toBeNull();
    expect((await stack.services.notifications.getNotice(notice.id)).deliveries).toMatchObject({ total: before.total - 1, pending: before.pending - 1 });
    const kept = await db.sql.query<{ n: string }>("select count(*) as n from mail_outbox where to_address = 'bye@example.com'");
    expect(Number(kept[0]?.n)).toBe(0);
    expect((await app.inject({ url: '/api/accounts/me', headers: { authorization: auth } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email: 'bye@example.com', password: PASSWORD } })).statusCode).toBe(401);
    expect(await stack.services.accounts.findUser(other)).toBeDefined();
    // The delivery task already queued for them finds nothing to send.
    expect(await stack.services.notifications.deliver(Number(delivery?.id), 'test')).toEqual({ status: 'gone' });
  });

  it('deletes through the page after a confirmation, and refuses an admin account', async () => {
    await verifiedUser('page-bye@example.com');
    const browser = new Browser(app, '10.1.0.6');
    expect((await pageLogin(browser, 'page-bye@example.com')).statusCode).toBe(303);
    const confirm = await browser.get('/me/delete');
    expect(confirm.body).toContain('되돌릴 수 없습니다');
    const csrf = Browser.csrfOf(confirm.body);
    const unconfirmed = await browser.post('/me/delete', { _csrf: csrf, password: PASSWORD });
    expect(unconfirmed.statusCode).toBe(400);
    const done = await browser.post('/me/delete', { _csrf: csrf, password: PASSWORD, confirm: 'yes' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('계정을 삭제했습니다');
    expect((await browser.get('/me')).statusCode).toBe(303);

    await stack.services.accounts.createSuperuser({ email: 'boss@example.com', password: PASSWORD, name: '관리자' });
    const refused = await app.inject({ method: 'DELETE', url: '/api/accounts/me', headers: { authorization: await bearer('boss@example.com') }, payload: { password: PASSWORD } });
    expect(refused.statusCode).toBe(409);
  });
});

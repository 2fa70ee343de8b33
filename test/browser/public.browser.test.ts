import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { linkIn } from '../accounts/helpers.ts';
import { browserSkipReason, freePort, launchBrowser, openPage, screenshot, type PageProblems } from '../helpers/browser.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const skip = browserSkipReason();

const ADMIN = { email: 'operator@example.com', password: 'Seoul-river-2026!', name: '운영자 김' };
const PERSON = { email: 'jiwoo@example.com', password: 'Hangang-walk-2026!', newPassword: 'Jeju-orange-2027!', name: '김지우' };
const SCHEDULES = ['load-employment-data-every-wednesday-1am', 'load-youth_policy-data-every-wednesday-1.5am', 'load-gov24-data-every-wednesday-2am'];

const cspViolations = (problems: PageProblems): string[] =>
  problems.messages.filter((message) => /Content Security Policy|Refused to/i.test(message));

async function adminLogin(page: Page): Promise<void> {
  await page.getByLabel('이메일').fill(ADMIN.email);
  await page.getByLabel('비밀번호').fill(ADMIN.password);
  await page.getByRole('button', { name: '로그인' }).click();
}

describe.skipIf(skip !== undefined)('schedules, tasks and the public pages in a real browser (Chromium, PostgreSQL, Redis, SMTP, Chroma)', () => {
  let stack: Stack;
  let smtp: TestSmtpServer;
  let baseUrl = '';
  let browser: Browser;
  const runTaskIds: string[] = [];
  let adminId = 0;

  beforeAll(async () => {
    let port: number;
    [browser, port] = await Promise.all([launchBrowser(), freePort()]);
    // Links in mail name this server, so the browser follows exactly the mailed link.
    const publicUrl = `http://127.0.0.1:${port}`;
    stack = await startStack({
      label: 'browser_public',
      database: 'postgres',
      smtp: true,
      chroma: true,
      publicApis: true,
      env: { MAIL_RATE_PER_SECOND: '0', PUBLIC_URL: publicUrl },
      app: { listen: true, port },
      worker: { queues: ['default', 'mail', 'notices', 'dataload'], lockMs: 30_000 },
    });
    if (!stack.smtp || !stack.baseUrl) throw new Error('incomplete stack');
    ({ smtp, baseUrl } = stack);
    expect(baseUrl).toBe(publicUrl);
    await stack.services.accounts.createSuperuser(ADMIN);
    const [admin] = await stack.db.sql.query<{ id: string }>('select id from users where email = $1', [ADMIN.email]);
    adminId = Number(admin?.id);
  });

  afterAll(async () => {
    await browser.close();
    await stack.stop();
  });

  it('an admin runs the three collection schedules now, finds a run by its task id, and sees the load runs', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl);
    await page.goto('/admin/schedules');
    await adminLogin(page);
    await page.waitForURL('**/admin/schedules');
    for (const id of SCHEDULES) {
      await page.locator(`tr[data-schedule="${id}"]`).getByRole('button', { name: '지금 실행' }).click();
      await page.waitForURL(/msg=schedule-run/);
      const taskId = await page.getByTestId('run-task').textContent();
      expect(taskId).toBeTruthy();
      runTaskIds.push(taskId ?? '');
    }
    await screenshot(page, 'admin-schedules');

    const last = runTaskIds[runTaskIds.length - 1] ?? '';
    await page.goto('/admin/tasks');
    await page.getByLabel('작업 ID').fill(last);
    await page.getByRole('button', { name: '조회' }).click();
    await page.getByTestId('task-result').waitFor();
    expect(await page.getByTestId('task-result').textContent()).toContain('dataload.loadGov24Data');
    // dataload runs one at a time: wait for the last of the three, reloading as an operator would.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('task-result').textContent();
        },
        { timeout: 90_000, interval: 1_000 },
      )
      .toContain('SUCCESS');
    await screenshot(page, 'admin-task');

    await page.goto('/admin/schedules');
    for (const id of SCHEDULES) expect(await page.locator(`tr[data-schedule="${id}"]`).textContent()).toContain('SUCCESS');
    await page.goto('/admin/dataload');
    for (const source of ['gov24', 'youth', 'work24']) expect(await page.locator(`[data-source="${source}"]`).textContent()).toContain('SUCCESS');
    await screenshot(page, 'admin-dataload');
    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });

  it('renders the API docs (swagger-ui) under their CSP without a violation', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl);
    const response = await page.goto('/docs');
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByText('AInfo API').first().waitFor();
    await page.getByText('/api/accounts/signup').first().waitFor();
    expect(cspViolations(problems)).toEqual([]);
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('a person verifies the address by the mailed link, resets the password through the form, searches policies and unsubscribes', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl, { mobile: true });

    const signup = await page.request.post('/api/accounts/signup', {
      data: { email: PERSON.email, password: PERSON.password, name: PERSON.name, noticeConsent: true },
    });
    expect(signup.status()).toBe(201);
    const verifyMail = await smtp.waitForMessageTo(PERSON.email, 15_000);
    await page.goto(linkIn(verifyMail, '/accounts/verify-email'));
    await page.getByRole('button', { name: '이메일 인증하기' }).click();
    await page.getByText('이메일 인증이 완료되었습니다').waitFor();
    expect(await page.locator('body').textContent()).toContain(PERSON.name);
    await screenshot(page, 'public-verify-email');

    const resetRequest = await page.request.post('/api/accounts/password-reset', { data: { email: PERSON.email } });
    expect(resetRequest.status()).toBe(202);
    await smtp.waitFor((messages) => messages.some((mail) => mail.to.includes(PERSON.email) && mail.text.includes('/accounts/password-reset?token=')), 15_000);
    const resetMail = smtp.messagesTo(PERSON.email).find((mail) => mail.text.includes('/accounts/password-reset?token='));
    if (!resetMail) throw new Error('no reset mail');
    await page.goto(linkIn(resetMail, '/accounts/password-reset'));
    await page.getByLabel('새 비밀번호 (8자 이상)').fill(PERSON.newPassword);
    await page.getByLabel('새 비밀번호 확인').fill(PERSON.newPassword);
    await screenshot(page, 'public-password-reset');
    const [done] = await Promise.all([page.waitForResponse((response) => response.request().method() === 'POST'), page.getByRole('button', { name: '비밀번호 변경' }).click()]);
    expect(done.status()).toBe(200);
    await page.waitForLoadState('load');
    expect(await page.locator('#newPassword').count()).toBe(0);
    const login = await page.request.post('/api/accounts/login', { data: { email: PERSON.email, password: PERSON.newPassword } });
    expect(login.status()).toBe(200);
    const oldLogin = await page.request.post('/api/accounts/login', { data: { email: PERSON.email, password: PERSON.password } });
    expect(oldLogin.status()).toBe(401);

    await page.goto('/policies');
    await page.getByRole('searchbox', { name: '검색어' }).fill('청년 월세 지원');
    await page.getByRole('button', { name: '검색' }).click();
    await page.locator('ol.results li').first().waitFor();
    const firstResult = await page.locator('ol.results li').first().textContent();
    expect(firstResult).toMatch(/월세|주거|임차/);
    await screenshot(page, 'public-policies');

    const notice = await stack.services.notifications.createNotice({ title: '12월 청년 정책 소식', content: '이번 달 새 정책을 확인하세요.' }, null);
    await stack.services.notifications.requestSend(notice.id, { id: adminId, name: ADMIN.name });
    await smtp.waitFor((messages) => messages.some((mail) => mail.to.includes(PERSON.email) && mail.subject.includes('12월 청년 정책 소식')), 15_000);
    const noticeMail = smtp.messagesTo(PERSON.email).find((mail) => mail.subject.includes('12월 청년 정책 소식'));
    if (!noticeMail) throw new Error('no notice mail');
    await page.goto(linkIn(noticeMail, '/notices/unsubscribe'));
    await page.getByRole('button', { name: '수신 거부하기' }).click();
    await page.getByText('수신 거부가 완료되었습니다').first().waitFor();
    await screenshot(page, 'public-unsubscribed');
    const [row] = await stack.db.sql.query<{ notice_consent: boolean }>('select notice_consent from users where email = $1', [PERSON.email]);
    expect(row?.notice_consent).toBe(false);

    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });

  it('a person narrows the policy search to what they can apply for, by age and region, and is told what to relax when nothing matches', async () => {
    // The collection the first test started: loading again changes nothing and makes this test stand alone.
    for (const source of ['youth', 'gov24', 'work24'] as const) await stack.services.dataload.run(source);
    const { context, page, problems } = await openPage(browser, baseUrl, { mobile: true });

    await page.goto(`/policies?q=${encodeURIComponent('청년 월세 지원')}`);
    await page.locator('ol.results li').first().waitFor();
    const badges = await page.locator('ol.results .badge.status').allTextContents();
    expect(badges.length).toBeGreaterThan(0);
    expect(badges.every((badge) => ['신청 중', '마감', '상시', '예정'].includes(badge))).toBe(true);

    await page.getByLabel('신청 가능한 것만').check();
    await page.locator('input[name="age"]').fill('25');
    await page.locator('select[name="sido"]').selectOption('서울');
    await page.getByRole('button', { name: '검색' }).click();
    await page.waitForURL(/status=open/);
    const url = new URL(page.url());
    expect(url.searchParams.get('age')).toBe('25');
    expect(url.searchParams.get('sido')).toBe('서울');
    expect(await page.getByLabel('신청 가능한 것만').isChecked()).toBe(true);
    for (const badge of await page.locator('.badge.status').allTextContents()) expect(['신청 중', '상시']).toContain(badge);
    await screenshot(page, 'public-policies-filtered');

    await page.locator('select[name="sigungu"]').selectOption('서울 강남구');
    await page.getByRole('searchbox', { name: '검색어' }).fill('zzzz');
    await page.getByRole('button', { name: '검색' }).click();
    await page.getByText('검색 결과가 없습니다').waitFor();
    expect(new URL(page.url()).searchParams.get('sigungu')).toBe('서울 강남구');
    await screenshot(page, 'public-policies-empty');
    await page.getByRole('link', { name: '나이(만 25세)를 빼고 찾기' }).click();
    await page.getByText('검색 결과가 없습니다').waitFor();
    // Present and empty: the person's own choice, never filled from a signed-in profile.
    expect(new URL(page.url()).searchParams.get('age')).toBe('');
    expect(await page.locator('input[name="age"]').inputValue()).toBe('');
    expect(await page.locator('select[name="sigungu"]').inputValue()).toBe('서울 강남구');

    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser, openPage, screenshot, type PageProblems } from '../helpers/browser.ts';
import type { TestSmtpServer } from '../helpers/smtp-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { seedUsers } from '../notifications/notices.fixtures.ts';

const skip = browserSkipReason();

const ADMIN = { email: 'operator@example.com', password: 'Seoul-river-2026!', name: '운영자 김' };
const MEMBER = { email: 'member@example.com', password: 'Busan-seagull-2026!' };
const BOUNCE = 'bounce@example.com';
const DELIVERABLE = 50;

const cspViolations = (problems: PageProblems): string[] =>
  problems.messages.filter((message) => /Content Security Policy|Refused to/i.test(message));

async function login(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('이메일').fill(email);
  await page.getByLabel('비밀번호').fill(password);
  await page.getByRole('button', { name: '로그인' }).click();
}

describe.skipIf(skip !== undefined)('admin in a real browser (Chromium, real PostgreSQL, Redis, SMTP)', () => {
  let stack: Stack;
  let smtp: TestSmtpServer;
  let baseUrl = '';
  let browser: Browser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startStack({
        label: 'browser_admin',
        database: 'postgres',
        smtp: true,
        env: { MAIL_RATE_PER_SECOND: '0' },
        app: { listen: true },
        worker: { queues: ['notices', 'mail', 'default'], concurrency: 8, lockMs: 10_000 },
      }),
      launchBrowser(),
    ]);
    if (!stack.smtp || !stack.baseUrl) throw new Error('incomplete stack');
    ({ smtp, baseUrl } = stack);
    const { accounts } = stack.services;
    await accounts.createSuperuser(ADMIN);
    await accounts.createSuperuser({ ...MEMBER, name: '일반 회원' });
    await stack.db.sql.query(`update users set is_admin = false where email = $1`, [MEMBER.email]);
    await seedUsers(stack.db.sql, 'reader', DELIVERABLE, { consent: true, verified: true });
    await seedUsers(stack.db.sql, 'quiet', 20, { consent: false, verified: true });
    await stack.db.sql.query(
      `insert into users (email, name, password_hash, notice_consent, email_verified_at) values ($1, '반송 주소', 'not-a-hash', true, now())`,
      [BOUNCE],
    );
    smtp.rejectRecipients([BOUNCE], 550, '5.1.1 <bounce@example.com>: Recipient address rejected: User unknown');
  });

  afterAll(async () => {
    await browser.close();
    await stack.stop();
  });

  it('refuses a signed-in user who is not an admin', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl);
    await page.goto('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await login(page, MEMBER.email, MEMBER.password);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('관리자 계정의 이메일 또는 비밀번호가 올바르지 않습니다.');
    await page.goto('/admin/notices');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await screenshot(page, 'admin-login-refused');
    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });

  it('signs an admin in, writes a notice, sends it and watches 50 sent and one failed recipient with the SMTP reply', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl);
    await page.goto('/admin/notices');
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/admin/notices');

    await page.goto('/admin/notices');
    await page.getByRole('link', { name: '새 공지 쓰기' }).click();
    await page.getByLabel('제목').fill('12월 청년 월세 지원 신청 안내');
    await page.getByLabel('내용').fill('## 신청 기간\n\n- 12월 1일부터 12월 31일까지\n- **온라인**으로 신청하세요\n\n자세한 내용은 [정책 검색](https://ainfo.example/policies)에서 확인하세요.');
    await page.getByRole('button', { name: '저장' }).click();
    await page.getByText('공지를 저장했습니다.').waitFor();

    await page.getByRole('link', { name: '고치기' }).click();
    await page.getByLabel('제목').fill('12월 청년 월세 지원 신청 안내 (수정)');
    await page.getByRole('button', { name: '저장' }).click();
    await page.getByText('공지를 고쳤습니다.').waitFor();

    await page.getByRole('link', { name: '발송하기…' }).click();
    await expect.poll(() => page.getByTestId('recipients').textContent()).toBe(`${DELIVERABLE + 1}명`);
    await screenshot(page, 'admin-notice-confirm');
    await page.getByRole('button', { name: '발송 확인' }).click();
    await page.waitForURL(/\/admin\/notices\/\d+\?msg=notice-sending/);

    // The same-origin script updates the counts while sending, then reloads with the failures listed.
    await expect.poll(() => page.getByTestId('sent').textContent(), { timeout: 30_000 }).toBe(String(DELIVERABLE));
    await expect.poll(() => page.getByTestId('failed').textContent(), { timeout: 30_000 }).toBe('1');
    await expect.poll(() => page.getByTestId('pending').textContent(), { timeout: 30_000 }).toBe('0');
    const failures = page.getByTestId('failures');
    await failures.waitFor({ timeout: 15_000 });
    expect(await failures.textContent()).toContain(BOUNCE);
    expect(await failures.textContent()).toContain('550');
    await screenshot(page, 'admin-notice-sent');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'admin-notice-sent-mobile');
    await page.setViewportSize({ width: 1280, height: 860 });
    expect(smtp.messages).toHaveLength(DELIVERABLE);
    expect(smtp.messagesTo(BOUNCE)).toHaveLength(0);

    await page.goto('/admin');
    expect(await page.getByTestId('workers-count').textContent()).toBe('1');
    // The queues count tasks: the 51 deliveries went as two chunk tasks (50 and 1), and the one
    // holding the refused address failed (the notice page above counts the mails).
    const mailCells = page.locator('tr[data-queue="mail"] td.num');
    expect(await mailCells.nth(3).textContent()).toBe('1');
    expect(await mailCells.nth(4).textContent()).toBe('1');
    await screenshot(page, 'admin-dashboard');

    await page.goto('/admin/users?consent=true&verified=true');
    await expect.poll(() => page.getByTestId('users-total').textContent()).toContain(`${DELIVERABLE + 1}명`);
    await screenshot(page, 'admin-users');

    await page.goto('/admin/audit');
    const audit = await page.getByTestId('audit').textContent();
    for (const action of ['login', 'notice.create', 'notice.update', 'notice.send']) expect(audit).toContain(action);
    expect(audit).toContain(ADMIN.email);
    await screenshot(page, 'admin-audit');
    expect(cspViolations(problems)).toEqual([]);
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('opens the queue dashboard (bull-board) behind the same login', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl);
    await page.goto('/admin/queues');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await login(page, ADMIN.email, ADMIN.password);
    await page.waitForURL('**/admin/queues**');
    await page.getByText('notices', { exact: true }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'admin-queues');
    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });
});

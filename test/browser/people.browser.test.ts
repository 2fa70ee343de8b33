import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, freePort, launchBrowser, openPage, screenshot } from '../helpers/browser.ts';
import { runAinfo, spawnAinfo, type Child } from '../helpers/processes.ts';
import { deletePrefix, uniquePrefix } from '../helpers/redis.ts';

const skip = browserSkipReason();

const ADMIN = { email: 'admin@example.kr', password: 'quiet harbor lights' };
const PERSON = { email: 'haneul@example.kr', name: '정하늘', password: 'Gwangalli-night-2026!' };

/**
 * The issue-13 path as a newcomer meets it, from a fresh clone: `ainfo all` (what `npm start`
 * runs) with only PORT set, on the embedded defaults (PGlite and Chroma under a fresh data
 * directory, the dev mailbox, the built-in sample of the public APIs). Beyond PORT, the test sets
 * only what isolates it from the machine: its own DATA_DIR (./data of a fresh clone) and a queue
 * prefix of its own on the shared Redis.
 */
describe.skipIf(skip !== undefined)('a young person’s first visit in a real browser, on `ainfo all` with only PORT set', () => {
  let browser: Browser;
  let child: Child;
  let dataDir = '';
  let baseUrl = '';
  const prefix = uniquePrefix('people_browser');

  beforeAll(async () => {
    let port: number;
    [browser, port, dataDir] = await Promise.all([launchBrowser(), freePort(), mkdtemp(path.join(os.tmpdir(), 'ainfo-people-'))]);
    baseUrl = `http://127.0.0.1:${port}`;
    const env = { DATA_DIR: dataDir, QUEUE_PREFIX: prefix };
    // The operator's one step before `npm start`: an admin, to open the dev mailbox.
    const created = await runAinfo(['createsuperuser', '--email', ADMIN.email, '--password', ADMIN.password], env);
    expect(created.code, created.stderr).toBe(0);
    child = spawnAinfo(['all'], { ...env, PORT: String(port) });
    await child.waitFor('AInfo is up', 90_000);
  });

  afterAll(async () => {
    await browser.close();
    if (child.process.exitCode === null) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
    await deletePrefix(prefix);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('signs up, verifies from the dev mailbox, logs in, sets the profile, searches with it, turns notices off and on, and deletes the account', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl);

    // `/`, where the start line points: what AInfo is, and the way in.
    await page.goto('/');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('AInfo');
    await screenshot(page, 'people-home');
    await page.getByRole('link', { name: '회원가입', exact: true }).first().click();

    await page.getByLabel('이메일').fill(PERSON.email);
    await page.getByLabel('이름').fill(PERSON.name);
    await page.getByLabel(/^비밀번호 \(/).fill(PERSON.password);
    await page.getByLabel('비밀번호 확인').fill(PERSON.password);
    await page.getByLabel(/공지를 메일로 받겠습니다/).check();
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.getByRole('heading', { name: '메일함을 확인해 주세요' }).waitFor();

    // The verification mail, in the dev mailbox (SMTP_URL is unset), opened as the operator.
    await page.goto(`/admin/mailbox?to=${encodeURIComponent(PERSON.email)}`);
    await page.getByLabel('이메일').fill(ADMIN.email);
    await page.getByLabel('비밀번호').fill(ADMIN.password);
    await page.getByRole('button', { name: '로그인' }).click();
    const subject = page.getByRole('link', { name: '[AInfo] 이메일 주소를 인증해 주세요' });
    await expect
      .poll(async () => {
        if ((await subject.count()) > 0) return true;
        await page.reload();
        return false;
      }, { timeout: 30_000 })
      .toBe(true);
    await subject.first().click();
    const href = await page.locator('pre a[href*="/accounts/verify-email?token="]').first().getAttribute('href');
    expect(href).toBeTruthy();
    // The link's origin is PUBLIC_URL (issue 13 item 1 makes it follow PORT); its path is what matters here.
    const link = new URL(href ?? '');
    await page.goto(`${link.pathname}${link.search}`);
    await page.getByRole('button', { name: '이메일 인증하기' }).click();
    await page.getByRole('heading', { name: '이메일 인증이 완료되었습니다' }).waitFor();
    await screenshot(page, 'people-verified');
    await page.getByRole('link', { name: '로그인하기' }).click();

    await page.getByLabel('이메일').fill(PERSON.email);
    await page.getByLabel('비밀번호').fill(PERSON.password);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.waitForURL('**/me');

    // The profile: birth year, 시도 → 시군구, situation.
    await page.getByLabel('출생 연도').fill('1999');
    await page.getByLabel('사는 곳 (시도)').selectOption('부산');
    await page.getByLabel('사는 곳 (시군구)').selectOption('부산 해운대구');
    await page.getByLabel('지금 상황').selectOption({ label: '구직 중' });
    await page.getByRole('button', { name: '저장' }).click();
    await page.getByText('내 정보를 저장했습니다.').waitFor();
    await screenshot(page, 'people-me');

    // Search opens with the profile's age and region; the first collection runs at start.
    await child.waitFor('정부24 load finished', 120_000);
    await page.getByRole('link', { name: '내 조건으로 정책 검색하기' }).click();
    await page.getByTestId('profile-filters').waitFor();
    expect(await page.locator('select[name="sido"]').inputValue()).toBe('부산');
    expect(await page.locator('select[name="sigungu"]').inputValue()).toBe('부산 해운대구');
    expect(Number(await page.locator('input[name="age"]').inputValue())).toBeGreaterThanOrEqual(25);
    await page.getByRole('searchbox', { name: '검색어' }).fill('청년 월세 지원');
    await page.getByRole('button', { name: '검색' }).click();
    await page.locator('ol.results li').first().waitFor();
    await screenshot(page, 'people-search');

    // Notices off, then on again.
    await page.goto('/me');
    await page.getByRole('button', { name: '공지 메일 받지 않기' }).click();
    await expect.poll(() => page.getByTestId('notice-state').textContent()).toBe('지금 공지 메일을 받지 않습니다.');
    await page.getByRole('button', { name: '공지 메일 받기' }).click();
    await expect.poll(() => page.getByTestId('notice-state').textContent()).toBe('지금 공지 메일을 받고 있습니다.');

    // Deleting the account, after a confirmation with the password.
    await page.getByRole('link', { name: '계정 삭제하기' }).click();
    await page.getByLabel(/비밀번호를 입력해 주세요/).fill(PERSON.password);
    await page.getByLabel(/되돌릴 수 없다는 것을 이해했습니다/).check();
    await screenshot(page, 'people-delete-confirm');
    await page.getByRole('button', { name: '계정 영구 삭제' }).click();
    await page.getByRole('heading', { name: '계정을 삭제했습니다' }).waitFor();

    // Every page so far worked under its CSP, without a script error or a failed request.
    expect(problems.messages).toEqual([]);

    // Gone: the same address and password no longer sign in (a 401 page).
    await page.goto('/login');
    await page.getByLabel('이메일').fill(PERSON.email);
    await page.getByLabel('비밀번호').fill(PERSON.password);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByText('이메일 또는 비밀번호가 올바르지 않습니다.').waitFor();
    await context.close();
  });
});

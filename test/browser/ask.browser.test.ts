import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser, openPage, screenshot, type PageProblems } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const skip = browserSkipReason();

const cspViolations = (problems: PageProblems): string[] => problems.messages.filter((message) => /Content Security Policy|Refused to/i.test(message));

describe.skipIf(skip !== undefined)('the /ask page in a real browser (Chromium), with and without script', () => {
  let stack: Stack;
  let browser: Browser;
  let baseUrl = '';

  beforeAll(async () => {
    [browser, stack] = await Promise.all([
      launchBrowser(),
      startStack({ label: 'browser_ask', database: 'postgres', chroma: true, publicApis: true, app: { listen: true } }),
    ]);
    if (!stack.baseUrl) throw new Error('no server');
    baseUrl = stack.baseUrl;
    for (const source of ['youth', 'gov24', 'work24'] as const) await stack.services.dataload.run(source);
  });

  afterAll(async () => {
    await browser.close();
    await stack.stop();
  });

  it('streams the answer with the page script, links citations with status badges, takes feedback and a follow-up', async () => {
    const { context, page, problems } = await openPage(browser, baseUrl, { mobile: true });
    await page.goto('/ask');
    await page.getByLabel('질문').fill('서울 사는 27살인데 월세 지원 받을 수 있어?');
    const streamed = page.waitForRequest((request) => request.url().endsWith('/api/ask') && request.headers().accept === 'text/event-stream');
    await page.getByRole('button', { name: '물어보기' }).click();
    await streamed;
    const turn = page.locator('article.turn').first();
    await turn.locator('form.feedback').waitFor();
    expect(new URL(page.url()).pathname).toBe('/ask');
    expect(await turn.locator('.answer').textContent()).toMatch(/^“월세 지원”\(만 27세, 서울특별시\)에 맞는 정책 \d건을 찾았습니다/);
    const anchors = turn.locator('ol.citations a');
    const links: string[] = [];
    for (let index = 0; index < (await anchors.count()); index += 1) links.push((await anchors.nth(index).getAttribute('href')) ?? '');
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((href) => href.startsWith('/policies/'))).toBe(true);
    for (const badge of await turn.locator('ol.citations .badge.status').allTextContents()) expect(['신청 중', '마감', '상시', '예정']).toContain(badge);
    await screenshot(page, 'ask-streamed');

    await turn.getByRole('button', { name: '👎 아쉬워요' }).click();
    await turn.locator('button[aria-pressed="true"]').waitFor();
    const [stored] = await stack.db.sql.query<{ feedback: string }>('select feedback from ask_messages order by created_at desc limit 1');
    expect(stored?.feedback).toBe('down');

    await page.getByLabel('질문').fill('그거 신청 방법은?');
    await page.getByRole('button', { name: '물어보기' }).click();
    await page.locator('article.turn').nth(1).locator('form.feedback').waitFor();
    expect(await page.locator('article.turn').nth(1).locator('.answer').textContent()).toMatch(/^앞에서 안내한 정책의 신청 방법입니다/);
    expect(cspViolations(problems)).toEqual([]);
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('works without script: the form posts and the whole answer comes back as a page, and so does a follow-up', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, locale: 'ko-KR', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/ask');
    await page.getByLabel('질문').fill('구직활동 지원금');
    await page.locator('input[name="age"]').fill('25');
    await page.getByRole('button', { name: '물어보기' }).click();
    await page.locator('article.turn').first().waitFor();
    expect(await page.locator('article.turn .answer').first().textContent()).toMatch(/에 맞는 정책 \d건을 찾았습니다/);
    expect(await page.locator('ol.citations a').count()).toBeGreaterThan(0);
    await screenshot(page, 'ask-no-script');
    await page.getByLabel('질문').fill('첫 번째 거 서류는?');
    await page.getByRole('button', { name: '물어보기' }).click();
    await page.locator('article.turn').nth(1).waitFor();
    expect(await page.locator('article.turn').nth(1).locator('ol.citations li').count()).toBe(1);
    await context.close();
  });
});

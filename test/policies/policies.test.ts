import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { createLogger } from '../../src/log/logger.ts';
import { buildServices, type ProcessRole, type Services } from '../../src/processes/compose.ts';
import { LexicalEmbedder } from '../../src/vector/index.ts';
import type { PublicApisPeer } from '../helpers/public-apis-server.ts';
import { startStack, testConfig, type Stack } from '../helpers/stack.ts';

interface SearchBody {
  items: { id: string; source: string; title: string; region: string; category: string; url: string; score: number; summary: string }[];
}

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string }[] };
}

/** An OpenAI-compatible /v1/embeddings peer: 256-dim vectors, and a 500 on its first call. */
async function startFakeEmbeddings(): Promise<{ url: string; batches: number[]; stop: () => Promise<void> }> {
  const embedder = new LexicalEmbedder(256);
  const batches: number[] = [];
  let calls = 0;
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    request.on('end', () => {
      calls += 1;
      if (calls === 1 || request.headers.authorization !== 'Bearer test-openai-key') {
        response.writeHead(calls === 1 ? 500 : 401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'try again' } }));
        return;
      }
      const body = JSON.parse(raw) as { input: string[] };
      batches.push(body.input.length);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: body.input.map((text, index) => ({ index, embedding: embedder.embedOne(text) })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    batches,
    stop: () => new Promise((resolve) => server.close(() => { resolve(); })),
  };
}

describe('policy search: API and page over a real Chroma', () => {
  let stack: Stack;
  let peer: PublicApisPeer;
  let app: App;

  /** The same modules composed again on this stack's database and Redis, with other settings. */
  const servicesWith = (role: ProcessRole, env: Record<string, string>): Services => {
    const config = testConfig(stack.prefix, { ...stack.childEnv(), ...env });
    return buildServices({ ...stack.core, config, role }, stack.db, { ownsDatabase: false });
  };

  beforeAll(async () => {
    stack = await startStack({ label: 'policies', role: 'web', database: 'postgres', chroma: true, publicApis: true, app: true });
    if (!stack.peer || !stack.app) throw new Error('incomplete stack');
    ({ peer, app } = stack);
    for (const source of ['youth', 'gov24', 'work24'] as const) await stack.services.dataload.run(source);
  });

  afterAll(() => stack.stop());

  it('answers a Korean query with ranked items carrying id, source, title, summary, region, url and score', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/policies/search?q=${encodeURIComponent('청년 월세 지원')}&limit=5` });
    expect(response.statusCode).toBe(200);
    const body = response.json<SearchBody>();
    expect(body.items).toHaveLength(5);
    expect(body.items[0]).toMatchObject({ source: expect.stringMatching(/^(youth|gov24)$/) as unknown, title: expect.stringContaining('월세') as unknown });
    for (const item of body.items) expect(item.title).toMatch(/월세/);
    const scores = body.items.map((item) => item.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('filters by source, region and category, and pages with offset', async () => {
    const bySource = (await app.inject({ url: `/api/policies/search?q=${encodeURIComponent('취업 프로그램')}&source=work24&limit=10` })).json<SearchBody>();
    expect(bySource.items.length).toBeGreaterThan(0);
    for (const item of bySource.items) expect(item.source).toBe('work24');

    const byRegion = (await app.inject({ url: `/api/policies/search?q=${encodeURIComponent('청년 지원')}&region=${encodeURIComponent('부산')}&limit=20` })).json<SearchBody>();
    expect(byRegion.items.length).toBeGreaterThan(0);
    for (const item of byRegion.items) expect(['부산광역시', '전국'].some((region) => item.region.startsWith(region))).toBe(true);

    const byCategory = (await app.inject({ url: `/api/policies/search?q=${encodeURIComponent('청년')}&category=${encodeURIComponent('주거')}&limit=20` })).json<SearchBody>();
    expect(byCategory.items.length).toBeGreaterThan(0);
    for (const item of byCategory.items) expect(item.category.startsWith('주거')).toBe(true);

    const first = (await app.inject({ url: `/api/policies/search?q=${encodeURIComponent('청년')}&limit=4` })).json<SearchBody>();
    const second = (await app.inject({ url: `/api/policies/search?q=${encodeURIComponent('청년')}&limit=2&offset=2` })).json<SearchBody>();
    expect(second.items.map((item) => item.id)).toEqual(first.items.slice(2).map((item) => item.id));
  });

  it('rejects an empty or missing q with 400 naming q', async () => {
    for (const url of ['/api/policies/search?q=', '/api/policies/search?q=%20%20', '/api/policies/search']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(400);
      const body = response.json<ErrorBody>();
      expect(body.error.fields?.map((field) => field.field)).toContain('q');
    }
    expect((await app.inject({ url: '/api/policies/search?q=a&source=nope' })).statusCode).toBe(400);
  });

  it('returns one document by id, and 404 for an unknown id', async () => {
    const response = await app.inject({ url: '/api/policies/gov24:000000465790' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 'gov24:000000465790', source: 'gov24', title: '청년월세 특별지원', contact: '마이홈 콜센터/1600-1004' });
    expect(response.json()).toMatchObject({ ageMin: 19, ageMax: 34, applyEnd: '2026-12-31', periodKind: 'dates', regionSido: null, conditions: { noHome: true, incomeBands: ['0-50', '51-75'] } });
    const missing = await app.inject({ url: '/api/policies/gov24:999' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorBody>().error.code).toBe('POLICY_NOT_FOUND');
  });

  it('serves a Korean search page with escaped input, no scripts and no external resources', async () => {
    const start = await app.inject({ url: '/policies' });
    expect(start.statusCode).toBe(200);
    expect(start.headers['content-type']).toContain('text/html');
    expect(start.body).toContain('<html lang="ko">');
    expect(start.body).toContain('name="viewport"');
    // The shared layout and stylesheet, from our own origin.
    expect(start.body).toContain('<link rel="stylesheet" href="/assets/ainfo.css">');
    expect(start.body).toContain('<form class="search" method="get" action="/policies"');

    const hostile = '<script>alert(1)</script>"월세';
    const page = await app.inject({ url: `/policies?q=${encodeURIComponent(hostile)}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;월세');
    expect(page.body).not.toMatch(/<link[^>]+href="(https?:)?\/\/|@import|https?:\/\/fonts\./);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'none'");

    const results = await app.inject({ url: `/policies?q=${encodeURIComponent('청년 월세 지원')}&source=youth&region=${encodeURIComponent('서울')}` });
    expect(results.body).toContain('서울시 청년월세지원');
    expect(results.body).toContain('href="/policies/youth%3A20250301005400211201"');

    const detail = await app.inject({ url: '/policies/youth:20250301005400211201' });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('<h1>서울시 청년월세지원</h1>');
    expect((await app.inject({ url: '/policies/youth:0' })).statusCode).toBe(404);
  });

  it('reports Chroma in /readyz when CHROMA_URL is set', async () => {
    const response = await app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ checks: Record<string, string> }>().checks.chroma).toBe('ok');
  });

  it('opens nothing when a web context is built, and tells a web process without CHROMA_URL to set it (in the log, not the answer)', async () => {
    const started = Date.now();
    const lines: string[] = [];
    const config = testConfig(stack.prefix, { ...stack.childEnv(), CHROMA_URL: '' });
    const log = createLogger('info', {}, { write: (line: string) => void lines.push(line) });
    const web = buildServices({ ...stack.core, config, log, role: 'web' }, stack.db, { ownsDatabase: false });
    try {
      expect(Date.now() - started).toBeLessThan(2_000);
      const refused = await web.policies.search.search({ q: '청년', limit: 5, offset: 0 }).then(
        () => undefined,
        (error: unknown) => error as { status: number; message: string },
      );
      expect(refused?.status).toBe(503);
      expect(refused?.message).toContain('정책 검색');
      expect(refused?.message).not.toContain(config.dataDir);
      expect(lines.join('')).toContain('CHROMA_URL is not set');
    } finally {
      await web.close();
    }
  });

  it('re-embeds the stored documents when the embedder changes, never mixing vectors', async () => {
    const fake = await startFakeEmbeddings();
    const other = servicesWith('worker', { EMBEDDINGS: 'openai', OPENAI_API_KEY: 'test-openai-key', EMBEDDINGS_BASE_URL: fake.url });
    try {
      await expect(other.policies.search.search({ q: '청년 월세', limit: 3, offset: 0 })).rejects.toMatchObject({ status: 503, code: 'SEARCH_INDEX_REBUILDING' });
      const before = (await stack.services.dataload.recentRuns(10)).length;
      const summary = await other.dataload.run('youth');
      expect(summary).toMatchObject({ state: 'SUCCESS', embedded: 0, added: 0 });
      expect(fake.batches.every((size) => size <= 96)).toBe(true);
      expect(fake.batches.reduce((sum, size) => sum + size, 0)).toBeGreaterThanOrEqual(peer.data.youth.length + peer.data.gov24List.length);
      const hits = await other.policies.search.search({ q: '청년 월세 지원', limit: 3, offset: 0 });
      expect(hits.items[0]?.title).toContain('월세');
      // The old embedder now refuses instead of comparing its vectors with the new ones.
      const oldService = servicesWith('web', {});
      try {
        await expect(oldService.policies.search.search({ q: '청년', limit: 3, offset: 0 })).rejects.toMatchObject({ status: 503 });
      } finally {
        await oldService.close();
      }
      expect((await stack.services.dataload.recentRuns(10)).length).toBe(before + 1);
    } finally {
      await other.close();
      await fake.stop();
    }
  });

  it('answers 503 instead of 500 when Chroma stops answering (last: it stops the server)', async () => {
    await stack.chroma?.stop();
    const response = await app.inject({ url: `/api/policies/search?q=${encodeURIComponent('청년')}` });
    expect(response.statusCode).toBe(503);
    expect(response.json<ErrorBody>().error.code).toBe('SEARCH_UNAVAILABLE');
    const page = await app.inject({ url: `/policies?q=${encodeURIComponent('청년')}` });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('정책 검색을 지금 사용할 수 없습니다');
  });

});

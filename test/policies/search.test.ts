import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { loadFixtures, SAMPLE_NOW, type PolicyDocument } from '../../src/modules/dataload/index.ts';
import { normaliseSample } from '../../src/modules/dataload/sample-data.ts';
import { createPolicies, type Policies, type SearchItem, type SearchQuery, type SearchResult } from '../../src/modules/policies/index.ts';
import { applicationStatus } from '../../src/utils/application-period.ts';
import { AppError } from '../../src/utils/errors.ts';
import { parseRegion, regionMatches } from '../../src/utils/regions.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

type SearchBody = SearchResult;

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

const RENT = '청년 월세 지원';

describe('policy search a young person can trust (issue 11), over a real Chroma', () => {
  let stack: Stack;
  let app: App;
  /** The same catalogue searched as of the sample data's reference day (2026-09-15, Seoul). */
  let onSampleDay: Policies;
  /** The same again, forced to send selective filters to Chroma as a `where` instead of an id list. */
  let withWhere: Policies;
  let docs: Map<string, PolicyDocument>;

  const api = async (params: Record<string, string | number>): Promise<{ status: number; body: SearchBody & ErrorBody }> => {
    const query = new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)]));
    const response = await app.inject({ url: `/api/policies/search?${query.toString()}` });
    return { status: response.statusCode, body: response.json<SearchBody & ErrorBody>() };
  };
  const search = (query: Partial<SearchQuery> & { q: string }, policies = onSampleDay): Promise<SearchResult> =>
    policies.search.search({ limit: 10, offset: 0, ...query });
  const docOf = (item: SearchItem): PolicyDocument => {
    const doc = docs.get(item.id);
    if (!doc) throw new Error(`no document ${item.id}`);
    return doc;
  };

  beforeAll(async () => {
    stack = await startStack({ label: 'policy_search', role: 'web', database: 'postgres', chroma: true, publicApis: true, app: true });
    if (!stack.app) throw new Error('incomplete stack');
    app = stack.app;
    for (const source of ['youth', 'gov24', 'work24'] as const) await stack.services.dataload.run(source);
    const clock = (): Date => SAMPLE_NOW;
    onSampleDay = createPolicies({ config: stack.config, role: 'web', log: stack.core.log, search: { clock, catalogueCheckMs: 100 } });
    withWhere = createPolicies({ config: stack.config, role: 'web', log: stack.core.log, search: { clock, maxIdFilter: 0 } });
    const stored = await onSampleDay.search.getMany(normaliseSample(stack.peer?.data ?? (await loadFixtures())).map((doc) => doc.id));
    docs = new Map(stored.map((doc) => [doc.id, doc]));
    expect(docs.size).toBe(360);
  });

  afterAll(async () => {
    await onSampleDay.close();
    await withWhere.close();
    await stack.stop();
  });

  it('ranks the exact programme name first', async () => {
    for (const name of ['청년도약계좌', '국민취업지원제도', '아동수당', '희망리턴패키지', '서울시 청년월세지원', '주거급여', '에너지바우처']) {
      const { items } = await search({ q: name });
      expect(items[0]?.title, name).toBe(name);
    }
    const { status, body } = await api({ q: '국민내일배움카드', limit: 3 });
    expect(status).toBe(200);
    expect(body.items[0]?.title).toBe('국민내일배움카드');
  });

  it('answers a query nothing in the data answers with an empty list, through the API too', async () => {
    const nothing: Record<string, string>[] = [{ q: '대학생 장학금' }, { q: '반려동물' }, { q: 'zzzz' }, { q: 'zzzz', region: '서울', source: 'youth' }, { q: '스키장 시즌권' }];
    for (const params of nothing) {
      const { status, body } = await api(params);
      expect(status, params.q).toBe(200);
      expect(body, params.q).toMatchObject({ items: [], total: 0, offset: 0, limit: 10 });
    }
  });

  it('gives a 45-year-old asking for youth rent support no 19–34 programme, and keeps programmes without a stated age', async () => {
    const young = await search({ q: RENT });
    expect(young.items.filter((item) => item.title.includes('월세')).length).toBeGreaterThanOrEqual(5);
    const older = await search({ q: RENT, age: 45 });
    for (const item of older.items) {
      expect(item.ageMin === null || item.ageMin <= 45, item.title).toBe(true);
      expect(item.ageMax === null || item.ageMax >= 45, item.title).toBe(true);
    }
    expect(older.items.filter((item) => item.title.includes('월세'))).toEqual([]);
    const housing = await search({ q: '주거급여', age: 45 });
    expect(housing.items[0]).toMatchObject({ title: '주거급여', ageMin: null, ageMax: null });
    const { body } = await api({ q: RENT, age: 45 });
    expect(body.items.every((item) => item.ageMax === null || item.ageMax >= 45)).toBe(true);
  });

  it('marks every item with its application status today in Asia/Seoul, closed ones included', async () => {
    const { items } = await search({ q: RENT });
    const statusOf = (title: string): string | undefined => items.find((item) => item.title === title)?.status;
    expect(statusOf('서울시 청년월세지원')).toBe('closed');
    expect(statusOf('경기도 청년 월세 지원사업')).toBe('upcoming');
    expect(statusOf('청년월세 한시 특별지원')).toBe('open');
    expect(statusOf('부산 청년 월세 지원')).toBe('always');
    const seoul = items.find((item) => item.title === '서울시 청년월세지원');
    expect(seoul).toMatchObject({ applyStart: '2026-04-01', applyEnd: '2026-04-30', ageMin: 19, ageMax: 39 });

    // The API computes it with the real clock: each item agrees with its stored period now.
    const { body } = await api({ q: RENT, limit: 20 });
    expect(body.items.length).toBeGreaterThan(0);
    for (const item of body.items) expect(item.status, item.title).toBe(applicationStatus(docOf(item), new Date()));
    expect(body.items.find((item) => item.title === '서울시 청년월세지원')?.status).toBe('closed');
  });

  it('keeps only what one can apply to today with status=open', async () => {
    const open = await search({ q: RENT, status: 'open', limit: 50 });
    expect(open.items.length).toBeGreaterThan(0);
    for (const item of open.items) expect(['open', 'always']).toContain(item.status);
    expect(open.items.map((item) => item.title)).not.toContain('서울시 청년월세지원');
    expect(open.items.map((item) => item.title)).not.toContain('경기도 청년 월세 지원사업');
    const { body } = await api({ q: RENT, status: 'open', limit: 50 });
    for (const item of body.items) expect(['open', 'always']).toContain(item.status);
  });

  it('shows no programme twice on a page: listings of one programme become one item naming its sources', async () => {
    const { items } = await search({ q: '국민취업지원제도' });
    const jobs = items.filter((item) => item.title === '국민취업지원제도');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.sources?.map((source) => source.source).sort()).toEqual(['gov24', 'youth']);
    for (const source of jobs[0]?.sources ?? []) {
      expect(source.id.startsWith(`${source.source}:`)).toBe(true);
      expect(source.url).toMatch(/^https:\/\//);
    }
    expect(items.filter((item) => item.sources === undefined).every((item) => item.title !== '국민취업지원제도')).toBe(true);

    for (const q of ['청년 지원', '청년도약계좌', '지원금']) {
      const { items: page } = await search({ q, limit: 50 });
      const programmes = page.map((item) => [item.title.replace(/\s+/g, ''), docOf(item).regionSido, docOf(item).regionSigungu, docOf(item).organization].join('|'));
      expect(new Set(programmes).size, q).toBe(programmes.length);
    }
  });

  it('keeps paging coherent after filtering, the floor and merging', async () => {
    const query = { q: '청년 지원', region: '서울' };
    const whole = await search({ ...query, limit: 40 });
    expect(whole.total).toBeGreaterThan(12);
    const pages: SearchItem[] = [];
    for (let offset = 0; offset < whole.total && offset < 40; offset += 6) {
      const page = await search({ ...query, limit: 6, offset });
      expect(page.total).toBe(whole.total);
      pages.push(...page.items);
    }
    expect(pages.map((item) => item.id)).toEqual(whole.items.map((item) => item.id));
    expect((await search({ ...query, limit: 10, offset: whole.total })).items).toEqual([]);
  });

  it('filters by the region hierarchy: 전국, the whole 시도 and the same 시군구, nothing elsewhere', async () => {
    const where = parseRegion('서울 강남구');
    if (!where) throw new Error('region table');
    const { items } = await search({ q: '청년 전세 대출이자 지원', region: '서울 강남구', limit: 50 });
    expect(items.map((item) => item.title)).toContain('강남구 무주택 청년 전세 대출이자 지원');
    for (const item of items) expect(regionMatches({ sido: docOf(item).regionSido, sigungu: docOf(item).regionSigungu }, where), item.title).toBe(true);
    expect(items.some((item) => item.region === '전국')).toBe(true);

    const mapo = await search({ q: '청년 전세 대출이자 지원', region: '서울특별시 마포구', limit: 50 });
    expect(mapo.items.map((item) => item.title)).not.toContain('강남구 무주택 청년 전세 대출이자 지원');
    const nationwide = await search({ q: '청년 전세 대출이자 지원', region: '전국', limit: 50 });
    expect(nationwide.items.length).toBeGreaterThan(0);
    for (const item of nationwide.items) expect(item.region).toBe('전국');

    const { body } = await api({ q: '구직활동 지원금', region: '서울 용산구' });
    expect(body.items[0]?.title).toBe('용산구 구직활동 지원금');
    for (const item of body.items) expect(['전국', '서울특별시', '서울특별시 용산구']).toContain(item.region);
  });

  it('applies selective filters in Chroma the same way as a where or as a list of ids', async () => {
    const queries: (Partial<SearchQuery> & { q: string })[] = [
      { q: '청년 지원', region: '서울 강남구', age: 27, status: 'open' },
      { q: '자격증 응시료', region: '대구', status: 'open' },
      { q: '면접', age: 50, region: '경기' },
      { q: '청년', source: 'work24', region: '부산' },
    ];
    for (const query of queries) {
      const byIds = await search({ ...query, limit: 50 });
      const byWhere = await search({ ...query, limit: 50 }, withWhere);
      expect(byWhere.items.map((item) => item.id), query.q).toEqual(byIds.items.map((item) => item.id));
    }
    const open = await search({ q: '청년 지원', region: '서울 강남구', age: 27, status: 'open', limit: 50 }, withWhere);
    expect(open.items.length).toBeGreaterThan(0);
    for (const item of open.items) {
      expect(['open', 'always']).toContain(item.status);
      expect(item.ageMin === null || item.ageMin <= 27).toBe(true);
      expect(item.ageMax === null || item.ageMax >= 27).toBe(true);
    }
  });

  it('rejects a bad age, region, status or source with 400 naming the field, and runs no search', async () => {
    for (const [params, field] of [
      [{ q: RENT, age: -1 }, 'age'],
      [{ q: RENT, age: 121 }, 'age'],
      [{ q: RENT, age: 'abc' }, 'age'],
      [{ q: RENT, age: 3.5 }, 'age'],
      [{ q: RENT, region: '화성' }, 'region'],
      [{ q: RENT, region: '중구' }, 'region'],
      [{ q: RENT, region: '서울 해운대구' }, 'region'],
      [{ q: RENT, status: 'closed' }, 'status'],
      [{ q: RENT, source: 'naver' }, 'source'],
    ] as const) {
      const { status, body } = await api(params);
      expect(status, JSON.stringify(params)).toBe(400);
      expect(body.error.fields?.map((each) => each.field), JSON.stringify(params)).toContain(field);
    }
    const regionError = await api({ q: RENT, region: '중구' });
    expect(regionError.body.error.message).toContain('지역(region)');

    // The programmatic API checks the same, and names every bad field at once.
    const failure = await onSampleDay.search.search({ q: ' ', age: 200, region: '없는곳', limit: 0, offset: 0 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).status).toBe(400);
    expect((failure as AppError).fields?.map((each) => each.field)).toEqual(['q', 'age', 'region', 'limit']);
  });

  it('gives whole documents by id in the order asked, leaving unknown ids out', async () => {
    const found = await onSampleDay.search.getMany(['youth:20250301005400211201', 'gov24:999', 'gov24:000000465790']);
    expect(found.map((doc) => doc.id)).toEqual(['youth:20250301005400211201', 'gov24:000000465790']);
    expect(found[1]).toMatchObject({ title: '청년월세 특별지원', ageMin: 19, ageMax: 34, conditions: { noHome: true } });
    // The catalogue's copy (what ask's prompt is built from) is the same documents.
    expect(await onSampleDay.search.documentsOf(['youth:20250301005400211201', 'gov24:999', 'gov24:000000465790'])).toEqual(found);
  });

  it('shows the empty state on the page with a link that drops each filter', async () => {
    const page = await app.inject({
      url: `/policies?q=zzzz&source=youth&sido=${encodeURIComponent('서울')}&sigungu=${encodeURIComponent('서울 강남구')}&age=45&status=open`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('검색 결과가 없습니다');
    const links = [...page.body.matchAll(/<ul class="relax">(.*?)<\/ul>/gs)].flatMap(([, list]) => [...(list ?? '').matchAll(/href="([^"]+)">([^<]+)</g)]);
    const byLabel = new Map(links.map(([, href, label]) => [label ?? '', (href ?? '').replaceAll('&amp;', '&')]));
    expect([...byLabel.keys()]).toEqual([
      '‘신청 가능한 것만’을 빼고 찾기',
      '나이(만 45세)를 빼고 찾기',
      '강남구 대신 서울특별시 전체에서 찾기',
      '지역(서울특별시 강남구)을 빼고 찾기',
      '출처(온통청년)를 빼고 찾기',
    ]);
    const params = (label: string): URLSearchParams => new URLSearchParams((byLabel.get(label) ?? '').split('?')[1]);
    expect(params('‘신청 가능한 것만’을 빼고 찾기').get('status')).toBeNull();
    expect(params('‘신청 가능한 것만’을 빼고 찾기').get('age')).toBe('45');
    // Present but empty: a link with filters of its own is never filled from a signed-in profile.
    expect(params('나이(만 45세)를 빼고 찾기').get('age')).toBe('');
    expect(params('강남구 대신 서울특별시 전체에서 찾기').get('sigungu')).toBeNull();
    expect(params('강남구 대신 서울특별시 전체에서 찾기').get('sido')).toBe('서울');
    expect(params('지역(서울특별시 강남구)을 빼고 찾기').get('sido')).toBeNull();
    expect(params('출처(온통청년)를 빼고 찾기').get('source')).toBeNull();
    const relaxed = await app.inject({ url: byLabel.get('나이(만 45세)를 빼고 찾기') ?? '' });
    expect(relaxed.statusCode).toBe(200);
    expect(relaxed.body).toContain('검색 결과가 없습니다');

    const plain = await app.inject({ url: '/policies?q=zzzz' });
    expect(plain.body).toContain('검색 결과가 없습니다');
    expect(plain.body).toContain('다른 낱말로 검색해 보세요');
  });

  it('shows status badges, ages and merged listings once on the page, and keeps the chosen filters in the form', async () => {
    const page = await app.inject({ url: `/policies?q=${encodeURIComponent(RENT)}&sido=${encodeURIComponent('서울')}&age=25` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<span class="badge status closed" data-status="closed">마감<\/span>/);
    expect(page.body).toContain('만 19세 ~ 만 39세');
    expect(page.body).toContain('<option value="서울" selected>서울특별시</option>');
    expect(page.body).toContain('name="age" value="25"');
    expect(page.body).not.toContain('name="status" value="open" checked');

    const jobs = await app.inject({ url: `/policies?q=${encodeURIComponent('국민취업지원제도')}` });
    expect(jobs.body.match(/<strong>국민취업지원제도<\/strong>/g)).toHaveLength(1);
    expect(jobs.body).toMatch(/같은 정책이 <a href="\/policies\/(gov24|youth)%3A\d+">(정부24|온통청년)<\/a>에도 실려 있습니다/);

    const open = await app.inject({ url: `/policies?q=${encodeURIComponent(RENT)}&status=open` });
    expect(open.body).toContain('name="status" value="open" checked');
    expect(open.body).not.toContain('data-status="closed"');
  });

  it('checks the 시도 and 시군구 pair and the age on the page, in Korean', async () => {
    const mismatch = await app.inject({ url: `/policies?q=${encodeURIComponent(RENT)}&sido=${encodeURIComponent('부산')}&sigungu=${encodeURIComponent('서울 강남구')}` });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('강남구은(는) 부산광역시에 속하지 않습니다');
    const badAge = await app.inject({ url: `/policies?q=${encodeURIComponent(RENT)}&age=abc` });
    expect(badAge.statusCode).toBe(400);
    expect(badAge.body).toContain('나이는 0부터 120 사이의 숫자로 입력해 주세요');
    const pair = await app.inject({ url: `/policies?q=${encodeURIComponent('구직활동 지원금')}&sido=${encodeURIComponent('서울')}&sigungu=${encodeURIComponent('서울 용산구')}` });
    expect(pair.statusCode).toBe(200);
    expect(pair.body).toContain('<option value="서울 용산구" selected>용산구</option>');
    expect(pair.body).toContain('용산구 구직활동 지원금');
  });

  it('shows ages, support conditions in Korean, the period and the status on the detail page', async () => {
    const page = await app.inject({ url: '/policies/gov24:000000465790' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<dt>나이</dt><dd>만 19세 ~ 만 34세</dd>');
    expect(page.body).toMatch(/<dt>지원 조건<\/dt><dd>[^<]*무주택세대[^<]*기준 중위소득 0~50%·51~75%/);
    expect(page.body).toMatch(/<dt>신청 기간<\/dt><dd>(\d{4}-\d{2}-\d{2} ~ )?2026-12-31(까지)?<\/dd>/);
    const doc = await onSampleDay.search.get('gov24:000000465790');
    expect(page.body).toContain(`data-status="${applicationStatus(doc, new Date())}"`);
  });

  it('rebuilds its keyword index when the catalogue changes, not per query (last: it adds a programme)', async () => {
    const before = onSampleDay.search.catalogueBuilds;
    for (let i = 0; i < 5; i += 1) await search({ q: RENT });
    expect(onSampleDay.search.catalogueBuilds).toBe(before);

    const peer = stack.peer;
    const template = peer?.data.youth[0];
    if (!peer || !template) throw new Error('no peer');
    peer.data.youth.push({ ...template, plcyNo: '20260915005409999999', plcyNm: '청년 반려식물 돌봄 바우처', plcyExplnCn: '반려식물을 키우는 청년에게 화분과 흙을 지원합니다.' });
    await stack.services.dataload.run('youth');
    // Written since the catalogue's build: read from Chroma until the next build has it.
    const added = 'youth:20260915005409999999';
    expect((await onSampleDay.search.documentsOf([added, 'gov24:999'])).map((doc) => doc.title)).toEqual(['청년 반려식물 돌봄 바우처']);
    await waitUntil(
      async () => (await search({ q: '반려식물 돌봄 바우처' })).items[0]?.title === '청년 반려식물 돌봄 바우처' && onSampleDay.search.catalogueBuilds > before,
      10_000,
      'the new programme found by name from a rebuilt catalogue',
    );
    const after = onSampleDay.search.catalogueBuilds;
    for (let i = 0; i < 5; i += 1) await search({ q: '반려식물' });
    expect(onSampleDay.search.catalogueBuilds).toBe(after);
  });
});

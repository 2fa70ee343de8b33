import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/modules/dataload/dataload.types.ts';
import { documentText } from '../../src/modules/dataload/normalise.ts';
import { loadFixtures, normaliseSample, SAMPLE_NOW } from '../../src/modules/dataload/sample-data.ts';
import {
  DEFAULT_RELEVANCE_FLOOR, duplicateKey, KeywordIndex, passesFilters, rankDocuments, searchTerms, titleMatch, type Candidate, type RankableDocument,
} from '../../src/modules/policies/policies.ranking.ts';
import { NATIONWIDE } from '../../src/utils/regions.ts';
import { dot, LexicalEmbedder } from '../../src/vector/lexical-embedder.ts';

const NOW = new Date('2026-09-15T12:00:00+09:00');

function doc(fields: Partial<RankableDocument> & Pick<RankableDocument, 'id' | 'title'>): RankableDocument {
  return {
    source: fields.id.split(':')[0] ?? 'youth', summary: '', organization: '', regionSido: null, regionSigungu: null, ageMin: null, ageMax: null,
    applyStart: null, applyEnd: null, periodKind: 'always', ...fields,
  };
}

/** Realistic listings: rent support in several places, job programmes, one programme listed by two sources. */
const LISTINGS: readonly RankableDocument[] = [
  doc({ id: 'youth:1', title: '청년월세 한시 특별지원', summary: '독립하여 사는 무주택 청년에게 월세를 지원해 주거비 부담을 덜어 줍니다.', organization: '국토교통부', ageMin: 19, ageMax: 34, applyStart: '2026-02-24', applyEnd: '2026-12-31', periodKind: 'dates' }),
  doc({ id: 'youth:2', title: '서울시 청년월세지원', summary: '서울에 사는 청년 1인 가구의 월세를 지원합니다.', organization: '서울특별시', regionSido: '서울', ageMin: 19, ageMax: 39, applyStart: '2026-04-01', applyEnd: '2026-04-30', periodKind: 'dates' }),
  doc({ id: 'youth:3', title: '경기도 청년 월세 지원사업', summary: '경기도에 거주하는 청년에게 월 임대료 일부를 지원합니다.', organization: '경기도', regionSido: '경기', ageMin: 19, ageMax: 34, applyStart: '2026-10-05', applyEnd: '2026-10-30', periodKind: 'dates' }),
  doc({ id: 'youth:4', title: '강남구 청년 월세 지원', summary: '강남구에 사는 청년의 월세를 지원합니다.', organization: '서울특별시 강남구', regionSido: '서울', regionSigungu: '강남구', ageMin: 19, ageMax: 39 }),
  doc({ id: 'youth:5', title: '마포구 청년 월세 지원', summary: '마포구에 사는 청년의 월세를 지원합니다.', organization: '서울특별시 마포구', regionSido: '서울', regionSigungu: '마포구', ageMin: 19, ageMax: 39 }),
  doc({ id: 'gov24:6', title: '주거급여', summary: '저소득층의 임차료를 지원합니다.', organization: '국토교통부' }),
  doc({ id: 'gov24:7', title: '중장년 주거 안정 월세 지원', summary: '40세 이상 무주택 가구의 월세를 지원합니다.', organization: '보건복지부', ageMin: 40, ageMax: 64 }),
  doc({ id: 'gov24:8', source: 'gov24', title: '국민취업지원제도', summary: '취업지원서비스와 구직촉진수당을 지원합니다.', organization: '고용노동부', ageMin: 15, ageMax: 69 }),
  doc({ id: 'youth:8', source: 'youth', title: '국민취업지원제도', summary: '취업을 원하는 사람에게 취업지원서비스와 생계를 지원합니다.', organization: '고용노동부', ageMin: 15, ageMax: 69 }),
  doc({ id: 'youth:9', title: '청년 면접수당 지원', summary: '구직 청년의 면접 비용 부담을 덜어 줍니다.', organization: '서울특별시 관악구', regionSido: '서울', regionSigungu: '관악구', periodKind: 'unknown' }),
  doc({ id: 'youth:10', title: '구직활동 지원금', summary: '청년의 구직활동을 응원하는 현금성 지원입니다.', organization: '고용노동부', applyEnd: '2026-03-31', periodKind: 'dates' }),
  doc({ id: 'work24:11', title: '청년 취업역량 강화 프로그램 (면접 스킬업 제3기)', summary: '서울강남고용센터에서 운영하는 구직자 취업역량 강화 프로그램입니다.', organization: '서울강남고용센터', regionSido: '서울', ageMin: 18, ageMax: 34, applyEnd: '2026-09-20', periodKind: 'dates' }),
  doc({ id: 'gov24:12', title: '아동수당', summary: '아동 양육에 드는 경제적 부담을 덜어 줍니다.', organization: '보건복지부', ageMax: 7 }),
  doc({ id: 'gov24:13', title: '청년도약계좌', summary: '청년이 5년간 목돈을 모을 수 있도록 정부기여금을 줍니다.', organization: '금융위원회', ageMin: 19, ageMax: 34 }),
];

const INDEX = new KeywordIndex(LISTINGS);
/** What a vector search would return: every listing, with a given cosine (0.2 unless said). */
const candidates = (scores: Readonly<Record<string, number>> = {}): Candidate<RankableDocument>[] =>
  LISTINGS.map((listing) => ({ doc: listing, vectorScore: scores[listing.id] ?? 0.2 }));
const ids = (results: readonly { doc: RankableDocument }[]): string[] => results.map((result) => result.doc.id);

describe('search terms', () => {
  it('splits Korean into bigrams and keeps longer words whole, other scripts into words', () => {
    expect(searchTerms('청년 월세')).toEqual(['청년', '월세']);
    expect(searchTerms('청년월세')).toEqual(['청년', '년월', '월세', '=청년월세']);
    expect(searchTerms('집')).toEqual(['집']);
    expect(searchTerms('AI 면접 체험 2026')).toEqual(['면접', '체험', 'ai', '2026']);
    expect(searchTerms('「청년」·월세!')).toEqual(['청년', '월세']);
  });
});

describe('the keyword index (BM25 on title and summary)', () => {
  it('weighs a rare word above a common one', () => {
    expect(INDEX.idf('면접')).toBeGreaterThan(INDEX.idf('청년'));
    expect(INDEX.idf('없는말')).toBeGreaterThan(INDEX.idf('면접'));
    const hits = INDEX.search('청년 면접수당', 3);
    expect(hits[0]?.id).toBe('youth:9');
  });

  it('scores 0..1: the share of the query, weighted by rarity, that a listing contains', () => {
    const terms = INDEX.queryTerms('청년 월세 지원');
    expect(INDEX.score(terms, 'youth:4')).toBe(1);
    expect(INDEX.score(terms, 'gov24:12')).toBe(0);
    // 구직활동 지원금 says 청년 and 지원 but not 월세, the rarest of the three.
    const partial = INDEX.score(terms, 'youth:10');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(0.7);
    expect(INDEX.score(terms, 'nope:1')).toBe(0);
    expect(INDEX.score([], 'youth:4')).toBe(0);
  });

  it('cuts particles and verb endings the index does not know, but keeps unknown words whole', () => {
    expect(INDEX.queryWords('월세는 지원받고 싶어요')).toEqual(['월세', '지원']);
    // 월세를 is in the listings themselves: a known word stays as it is.
    expect(INDEX.queryWords('월세를')).toEqual(['월세를']);
    expect(INDEX.queryWords('국민취업지원제도를')).toEqual(['국민취업지원제도']);
    expect(INDEX.queryWords('대학생 장학금')).toEqual(['대학생', '장학금']);
    expect(INDEX.queryWords('zzzz')).toEqual(['zzzz']);
    expect(INDEX.search('zzzz', 5)).toEqual([]);
  });

  it('leaves out function words and unknown predicates, which name no programme, but never an unknown noun', () => {
    expect(INDEX.queryWords('면접 볼 때 정장 빌려주는 곳')).toEqual(['면접', '정장', '빌려주는']);
    expect(INDEX.queryWords('월세 때문에 힘들어요')).toEqual(['월세']);
    expect(INDEX.queryWords('장학금 받을 수 있나요')).toEqual(['장학금']);
    // A known predicate is cut to its known beginning like any other word.
    expect(INDEX.queryWords('월세 지원받아요')).toEqual(['월세', '지원']);
  });
});

describe('rankDocuments', () => {
  it('ranks the exact programme name first even when the vector search liked another listing more', () => {
    const results = rankDocuments('청년도약계좌', candidates({ 'gov24:13': 0.18, 'youth:1': 0.4 }), { now: NOW }, INDEX);
    expect(ids(results)[0]).toBe('gov24:13');
    expect(titleMatch('청년도약계좌', '청년도약계좌')).toBe(1);
    expect(titleMatch('면접수당', '청년 면접수당 지원')).toBe(0.5);
    expect(titleMatch('월세', '청년 월세 지원')).toBe(0);
  });

  it('returns nothing for a query nothing answers, and says so by an empty list', () => {
    for (const query of ['대학생 장학금', 'zzzz', '자동차 보험료']) {
      expect(rankDocuments(query, candidates(), { now: NOW }, INDEX), query).toEqual([]);
    }
  });

  it('keeps the floor as a parameter', () => {
    expect(rankDocuments('대학생 장학금', candidates(), { now: NOW, floor: 0 }, INDEX).length).toBe(LISTINGS.length - 1);
    const strict = rankDocuments('청년 월세 지원', candidates(), { now: NOW, floor: 0.99 }, INDEX);
    expect(strict).toEqual([]);
    expect(DEFAULT_RELEVANCE_FLOOR).toBeGreaterThan(0);
  });

  it('gives a 45-year-old asking for youth rent support no 19–34 programme, and keeps those without an age limit', () => {
    const results = rankDocuments('청년 월세 지원', candidates(), { now: NOW, age: 45 }, INDEX);
    for (const result of results) {
      const { ageMin, ageMax } = result.doc;
      expect(ageMin === null || ageMin <= 45, result.doc.id).toBe(true);
      expect(ageMax === null || ageMax >= 45, result.doc.id).toBe(true);
    }
    expect(ids(rankDocuments('월세 지원', candidates(), { now: NOW, age: 45 }, INDEX))).toContain('gov24:7');
    expect(ids(rankDocuments('청년 월세 지원', candidates(), { now: NOW, age: 25 }, INDEX))).toEqual(
      expect.arrayContaining(['youth:1', 'youth:2', 'youth:3', 'youth:4', 'youth:5']),
    );
  });

  it('with status=open keeps what one can apply to now (open and always), and marks the rest otherwise', () => {
    const open = rankDocuments('청년 월세 지원', candidates(), { now: NOW, status: 'open' }, INDEX);
    expect(new Set(open.map((result) => result.status))).toEqual(new Set(['open', 'always']));
    expect(ids(open)).not.toContain('youth:2');
    expect(ids(open)).not.toContain('youth:3');
    const all = rankDocuments('청년 월세 지원', candidates(), { now: NOW }, INDEX);
    expect(all.find((result) => result.doc.id === 'youth:2')?.status).toBe('closed');
    expect(all.find((result) => result.doc.id === 'youth:3')?.status).toBe('upcoming');
    expect(all.find((result) => result.doc.id === 'youth:1')?.status).toBe('open');
  });

  it('filters by region: 서울 강남구 sees 전국, 서울 and 강남구 listings, not 마포구 or 경기', () => {
    const results = rankDocuments('월세 지원', candidates(), { now: NOW, region: { sido: '서울', sigungu: '강남구' } }, INDEX);
    expect(ids(results).sort()).toEqual(['gov24:7', 'youth:1', 'youth:2', 'youth:4']);
    const seoul = rankDocuments('월세 지원', candidates(), { now: NOW, region: { sido: '서울', sigungu: null } }, INDEX);
    expect(ids(seoul).sort()).toEqual(['gov24:7', 'youth:1', 'youth:2', 'youth:4', 'youth:5']);
    const nationwide = rankDocuments('월세 지원', candidates(), { now: NOW, region: NATIONWIDE }, INDEX);
    expect(ids(nationwide).sort()).toEqual(['gov24:7', 'youth:1']);
  });

  it('merges the same programme listed by two sources into one result naming both', () => {
    const results = rankDocuments('국민취업지원제도', candidates({ 'youth:8': 0.31, 'gov24:8': 0.3 }), { now: NOW }, INDEX);
    expect(ids(results)).toEqual(['youth:8']);
    expect(results[0]?.sources).toEqual([{ id: 'youth:8', source: 'youth' }, { id: 'gov24:8', source: 'gov24' }]);
    // Same title elsewhere, or from another institution, is another programme.
    expect(duplicateKey(LISTINGS[3] as RankableDocument)).not.toBe(duplicateKey({ ...(LISTINGS[3] as RankableDocument), regionSigungu: '마포구' }));
    expect(duplicateKey(LISTINGS[7] as RankableDocument)).not.toBe(duplicateKey({ ...(LISTINGS[7] as RankableDocument), organization: '보건복지부' }));
    expect(duplicateKey({ ...(LISTINGS[7] as RankableDocument), title: '국민 취업지원 제도(2026년)' })).toBe(duplicateKey(LISTINGS[7] as RankableDocument));
  });

  it('orders by score, then keyword score, then id, and reports both parts', () => {
    const results = rankDocuments('청년 월세 지원', candidates({ 'youth:4': 0.5 }), { now: NOW, floor: 0 }, INDEX);
    expect(results[0]?.doc.id).toBe('youth:4');
    const scores = results.map((result) => result.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const result of results) {
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(1);
      expect(result.keywordScore).toBeGreaterThanOrEqual(0);
    }
  });

  it('scores listings the index has not seen with an index of their own', () => {
    const late = doc({ id: 'youth:99', title: '청년 이사비 지원', summary: '이사에 드는 비용을 지원합니다.' });
    const results = rankDocuments('이사비', [...candidates(), { doc: late, vectorScore: 0.3 }], { now: NOW }, INDEX);
    expect(ids(results)[0]).toBe('youth:99');
  });

  it('passesFilters treats unknown ages as eligible and unknown status as not open', () => {
    expect(passesFilters(doc({ id: 'x:1', title: 't' }), { now: NOW, age: 80 })).toBe(true);
    expect(passesFilters(doc({ id: 'x:1', title: 't', ageMin: 19 }), { now: NOW, age: 18 })).toBe(false);
    expect(passesFilters(doc({ id: 'x:1', title: 't', ageMax: 34 }), { now: NOW, age: 35 })).toBe(false);
    expect(passesFilters(doc({ id: 'x:1', title: 't', ageMin: 19, ageMax: 34 }), { now: NOW, age: 34 })).toBe(true);
    expect(passesFilters(doc({ id: 'x:1', title: 't', periodKind: 'unknown' }), { now: NOW, status: 'open' })).toBe(false);
    expect(passesFilters(doc({ id: 'x:1', title: 't', periodKind: 'unknown' }), { now: NOW, status: 'any' })).toBe(true);
  });
});

describe('on the sample data with the built-in lexical embedder (a brute-force vector search)', () => {
  let docs: PolicyDocument[];
  let index: KeywordIndex;
  let search: (query: string, filters?: { age?: number; status?: 'any' | 'open' }) => ReturnType<typeof rankDocuments<PolicyDocument>>;

  beforeAll(async () => {
    docs = normaliseSample(await loadFixtures());
    const embedder = new LexicalEmbedder();
    const vectors = docs.map((item) => embedder.embedOne(documentText(item)));
    index = new KeywordIndex(docs);
    search = (query, filters = {}) => {
      const q = embedder.embedOne(query);
      const hits = docs.map((item, at) => ({ doc: item, vectorScore: dot(q, vectors[at] ?? []) }));
      const top = hits.sort((a, b) => b.vectorScore - a.vectorScore).slice(0, 200);
      return rankDocuments(query, top, { now: SAMPLE_NOW, ...filters }, index);
    };
  });

  it('puts exact programme names first', () => {
    for (const name of ['청년월세 한시 특별지원', '국민취업지원제도', '아동수당', '청년도약계좌', '서울시 청년월세지원']) {
      expect(search(name)[0]?.doc.title, name).toBe(name);
    }
  });

  it('answers nothing-relevant queries with nothing', () => {
    for (const query of ['대학생 장학금', 'zzzz', '자동차 보험료', '해외 유학 지원']) expect(search(query), query).toEqual([]);
  });

  it('gives a 45-year-old no youth rent programme, and shows the same programme once', () => {
    expect(search('청년 월세 지원').slice(0, 5).every((result) => result.doc.title.includes('월세'))).toBe(true);
    expect(search('청년 월세 지원', { age: 45 }).filter((result) => result.doc.title.includes('월세'))).toEqual([]);
    const jobs = search('국민취업지원제도');
    expect(jobs.filter((result) => result.doc.title === '국민취업지원제도')).toHaveLength(1);
    expect(jobs[0]?.sources.map((source) => source.source).sort()).toEqual(['gov24', 'youth']);
  });

  it('keeps only programmes open now when asked', () => {
    const open = search('청년 월세 지원', { status: 'open' });
    expect(open.length).toBeGreaterThan(0);
    for (const result of open) expect(['open', 'always']).toContain(result.status);
  });
});

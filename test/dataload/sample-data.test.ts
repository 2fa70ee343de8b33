import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/modules/dataload/dataload.types.ts';
import { FIXTURE_COUNTS, generateDataset, loadFixtures, normaliseSample, SAMPLE_NOW, type SampleDataset } from '../../src/modules/dataload/sample-data.ts';
import { work24Key } from '../../src/modules/dataload/sources/work24.ts';
import { applicationStatus } from '../../src/utils/application-period.ts';

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => seen.size === seen.add(value).size);
}

describe('the bundled fixtures, normalised', () => {
  let data: SampleDataset;
  let docs: PolicyDocument[];
  beforeAll(async () => {
    data = await loadFixtures();
    docs = normaliseSample(data);
  });

  it('normalise every record, with no two records of a source sharing a title', () => {
    expect(docs).toHaveLength(FIXTURE_COUNTS.gov24 + FIXTURE_COUNTS.youth + FIXTURE_COUNTS.work24);
    for (const source of ['gov24', 'youth', 'work24'] as const) {
      expect(duplicates(docs.filter((doc) => doc.source === source).map((doc) => doc.title)), source).toEqual([]);
    }
    expect(duplicates(docs.map((doc) => doc.id))).toEqual([]);
  });

  it('hold open, closed, upcoming and always-open programmes in every source as of the reference day', () => {
    const statuses = (source: string): Set<string> => new Set(docs.filter((doc) => doc.source === source).map((doc) => applicationStatus(doc, SAMPLE_NOW)));
    expect([...statuses('youth')].sort()).toEqual(['always', 'closed', 'open', 'unknown', 'upcoming']);
    expect([...statuses('gov24')].sort()).toEqual(['always', 'closed', 'open', 'unknown', 'upcoming']);
    expect([...statuses('work24')].sort()).toEqual(['closed', 'open']);
    const share = (status: string): number => docs.filter((doc) => applicationStatus(doc, SAMPLE_NOW) === status).length / docs.length;
    for (const status of ['open', 'closed', 'always']) expect(share(status), status).toBeGreaterThan(0.15);
    expect(share('upcoming')).toBeGreaterThan(0.05);
    expect(share('unknown')).toBeLessThan(0.1);
    // Everything is dated in 2026.
    for (const doc of docs) for (const day of [doc.applyStart, doc.applyEnd]) if (day && doc.periodKind !== 'annual') expect(day.slice(0, 4), doc.id).toBe('2026');
  });

  it('send ages the way the live 온통청년 API does: mostly flag N with real ages, some Y, some none', () => {
    const flagN = data.youth.filter((item) => item.sprtTrgtAgeLmtYn === 'N' && Number(item.sprtTrgtMinAge) > 0);
    expect(flagN.length).toBeGreaterThan(data.youth.length / 2);
    expect(data.youth.some((item) => item.sprtTrgtAgeLmtYn === 'Y')).toBe(true);
    const youthDocs = docs.filter((doc) => doc.source === 'youth');
    expect(youthDocs.filter((doc) => doc.ageMin !== null).length).toBeGreaterThan(youthDocs.length * 0.8);
    expect(youthDocs.some((doc) => doc.ageMin === null && doc.ageMax === null)).toBe(true);
  });

  it('join 정부24 support conditions for most services, and leave some without', () => {
    const gov = docs.filter((doc) => doc.source === 'gov24');
    const joined = gov.filter((doc) => doc.conditions !== null);
    expect(joined.length).toBeGreaterThan(gov.length * 0.8);
    expect(joined.length).toBeLessThan(gov.length);
    expect(gov.some((doc) => doc.conditions?.incomeBands.length)).toBe(true);
    expect(gov.some((doc) => doc.target.includes('지원 조건: '))).toBe(true);
    for (const row of data.gov24Conditions) {
      expect(Object.keys(row).filter((key) => key.startsWith('JA')).length).toBeGreaterThanOrEqual(48);
      for (const [key, value] of Object.entries(row)) {
        if (key === 'JA0110' || key === 'JA0111') expect(value === null || Number.isInteger(value), key).toBe(true);
        else if (key.startsWith('JA')) expect([null, 'Y'], key).toContain(value);
      }
    }
  });

  it('give 고용24 programmes morning and afternoon starts on a 12-hour clock', () => {
    expect(new Set(data.work24.map((item) => item.openTimeClcd))).toEqual(new Set(['1', '2']));
    const afternoon = docs.filter((doc) => doc.source === 'work24' && /시작시간: 1[2-9]:/.test(doc.content));
    expect(afternoon.length).toBeGreaterThan(10);
    for (const item of data.work24) expect(item.openTime, item.pgmSubNm).toMatch(/^(0\d|1[0-2]):\d{2}$/);
  });

  it('place documents across the hierarchy: 전국, whole 시도 and single 시군구', () => {
    const kinds = new Set(docs.map((doc) => (doc.regionSigungu ? 'sigungu' : doc.regionSido ? 'sido' : 'nation')));
    expect(kinds).toEqual(new Set(['nation', 'sido', 'sigungu']));
    for (const doc of docs) expect(doc.regionKey, doc.id).toBe(doc.regionSido ?? '전국');
    expect(new Set(docs.map((doc) => doc.regionSido)).size).toBeGreaterThan(12);
  });

  it('list three programmes in both 정부24 and 온통청년 under the same name, ministry and scope', () => {
    for (const title of ['국민취업지원제도', '청년도약계좌', '국민내일배움카드']) {
      const listed = docs.filter((doc) => doc.title === title);
      expect(listed.map((doc) => doc.source).sort(), title).toEqual(['gov24', 'youth']);
      expect(new Set(listed.map((doc) => `${doc.organization}|${String(doc.regionSido)}`)).size, title).toBe(1);
    }
  });

  it('keep 월세 to the five rent records and 장학금 out of the sample', () => {
    const rent = docs.filter((doc) => `${doc.title} ${doc.summary} ${doc.content}`.includes('월세'));
    expect(rent.map((doc) => doc.id).sort()).toEqual([
      'gov24:000000465790', 'youth:20250301005400211201', 'youth:20250415005400211377', 'youth:20250512005400211562', 'youth:20250620005400211899',
    ]);
    expect(docs.filter((doc) => JSON.stringify(doc).includes('장학금'))).toEqual([]);
  });
});

describe('generateDataset (the 10,000-record bench data)', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const counts = { gov24: 50, youth: 50, work24: 50 };
    expect(generateDataset(counts, 7)).toEqual(generateDataset(counts, 7));
    expect(generateDataset(counts, 8).youth.map((item) => item.plcyNm)).not.toEqual(generateDataset(counts, 7).youth.map((item) => item.plcyNm));
  });

  it('generates 10,000 records without a repeated title or key', () => {
    const data = generateDataset({ gov24: 3334, youth: 3333, work24: 3333 }, 7);
    expect(duplicates(data.gov24List.map((item) => String(item['서비스명'])))).toEqual([]);
    expect(duplicates(data.gov24List.map((item) => String(item['서비스ID'])))).toEqual([]);
    expect(duplicates(data.youth.map((item) => item.plcyNm ?? ''))).toEqual([]);
    expect(duplicates(data.youth.map((item) => item.plcyNo ?? ''))).toEqual([]);
    expect(duplicates(data.work24.map((item) => work24Key(item)))).toEqual([]);
    expect(duplicates(data.work24.map((item) => `${item.pgmNm ?? ''} ${item.pgmSubNm ?? ''}`))).toEqual([]);
    expect(data.youth.every((item) => /^\d{20}$/.test(item.plcyNo ?? ''))).toBe(true);
  });

  it('keeps titles unique even past every (template, place) pair, with a round suffix', () => {
    const data = generateDataset({ gov24: 10, youth: 8_000, work24: 0 }, 3, false);
    const titles = data.youth.map((item) => item.plcyNm ?? '');
    expect(duplicates(titles)).toEqual([]);
    expect(titles.some((title) => title.endsWith('(2차)'))).toBe(true);
  });
});

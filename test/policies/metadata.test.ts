import { describe, expect, it } from 'vitest';
import { loadFixtures, normaliseSample } from '../../src/modules/dataload/sample-data.ts';
import { entryOf, searchMetadataOf, whereOf } from '../../src/modules/policies/policies.metadata.ts';

describe('search metadata in Chroma', () => {
  it('reads back every structured field a document was stored with, nulls included', async () => {
    const docs = normaliseSample(await loadFixtures());
    for (const doc of docs) {
      const entry = entryOf(doc.id, { source: doc.source, title: doc.title, summary: doc.summary, region: doc.region, url: doc.url, ...searchMetadataOf(doc) });
      expect(entry, doc.id).toMatchObject({
        regionSido: doc.regionSido,
        regionSigungu: doc.regionSigungu,
        ageMin: doc.ageMin,
        ageMax: doc.ageMax,
        applyStart: doc.applyStart,
        applyEnd: doc.applyEnd,
        periodKind: doc.periodKind,
        organization: doc.organization,
      });
    }
  });

  it('reads a document stored before the structured fields as nationwide with unknown ages and period, and a foreign source as nothing', () => {
    expect(entryOf('youth:1', { source: 'youth', title: '청년월세', region: '서울특별시' })).toMatchObject({
      regionSido: null, regionSigungu: null, ageMin: null, ageMax: null, applyStart: null, applyEnd: null, periodKind: 'unknown',
    });
    expect(entryOf('x:1', { source: 'elsewhere', title: 't' })).toBeUndefined();
  });

  it('turns the filters into a where: 전국 or the 시도 and 시군구, known age bounds, and a superset of what is open', () => {
    expect(whereOf({ region: { sido: '서울', sigungu: '강남구' }, age: 27, source: 'youth' })).toEqual({
      filter: { source: 'youth', regionSido: ['', '서울'], regionSigungu: ['', '강남구'], ageMin: { lte: 27 }, ageMax: { gte: 27 } },
      anyOf: [],
    });
    expect(whereOf({ region: { sido: null, sigungu: null } }).filter).toEqual({ regionSido: '' });
    expect(whereOf({ openOn: '2026-09-15' }).anyOf).toEqual([
      { periodKind: ['always', 'annual'] },
      { periodKind: ['dates', 'untilBudget'], applyStartDay: { lte: 20260915 }, applyEndDay: { gte: 20260915 } },
    ]);
  });
});

import { NATIONWIDE, regionInText } from '../../../utils/regions.ts';
import type { PolicyDocument } from '../dataload.types.ts';
import { conditionsText, NO_AGE, supportConditionAges, supportConditionsOf } from '../eligibility.ts';
import { clean, formatDate, joinParts, regionFields, splitMulti } from '../normalise.ts';
import { parsePeriod, yearOf } from '../period.ts';
import type { Parsed, PublicApiFailure, RawResponse } from '../public-api-client.ts';
import { incompleteListing, isRecord, parseJson, withQuery, type Source, type SourcePage } from './source.ts';

/** A 정부24 serviceList, serviceDetail or supportConditions item: Korean or JA keys, string values (some null). */
export type Gov24Item = Record<string, string | number | null>;

interface Gov24Page {
  totalCount: number;
  items: Gov24Item[];
}

/** The odcloud gateway's error codes; the status code is not reliable, the body is. */
function classifyGov24Code(code: number): PublicApiFailure {
  if (code === -4 || code === -401) return 'auth';
  if (code === -10) return 'quota';
  if (code === -1 || code === -999) return 'server';
  return 'rejected';
}

export function parseGov24(response: RawResponse): Parsed<Gov24Page> {
  const body = parseJson(response.body);
  if (!isRecord(body)) {
    if (response.status === 401 || response.status === 403) {
      return { ok: false, failure: 'auth', detail: `HTTP ${response.status}` };
    }
    return { ok: false, failure: 'malformed', detail: `JSON이 아닌 응답 (HTTP ${response.status}, ${Buffer.byteLength(response.body)} bytes)` };
  }
  if (typeof body.code === 'number' && !Array.isArray(body.data)) {
    const msg = typeof body.msg === 'string' ? body.msg : '';
    return { ok: false, failure: classifyGov24Code(body.code), detail: `code ${body.code}: ${msg}` };
  }
  if (!Array.isArray(body.data)) {
    return { ok: false, failure: 'malformed', detail: `data 배열이 없는 응답 (HTTP ${response.status})` };
  }
  const total = Number(body.totalCount ?? body.matchCount);
  return {
    ok: true,
    value: { totalCount: Number.isFinite(total) ? total : body.data.length, items: body.data.filter(isRecord) as Gov24Item[] },
  };
}

/**
 * One 정부24 service from its serviceList row, joined on 서비스ID with its serviceDetail and
 * supportConditions rows when the source has them.
 */
export function normaliseGov24(item: Gov24Item, detail: Gov24Item | undefined, conditionsRow?: Gov24Item): PolicyDocument | undefined {
  const nativeId = clean(item['서비스ID']);
  const title = clean(item['서비스명']) || clean(detail?.['서비스명']);
  if (!nativeId || !title) return undefined;
  const organization = clean(item['소관기관명']) || clean(detail?.['소관기관명']);
  const orgType = clean(item['소관기관유형']);
  const region = orgType === '중앙행정기관' ? NATIONWIDE : regionInText(organization);
  const contact = joinParts(
    [...splitMulti(detail?.['문의처']), ...splitMulti(item['전화문의'])].filter((value, index, all) => all.indexOf(value) === index),
    ', ',
  );
  const conditions = conditionsRow ? supportConditionsOf(conditionsRow) : null;
  const ages = conditionsRow ? supportConditionAges(conditionsRow) : NO_AGE;
  const conditionLine = conditions ? conditionsText(conditions, ages) : '';
  const updatedAt = formatDate(item['수정일시'] ?? detail?.['수정일시']);
  const period = clean(item['신청기한']) || clean(detail?.['신청기한']);
  return {
    id: `gov24:${nativeId}`,
    source: 'gov24',
    nativeId,
    title,
    summary: clean(item['서비스목적요약']) || clean(detail?.['서비스목적']),
    target: joinParts([
      clean(item['지원대상']) || clean(detail?.['지원대상']),
      clean(item['선정기준']) || clean(detail?.['선정기준']),
      conditionLine ? `지원 조건: ${conditionLine}` : '',
    ]),
    content: clean(item['지원내용']) || clean(detail?.['지원내용']),
    ...regionFields(region),
    ...ages,
    category: clean(item['서비스분야']),
    period,
    // A date without a year (`5.1.~5.31.`) belongs to the year the service was last edited.
    ...parsePeriod(period, yearOf(updatedAt)),
    conditions,
    applyMethod: splitMulti(item['신청방법'] ?? detail?.['신청방법']).join(', '),
    documents: splitMulti(detail?.['구비서류']).join(', '),
    contact,
    organization,
    url: clean(item['상세조회URL']) || clean(detail?.['온라인신청사이트URL']) || `https://www.gov.kr/portal/rcvfvrSvc/dtlEx/${nativeId}`,
    updatedAt,
  };
}

/**
 * 정부24: serviceDetail and supportConditions pages first (kept by 서비스ID), then serviceList
 * pages joined with them. Paging the two side endpoints costs ~22 calls for the whole catalogue,
 * where one call per service would cost ~11,000 each, more than a development key's daily quota.
 */
export const gov24Source: Source = {
  name: 'gov24',
  async *pages(client, endpoint) {
    const perPage = endpoint.pageSize ?? 500;
    const base = endpoint.baseUrl.replace(/\/+$/, '');
    const request = (path: string, page: number): Promise<Gov24Page> =>
      client.get(
        withQuery(`${base}/${path}`, { page, perPage, returnType: 'JSON', serviceKey: endpoint.apiKey }),
        parseGov24,
      );

    let requestNo = 0;
    const joined: Record<'serviceDetail' | 'supportConditions', Map<string, Gov24Item>> = {
      serviceDetail: new Map(),
      supportConditions: new Map(),
    };
    for (const path of ['serviceDetail', 'supportConditions'] as const) {
      let pages: number | undefined;
      for (let page = 1; pages === undefined || page <= pages; page += 1) {
        const result = await request(path, page);
        pages = Math.max(1, Math.ceil(result.totalCount / perPage));
        for (const item of result.items) joined[path].set(clean(item['서비스ID']), item);
        requestNo += 1;
        yield { page: requestNo, pages: undefined, total: undefined, documents: [], failed: 0 } satisfies SourcePage;
        if (result.items.length === 0) break;
      }
    }

    let listPages: number | undefined;
    let seen = 0;
    let total = 0;
    for (let page = 1; listPages === undefined || page <= listPages; page += 1) {
      const result = await request('serviceList', page);
      total = result.totalCount;
      listPages = Math.ceil(total / perPage);
      if (result.items.length === 0) break;
      seen += result.items.length;
      const documents: PolicyDocument[] = [];
      let failed = 0;
      for (const item of result.items) {
        const id = clean(item['서비스ID']);
        const doc = normaliseGov24(item, joined.serviceDetail.get(id), joined.supportConditions.get(id));
        if (doc) documents.push(doc);
        else failed += 1;
      }
      requestNo += 1;
      yield { page: requestNo, pages: requestNo - page + listPages, total, documents, failed };
    }
    if (seen < total) throw incompleteListing('gov24', seen, total);
  },
};

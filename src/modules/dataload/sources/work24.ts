import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { regionInText } from '../../../utils/regions.ts';
import type { PolicyDocument } from '../dataload.types.ts';
import { ageRangeInText } from '../eligibility.ts';
import { clean, formatYmd, joinParts, regionFields } from '../normalise.ts';
import { work24Period } from '../period.ts';
import type { Parsed, PublicApiFailure, RawResponse } from '../public-api-client.ts';
import { incompleteListing, isRecord, withQuery, type Source } from './source.ts';

/** A 고용24 `<empPgmSchdInvite>` programme: child elements as strings. */
export type Work24Item = Record<string, string>;

interface Work24Page {
  total: number;
  items: Work24Item[];
}

const parser = new XMLParser({
  // Dates and ids must stay strings (`20260105`, leading zeros).
  parseTagValue: false,
  ignoreAttributes: true,
  trimValues: true,
  isArray: (name) => name === 'empPgmSchdInvite',
});

/**
 * Whether a body is one whole XML document: it closes the element it opened. A body cut off in
 * transit (or an HTML error page) fails this, where a lenient parser would return half the items.
 */
function isCompleteXml(body: string): boolean {
  const root = /^(?:<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*)[^>]*?(\/?)>/.exec(body);
  if (!root) return false;
  return root[2] === '/' ? body.endsWith('/>') : body.endsWith(`</${root[1] ?? ''}>`);
}

function classifyWork24Error(message: string): PublicApiFailure {
  if (message.includes('인증키') || message.includes('authKey')) return 'auth';
  if (message.includes('초과')) return 'quota';
  return 'rejected';
}

/** 고용24 answers HTTP 200 for errors too: the body decides. */
export function parseWork24(response: RawResponse): Parsed<Work24Page> {
  const body = response.body.trim();
  if (body === '') return { ok: false, failure: 'malformed', detail: `빈 응답 (HTTP ${response.status})` };
  if (!isCompleteXml(body)) {
    return { ok: false, failure: 'malformed', detail: `XML이 아닌 응답 또는 잘린 응답 (HTTP ${response.status}, ${Buffer.byteLength(body)} bytes)` };
  }
  const document: unknown = parser.parse(body);
  if (!isRecord(document)) return { ok: false, failure: 'malformed', detail: '해석할 수 없는 XML' };
  const go24 = document.GO24;
  if (isRecord(go24) || typeof go24 === 'string') {
    const message = isRecord(go24) ? clean(go24.error) : clean(go24);
    return { ok: false, failure: classifyWork24Error(message), detail: message || 'GO24 오류' };
  }
  const root = Object.values(document).find(isRecord);
  if (!root) return { ok: false, failure: 'malformed', detail: '루트 요소가 없는 XML' };
  if (clean(root.messageCd) === '006') return { ok: true, value: { total: 0, items: [] } };
  if (root.total === undefined) {
    return { ok: false, failure: 'malformed', detail: `<total>이 없는 응답${root.message ? `: ${clean(root.message)}` : ''}` };
  }
  const rawItems = Array.isArray(root.empPgmSchdInvite) ? root.empPgmSchdInvite : [];
  const items = rawItems.filter(isRecord).map((item) => {
    const strings: Work24Item = {};
    for (const [key, value] of Object.entries(item)) strings[key] = clean(value);
    return strings;
  });
  return { ok: true, value: { total: Number(clean(root.total)) || 0, items } };
}

/**
 * The programme list has no id: the key is derived from what identifies one session of a
 * programme (centre, name, course, start date), so the same session keeps its id week to week.
 */
export function work24Key(item: Work24Item): string {
  const identity = [item.orgNm, item.pgmNm, item.pgmSubNm, item.pgmStdt].map((value) => clean(value)).join('|');
  return createHash('sha256').update(identity).digest('hex').slice(0, 20);
}

/**
 * The start time on a 24-hour clock. 고용24 sends `openTime` on a 12-hour clock with
 * `openTimeClcd` 1 (오전) or 2 (오후) beside it (217L01 spec: "오후 10시 > 10:00"), so 01:30 with 2
 * is 13:30. A time already past 12 is kept; an unknown code or an unreadable time is returned as sent.
 */
export function openTime24(code: string, time: string): string {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!match) return time.trim();
  const hour = Number(match[1]);
  const minutes = match[2] ?? '00';
  if (hour > 23 || Number(minutes) > 59) return time.trim();
  let hour24 = hour;
  if (code === '2' && hour >= 1 && hour <= 11) hour24 = hour + 12;
  else if (code === '1' && hour === 12) hour24 = 0;
  else if (code !== '1' && code !== '2') return time.trim();
  return `${String(hour24).padStart(2, '0')}:${minutes}`;
}

/**
 * Where a person can find the programme on 고용24. The API publishes no programme id and no
 * link, so this is 고용24's site search (통합검색, the GET form other clients link to) for the
 * programme name: the name is what 고용24 itself displays, while centre names are written several
 * ways (서울강남고용센터, 강남고용센터) and would narrow an all-words search to nothing.
 */
export function work24SearchUrl(programmeName: string): string {
  const url = new URL('https://www.work24.go.kr/cm/f/c/0100/selectUnifySearch.do');
  url.searchParams.set('topQuerySearchArea', 'all');
  url.searchParams.set('topQueryData', programmeName);
  return url.toString();
}

export function normaliseWork24(item: Work24Item): PolicyDocument | undefined {
  const title = joinParts([clean(item.pgmNm), clean(item.pgmSubNm) ? `(${clean(item.pgmSubNm)})` : ''], ' ');
  if (!clean(item.pgmNm) || !clean(item.orgNm)) return undefined;
  const nativeId = work24Key(item);
  const organization = clean(item.orgNm);
  // A centre serves several 시군구 and its name's short forms are ambiguous: the 시도 is what is sure.
  const { sido } = regionInText(organization);
  const start = formatYmd(item.pgmStdt);
  const end = formatYmd(item.pgmEndt);
  const openTime = openTime24(clean(item.openTimeClcd), clean(item.openTime));
  const target = clean(item.pgmTarget);
  return {
    id: `work24:${nativeId}`,
    source: 'work24',
    nativeId,
    title,
    summary: `${organization}에서 운영하는 구직자 취업역량 강화 프로그램입니다.`,
    target,
    content: joinParts([
      clean(item.pgmSubNm) ? `과정명: ${clean(item.pgmSubNm)}` : '',
      clean(item.operationTime) ? `운영시간: ${clean(item.operationTime)}` : '',
      openTime ? `시작시간: ${openTime}` : '',
      clean(item.openPlcCont) ? `개최장소: ${clean(item.openPlcCont)}` : '',
    ]),
    ...regionFields({ sido, sigungu: null }),
    ...ageRangeInText(target),
    category: '취업지원',
    period: start && end ? `${start} ~ ${end}` : start || end,
    ...work24Period(clean(item.pgmStdt)),
    conditions: null,
    applyMethod: `${organization}에 방문하거나 전화로 신청`,
    documents: '',
    contact: organization,
    organization,
    url: work24SearchUrl(clean(item.pgmNm)),
    updatedAt: '',
  };
}

/** 고용24 구직자취업역량강화프로그램 (217L01), paged by startPage/display (≤ 100). */
export const work24Source: Source = {
  name: 'work24',
  async *pages(client, endpoint) {
    const display = Math.min(endpoint.pageSize ?? 100, 100);
    let pages: number | undefined;
    let seen = 0;
    let total = 0;
    for (let page = 1; pages === undefined || page <= pages; page += 1) {
      const url = withQuery(endpoint.baseUrl, { authKey: endpoint.apiKey, returnType: 'XML', startPage: page, display });
      const result = await client.get(url, parseWork24);
      total = result.total;
      pages = Math.ceil(total / display);
      if (result.items.length === 0) break;
      seen += result.items.length;
      const documents: PolicyDocument[] = [];
      let failed = 0;
      for (const item of result.items) {
        const doc = normaliseWork24(item);
        if (doc) documents.push(doc);
        else failed += 1;
      }
      yield { page, pages, total, documents, failed };
    }
    if (seen < total) throw incompleteListing('work24', seen, total);
  },
};

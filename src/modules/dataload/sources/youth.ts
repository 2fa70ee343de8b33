import { NATIONWIDE, regionInText, regionOfCodes, type Region } from '../../../utils/regions.ts';
import type { PolicyDocument } from '../dataload.types.ts';
import { ageBounds, ageText, type AgeRange } from '../eligibility.ts';
import { clean, formatDate, formatYmd, joinParts, regionFields } from '../normalise.ts';
import { youthPeriod } from '../period.ts';
import type { Parsed, RawResponse } from '../public-api-client.ts';
import { incompleteListing, isRecord, parseJson, withQuery, type Source } from './source.ts';

/** An 온통청년 policy: ~60 keys, every value a string, blanks as `" "`. */
export type YouthItem = Record<string, string>;

interface YouthPage {
  totCount: number;
  items: YouthItem[];
}

export function parseYouth(response: RawResponse): Parsed<YouthPage> {
  const body = parseJson(response.body);
  if (!isRecord(body)) {
    if (response.status === 401 || response.status === 403) return { ok: false, failure: 'auth', detail: `HTTP ${response.status}` };
    return { ok: false, failure: 'malformed', detail: `JSON이 아닌 응답 (HTTP ${response.status}, ${Buffer.byteLength(response.body)} bytes)` };
  }
  if (typeof body.errorCode === 'string') {
    const detail = `${body.errorCode}: ${typeof body.errorMsg === 'string' ? body.errorMsg : ''} (HTTP ${response.status})`;
    return { ok: false, failure: body.errorCode === 'e001' || response.status === 403 ? 'auth' : 'rejected', detail };
  }
  const resultCode = Number(body.resultCode);
  if (resultCode !== 200) {
    const message = typeof body.resultMessage === 'string' ? body.resultMessage : '';
    return { ok: false, failure: resultCode >= 500 ? 'server' : 'rejected', detail: `resultCode ${String(body.resultCode)}: ${message}` };
  }
  const result = isRecord(body.result) ? body.result : undefined;
  const paging = result && isRecord(result.pagging) ? result.pagging : undefined;
  if (!result || !paging || !Array.isArray(result.youthPolicyList)) {
    return { ok: false, failure: 'malformed', detail: 'result.pagging 또는 result.youthPolicyList가 없는 응답' };
  }
  const items = result.youthPolicyList.filter(isRecord).map((item) => {
    const strings: YouthItem = {};
    for (const [key, value] of Object.entries(item)) strings[key] = typeof value === 'string' ? value : clean(value);
    return strings;
  });
  return { ok: true, value: { totCount: Number(paging.totCount), items } };
}

const APPLY_PERIOD_KINDS: Readonly<Record<string, string>> = { '0057002': '상시', '0057003': '마감' };

/**
 * The ages, whenever the source sends them: `sprtTrgtAgeLmtYn` is not trusted, since live data
 * says `N` ("no age limit") on policies whose ages are real (68 of 70 in one sample, 18–39).
 */
export function youthAges(item: YouthItem): AgeRange {
  return ageBounds(clean(item.sprtTrgtMinAge), clean(item.sprtTrgtMaxAge));
}

/** 중앙부처 (0054001) policies are nationwide; otherwise the `zipCd` codes, else the institution's name. */
function youthRegion(item: YouthItem, organization: string): Region {
  if (clean(item.pvsnInstGroupCd) === '0054001') return NATIONWIDE;
  return regionOfCodes(clean(item.zipCd)) ?? regionInText(organization);
}

export function normaliseYouth(item: YouthItem): PolicyDocument | undefined {
  const nativeId = clean(item.plcyNo);
  const title = clean(item.plcyNm);
  if (!nativeId || !title) return undefined;
  const organization = clean(item.sprvsnInstCdNm) || clean(item.rgtrInstCdNm);
  const applyDates = clean(item.aplyYmd);
  const periodCode = clean(item.aplyPrdSeCd);
  const category = joinParts([clean(item.lclsfNm), clean(item.mclsfNm)], ' > ');
  const ages = youthAges(item);
  return {
    id: `youth:${nativeId}`,
    source: 'youth',
    nativeId,
    title,
    summary: clean(item.plcyExplnCn),
    target: joinParts([ageText(ages), clean(item.addAplyQlfcCndCn), clean(item.ptcpPrpTrgtCn)]),
    content: joinParts([clean(item.plcySprtCn), clean(item.etcMttrCn)]),
    ...regionFields(youthRegion(item, organization)),
    ...ages,
    category,
    period: applyDates
      ? applyDates.split('~').map((part) => formatYmd(part.trim())).join(' ~ ')
      : (APPLY_PERIOD_KINDS[periodCode] ?? ''),
    ...youthPeriod(periodCode, applyDates),
    conditions: null,
    applyMethod: joinParts([clean(item.plcyAplyMthdCn), clean(item.srngMthdCn)]),
    documents: clean(item.sbmsnDcmntCn),
    contact: joinParts([clean(item.operInstCdNm), clean(item.operInstPicNm)], ' '),
    organization,
    url:
      clean(item.aplyUrlAddr) ||
      clean(item.refUrlAddr1) ||
      `https://www.youthcenter.go.kr/youthPolicy/ythPlcyTotalSearch/ythPlcyDetail/${nativeId}`,
    updatedAt: formatDate(item.lastMdfcnDt) || formatDate(item.frstRegDt),
  };
}

/** 온통청년 getPlcy, paged by pageNum/pageSize (100: some deployments cap it there). */
export const youthSource: Source = {
  name: 'youth',
  async *pages(client, endpoint) {
    const pageSize = endpoint.pageSize ?? 100;
    let pages: number | undefined;
    let seen = 0;
    let total = 0;
    for (let page = 1; pages === undefined || page <= pages; page += 1) {
      const url = withQuery(endpoint.baseUrl, { apiKeyNm: endpoint.apiKey, pageNum: page, pageSize, rtnType: 'json', pageType: 1 });
      const result = await client.get(url, parseYouth);
      total = result.totCount;
      pages = Math.ceil(total / pageSize);
      if (result.items.length === 0) break;
      seen += result.items.length;
      const documents: PolicyDocument[] = [];
      let failed = 0;
      for (const item of result.items) {
        const doc = normaliseYouth(item);
        if (doc) documents.push(doc);
        else failed += 1;
      }
      yield { page, pages, total, documents, failed };
    }
    if (seen < total) throw incompleteListing('youth', seen, total);
  },
};

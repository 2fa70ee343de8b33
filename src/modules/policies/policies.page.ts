import { html, rawHtml, type SafeHtml } from '../../utils/html.ts';
import type { PolicyDocument, SourceName } from '../dataload/dataload.types.ts';
import { SOURCE_INFO, SOURCE_NAMES } from '../dataload/dataload.types.ts';
import type { SearchItem } from './policies.service.ts';

/** Only http(s) links reach an href: a source could otherwise smuggle `javascript:` in. */
export function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;line-height:1.6;color:#1f2933;background:#f5f7fa}
main{max-width:760px;margin:0 auto;padding:16px}h1{font-size:1.5rem;margin:.5rem 0 1rem}a{color:#1c5fd4}
form.search{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:16px}form.search input[type=search]{flex:1 1 100%;padding:12px;font-size:1rem;border:1px solid #cbd2d9;border-radius:8px}
form.search select,form.search button{padding:10px;font-size:1rem;border-radius:8px;border:1px solid #cbd2d9;background:#fff}form.search button{background:#1c5fd4;color:#fff;border-color:#1c5fd4;flex:1 0 auto}
ol.results{list-style:none;padding:0;margin:0}ol.results li{background:#fff;border-radius:10px;padding:14px 16px;margin-bottom:10px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.meta{font-size:.85rem;color:#52606d}.badge{display:inline-block;padding:0 6px;margin-right:6px;border-radius:4px;background:#e4ecfb;color:#1c4fa8;font-size:.8rem}
.summary{margin:.3rem 0 0}.nav{display:flex;justify-content:space-between;margin:16px 0}.notice{background:#fff8e1;padding:12px;border-radius:8px}
dl{background:#fff;padding:16px;border-radius:10px}dt{font-weight:600;margin-top:10px}dd{margin:0;white-space:pre-line}
@media (min-width:600px){form.search input[type=search]{flex:1 1 auto}}
`;

/** The page shell: Korean, mobile-friendly, no scripts, no external fonts or CDNs. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · AInfo</title><style>${rawHtml(STYLE)}</style></head>
<body><main>${body}</main></body></html>`.__html;
}

export interface SearchPageInput {
  q: string;
  source: SourceName | undefined;
  region: string | undefined;
  regions: readonly string[];
  offset: number;
  limit: number;
  items: SearchItem[] | undefined;
  error: string | undefined;
}

function pageLink(input: SearchPageInput, offset: number): string {
  const params = new URLSearchParams({ q: input.q });
  if (input.source) params.set('source', input.source);
  if (input.region) params.set('region', input.region);
  if (offset > 0) params.set('offset', String(offset));
  return `/policies?${params.toString()}`;
}

const EXAMPLES = ['청년 월세 지원', '구직활동 지원금', '면접 준비 프로그램', '자격증 응시료'];

export function searchPage(input: SearchPageInput): string {
  const form = html`<form class="search" method="get" action="/policies" role="search">
<input type="search" name="q" value="${input.q}" placeholder="예: 청년 월세 지원" aria-label="검색어" maxlength="200">
<select name="source" aria-label="출처"><option value="">모든 출처</option>${SOURCE_NAMES.map(
    (source) => html`<option value="${source}"${input.source === source ? html` selected` : ''}>${SOURCE_INFO[source].label}</option>`,
  )}</select>
<select name="region" aria-label="지역"><option value="">모든 지역</option>${input.regions.map(
    (region) => html`<option value="${region}"${input.region === region ? html` selected` : ''}>${region}</option>`,
  )}</select>
<button type="submit">검색</button>
</form>`;

  let results: SafeHtml;
  if (input.error) {
    results = html`<p class="notice">${input.error}</p>`;
  } else if (!input.items) {
    results = html`<p>정부24, 온통청년, 고용24에서 매주 모은 정책과 프로그램을 찾아 드립니다. 예시:
${EXAMPLES.map((example, index) => html`${index > 0 ? ', ' : ''}<a href="/policies?q=${encodeURIComponent(example)}">${example}</a>`)}</p>`;
  } else if (input.items.length === 0) {
    results = html`<p class="notice">“${input.q}”에 맞는 정책을 찾지 못했습니다. 다른 낱말로 검색해 보세요.</p>`;
  } else {
    results = html`<ol class="results" start="${input.offset + 1}">${input.items.map(
      (item) => html`<li>
<div class="meta"><span class="badge">${item.sourceLabel}</span>${item.region}${item.category ? html` · ${item.category}` : ''}</div>
<a href="/policies/${encodeURIComponent(item.id)}"><strong>${item.title}</strong></a>
${item.summary ? html`<p class="summary">${item.summary}</p>` : ''}
<div class="meta">${item.period ? html`기간: ${item.period} · ` : ''}<a href="${safeUrl(item.url)}" rel="noopener noreferrer">원문 보기</a></div>
</li>`,
    )}</ol>
<div class="nav">${input.offset > 0 ? html`<a href="${pageLink(input, Math.max(0, input.offset - input.limit))}">← 이전</a>` : html`<span></span>`}${
      input.items.length === input.limit ? html`<a href="${pageLink(input, input.offset + input.limit)}">다음 →</a>` : ''
    }</div>`;
  }
  return layout(input.q ? `${input.q} 검색 결과` : '정책 검색', html`<h1>청년 정책 검색</h1>${form}${results}`);
}

export function detailPage(doc: PolicyDocument): string {
  const rows: [string, string][] = [
    ['출처', SOURCE_INFO[doc.source].label],
    ['분야', doc.category],
    ['지역', doc.region],
    ['요약', doc.summary],
    ['지원 대상', doc.target],
    ['지원 내용', doc.content],
    ['기간', doc.period],
    ['신청 방법', doc.applyMethod],
    ['구비서류', doc.documents],
    ['운영기관', doc.organization],
    ['문의처', doc.contact],
    ['최근 수정', doc.updatedAt],
  ];
  return layout(
    doc.title,
    html`<p><a href="/policies">← 정책 검색</a></p><h1>${doc.title}</h1>
<dl>${rows.filter(([, value]) => value.length > 0).map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
<p><a href="${safeUrl(doc.url)}" rel="noopener noreferrer">원문 보기</a></p>`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, html`<p><a href="/policies">← 정책 검색</a></p><h1>${title}</h1><p class="notice">${message}</p>`);
}

import type { PageView } from '../../http/pages/layout.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { SOURCE_INFO, SOURCE_NAMES, type PolicyDocument, type SourceName } from '../dataload/index.ts';
import type { SearchItem } from './policies.service.ts';

/** Only http(s) links reach an href: a source could otherwise smuggle `javascript:` in. */
export function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

/** A page of the public search, in the shared layout (styles under `.policies` in ainfo.css). */
function layout(title: string, body: SafeHtml): PageView {
  return { title, body: html`<div class="policies">${body}</div>` };
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

export function searchPage(input: SearchPageInput): PageView {
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

export function detailPage(doc: PolicyDocument): PageView {
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

export function messagePage(title: string, message: string): PageView {
  return layout(title, html`<p><a href="/policies">← 정책 검색</a></p><h1>${title}</h1><p class="notice">${message}</p>`);
}

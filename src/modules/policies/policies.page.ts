import type { PageView } from '../../http/pages/layout.ts';
import type { ApplicationStatus } from '../../utils/application-period.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { regionLabel, SIDO_LIST, sidoOf } from '../../utils/regions.ts';
import { ageText, conditionsText, SOURCE_INFO, SOURCE_NAMES, type PolicyDocument, type SourceName } from '../dataload/index.ts';
import type { SearchItem, SearchResult } from './policies.service.ts';

/** Only http(s) links reach an href: a source could otherwise smuggle `javascript:` in. */
export function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

/** A page of the public search, in the shared layout (styles under `.policies` in ainfo.css). */
function layout(title: string, body: SafeHtml): PageView {
  return { title, body: html`<div class="policies">${body}</div>` };
}

/** The filters of the search form, as the person set them (already checked by the route). */
export interface PageFilters {
  q: string;
  source: SourceName | undefined;
  /** 시도 short key (`서울`). */
  sido: string | undefined;
  /** 시군구 of `sido` (`강남구`). */
  sigungu: string | undefined;
  /** 만 나이 as typed; empty when not set. */
  age: string;
  /** "신청 가능한 것만" (status=open). */
  openOnly: boolean;
}

export interface SearchPageInput extends PageFilters {
  /** Set when the filters were filled from the signed-in person's profile: what was filled. */
  fromProfile?: string | undefined;
  offset: number;
  limit: number;
  result: SearchResult | undefined;
  error: string | undefined;
}

/** The page's URL for these filters: what the pager and the "drop this filter" links point to. */
function searchLink(filters: PageFilters, offset = 0): string {
  const params = new URLSearchParams({ q: filters.q });
  if (filters.source) params.set('source', filters.source);
  if (filters.sido) params.set('sido', filters.sido);
  if (filters.sido && filters.sigungu) params.set('sigungu', `${filters.sido} ${filters.sigungu}`);
  // Always present, even empty: a URL with a filter of its own is not filled from the profile.
  params.set('age', filters.age);
  if (filters.openOnly) params.set('status', 'open');
  if (offset > 0) params.set('offset', String(offset));
  return `/policies?${params.toString()}`;
}

const STATUS_BADGES: Readonly<Record<ApplicationStatus, { label: string; tone: string } | undefined>> = {
  open: { label: '신청 중', tone: 'open' },
  upcoming: { label: '예정', tone: 'upcoming' },
  closed: { label: '마감', tone: 'closed' },
  always: { label: '상시', tone: 'always' },
  // Nothing is better than a guess: the period text stays for people to read.
  unknown: undefined,
};

function statusBadge(status: ApplicationStatus): SafeHtml | '' {
  const badge = STATUS_BADGES[status];
  return badge ? html`<span class="badge status ${badge.tone}" data-status="${status}">${badge.label}</span>` : '';
}

const EXAMPLES = ['청년 월세 지원', '구직활동 지원금', '면접 준비 프로그램', '자격증 응시료'];

function exampleLinks(): SafeHtml {
  return html`${EXAMPLES.map((example, index) => html`${index > 0 ? ', ' : ''}<a href="/policies?q=${encodeURIComponent(example)}">${example}</a>`)}`;
}

function searchForm(input: SearchPageInput): SafeHtml {
  return html`<form class="search" method="get" action="/policies" role="search">
<input type="search" name="q" value="${input.q}" placeholder="예: 청년 월세 지원" aria-label="검색어" maxlength="200">
<div class="filters">
<label>출처 <select name="source"><option value="">모든 출처</option>${SOURCE_NAMES.map(
    (source) => html`<option value="${source}"${input.source === source ? html` selected` : ''}>${SOURCE_INFO[source].label}</option>`,
  )}</select></label>
<label>시도 <select name="sido"><option value="">전체 지역</option>${SIDO_LIST.map(
    (sido) => html`<option value="${sido.short}"${input.sido === sido.short ? html` selected` : ''}>${sido.name}</option>`,
  )}</select></label>
<label>시군구 <select name="sigungu"><option value="">시도 전체</option>${SIDO_LIST.filter((sido) => sido.sigungu.length > 0).map(
    (sido) => html`<optgroup label="${sido.name}">${sido.sigungu.map(
      (entry) => html`<option value="${sido.short} ${entry.name}"${input.sido === sido.short && input.sigungu === entry.name ? html` selected` : ''}>${entry.name}</option>`,
    )}</optgroup>`,
  )}</select></label>
<label>나이(만) <input type="number" name="age" value="${input.age}" min="0" max="120" inputmode="numeric" placeholder="예: 27"></label>
<label class="check"><input type="checkbox" name="status" value="open"${input.openOnly ? html` checked` : ''}> 신청 가능한 것만</label>
</div>
<button type="submit">검색</button>
</form>`;
}

function resultItem(item: SearchItem): SafeHtml {
  const ages = ageText(item);
  const others = (item.sources ?? []).slice(1);
  return html`<li data-id="${item.id}">
<div class="meta">${statusBadge(item.status)}<span class="badge">${item.sourceLabel}</span>${item.region}${item.category ? html` · ${item.category}` : ''}</div>
<a href="/policies/${encodeURIComponent(item.id)}"><strong>${item.title}</strong></a>
${item.summary ? html`<p class="summary">${item.summary}</p>` : ''}
<div class="meta">${ages ? html`${ages} · ` : ''}${item.period ? html`기간: ${item.period} · ` : ''}<a href="${safeUrl(item.url)}" rel="noopener noreferrer">원문 보기</a></div>
${others.length > 0
    ? html`<div class="meta sources">같은 정책이 ${others.map(
        (other, index) => html`${index > 0 ? ', ' : ''}<a href="/policies/${encodeURIComponent(other.id)}">${other.sourceLabel}</a>`,
      )}에도 실려 있습니다.</div>`
    : ''}
</li>`;
}

/** The filters a person can drop when nothing matched, each as a link to the same search without it. */
function relaxLinks(input: SearchPageInput): { label: string; href: string }[] {
  const links: { label: string; href: string }[] = [];
  if (input.openOnly) links.push({ label: '‘신청 가능한 것만’을 빼고 찾기', href: searchLink({ ...input, openOnly: false }) });
  if (input.age !== '') links.push({ label: `나이(만 ${input.age}세)를 빼고 찾기`, href: searchLink({ ...input, age: '' }) });
  if (input.sido && input.sigungu) {
    links.push({ label: `${input.sigungu} 대신 ${sidoOf(input.sido)?.name ?? input.sido} 전체에서 찾기`, href: searchLink({ ...input, sigungu: undefined }) });
  }
  if (input.sido) {
    const where = regionLabel({ sido: input.sido, sigungu: input.sigungu ?? null });
    links.push({ label: `지역(${where})을 빼고 찾기`, href: searchLink({ ...input, sido: undefined, sigungu: undefined }) });
  }
  if (input.source) links.push({ label: `출처(${SOURCE_INFO[input.source].label})를 빼고 찾기`, href: searchLink({ ...input, source: undefined }) });
  return links;
}

function emptyState(input: SearchPageInput): SafeHtml {
  const links = relaxLinks(input);
  return html`<div class="empty" role="status">
<h2>검색 결과가 없습니다</h2>
<p>“${input.q}”에 맞는 정책을 찾지 못했습니다.</p>
${links.length > 0
    ? html`<p>아래 조건을 빼고 다시 찾아보세요.</p><ul class="relax">${links.map((link) => html`<li><a href="${link.href}">${link.label}</a></li>`)}</ul>`
    : html`<p>다른 낱말로 검색해 보세요. 예: ${exampleLinks()}</p>`}
</div>`;
}

export function searchPage(input: SearchPageInput): PageView {
  let results: SafeHtml;
  const { result } = input;
  if (input.error) {
    results = html`<p class="notice" role="alert">${input.error}</p>`;
  } else if (!result) {
    results = html`<p>정부24, 온통청년, 고용24에서 매주 모은 정책과 프로그램을 찾아 드립니다. 예시: ${exampleLinks()}</p>`;
  } else if (result.items.length === 0) {
    results = result.total > 0 ? html`<p class="notice">더 보여 드릴 결과가 없습니다. <a href="${searchLink(input)}">첫 쪽으로</a></p>` : emptyState(input);
  } else {
    const next = input.offset + input.limit;
    results = html`<p class="count">검색 결과 ${result.total}건</p>
<ol class="results" start="${input.offset + 1}">${result.items.map(resultItem)}</ol>
<div class="nav">${input.offset > 0 ? html`<a href="${searchLink(input, Math.max(0, input.offset - input.limit))}">← 이전</a>` : html`<span></span>`}${
      next < result.total ? html`<a href="${searchLink(input, next)}">다음 →</a>` : ''
    }</div>`;
  }
  const profileNote = input.fromProfile
    ? html`<p class="notice info" data-testid="profile-filters">내 정보로 조건을 채웠습니다: ${input.fromProfile}. <a href="${searchLink({ ...input, sido: undefined, sigungu: undefined, age: '' })}">조건 없이 검색</a> · <a href="/me">내 정보 바꾸기</a></p>`
    : '';
  return layout(input.q ? `${input.q} 검색 결과` : '정책 검색', html`<h1>청년 정책 검색</h1>${searchForm(input)}${profileNote}${results}`);
}

/** `03-01` → `3월 1일`. */
function monthDay(isoDay: string): string {
  const [, month = '', day = ''] = isoDay.split('-');
  return `${Number(month)}월 ${Number(day)}일`;
}

/** The parsed application period in words; empty when it could not be read (the source's text is shown beside it). */
function applyPeriodText(doc: PolicyDocument): string {
  const start = doc.applyStart;
  const end = doc.applyEnd;
  switch (doc.periodKind) {
    case 'always':
      return '상시 신청';
    case 'closed':
      return '신청이 마감되었습니다';
    case 'untilBudget':
      return start ? `${start}부터 예산 소진 시까지` : '예산 소진 시까지';
    case 'annual':
      return start && end ? `매년 ${monthDay(start)} ~ ${monthDay(end)}` : '';
    case 'dates':
      if (start && end) return `${start} ~ ${end}`;
      return start ? `${start}부터` : end ? `${end}까지` : '';
    case 'unknown':
      return '';
  }
}

export function detailPage(doc: PolicyDocument, status: ApplicationStatus): PageView {
  const ages = ageText(doc);
  const conditions = doc.conditions ? conditionsText(doc.conditions, { ageMin: null, ageMax: null }) : '';
  const rows: [string, string][] = [
    ['출처', SOURCE_INFO[doc.source].label],
    ['분야', doc.category],
    ['지역', doc.region],
    ['요약', doc.summary],
    ['나이', ages],
    ['지원 조건', conditions],
    ['지원 대상', doc.target],
    ['지원 내용', doc.content],
    ['신청 기간', applyPeriodText(doc)],
    ['기간 (출처 원문)', doc.period],
    ['신청 방법', doc.applyMethod],
    ['구비서류', doc.documents],
    ['운영기관', doc.organization],
    ['문의처', doc.contact],
    ['최근 수정', doc.updatedAt],
  ];
  return layout(
    doc.title,
    html`<p><a href="/policies">← 정책 검색</a></p><h1>${doc.title}</h1>
${status !== 'unknown' ? html`<p class="status-line">신청 상태: ${statusBadge(status)}</p>` : ''}
<dl>${rows.filter(([, value]) => value.length > 0).map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
<p><a href="${safeUrl(doc.url)}" rel="noopener noreferrer">원문 보기</a></p>`,
  );
}

export function messagePage(title: string, message: string): PageView {
  return layout(title, html`<p><a href="/policies">← 정책 검색</a></p><h1>${title}</h1><p class="notice">${message}</p>`);
}

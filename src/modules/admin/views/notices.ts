import { html, rawHtml, type SafeHtml } from '../../../utils/html.ts';
import type { NoticeDetail, NoticeView } from '../../notifications/index.ts';
import { count, flash, pager, seoulTime } from './format.ts';

/** A notice whose sending was requested and whose recipients are not all settled yet. */
export function isSending(notice: NoticeView): boolean {
  return notice.sentAt !== null && (notice.recipientsSnapshotAt === null || notice.deliveries.pending > 0);
}

function statusBadge(notice: NoticeView): SafeHtml {
  if (notice.sentAt === null) return html`<span class="badge">작성 중</span>`;
  if (isSending(notice)) return html`<span class="badge info">발송 중</span>`;
  if (notice.deliveries.failed > 0) return html`<span class="badge warn">발송 완료(실패 ${count(notice.deliveries.failed)})</span>`;
  return html`<span class="badge ok">발송 완료</span>`;
}

export function noticeListView(input: { items: NoticeView[]; total: number; page: number; pageSize: number; msg?: string }): SafeHtml {
  return html`<h1>공지</h1>
${flash(input.msg)}
<div class="actions"><a class="button" href="/admin/notices/new">새 공지 쓰기</a></div>
${input.items.length === 0
  ? html`<p class="muted">아직 공지가 없습니다.</p>`
  : html`<div class="table-wrap"><table>
<thead><tr><th>번호</th><th>제목</th><th>상태</th><th class="num">보냄</th><th class="num">실패</th><th class="num">대기</th><th>작성</th><th>발송 요청</th></tr></thead>
<tbody>
${input.items.map(
  (notice) => html`<tr><td>${notice.id}</td><td><a href="/admin/notices/${notice.id}">${notice.title}</a></td><td>${statusBadge(notice)}</td>
<td class="num">${count(notice.deliveries.sent)}</td><td class="num">${count(notice.deliveries.failed)}</td><td class="num">${count(notice.deliveries.pending)}</td>
<td>${seoulTime(notice.createdAt)}</td><td>${notice.sentAt ? html`${seoulTime(notice.sentAt)}<br><span class="muted">${notice.sentBy ?? ''}</span>` : '-'}</td></tr>`,
)}
</tbody></table></div>
${pager('/admin/notices', {}, input.page, input.pageSize, input.total)}`}`;
}

export function noticeFormView(input: {
  csrf: SafeHtml;
  notice?: { id: number; title: string; content: string };
  errors?: string[];
}): SafeHtml {
  const editing = input.notice?.id !== undefined && input.notice.id > 0;
  const action = editing ? `/admin/notices/${input.notice?.id ?? 0}/edit` : '/admin/notices';
  return html`<div class="card">
<h1>${editing ? '공지 고치기' : '새 공지 쓰기'}</h1>
<p class="muted">내용은 일반 텍스트나 간단한 마크다운(제목 #, 목록 -, **굵게**, [링크](https://…))으로 씁니다. 저장해도 바로 발송되지 않습니다.</p>
${input.errors && input.errors.length > 0 ? html`<div class="notice error" role="alert">${input.errors.map((error) => html`<div>${error}</div>`)}</div>` : ''}
<form method="post" action="${action}">
${input.csrf}
<label for="title">제목</label>
<input id="title" name="title" type="text" required maxlength="200" value="${input.notice?.title ?? ''}">
<label for="content">내용</label>
<textarea id="content" name="content" required maxlength="20000">${input.notice?.content ?? ''}</textarea>
<div class="actions"><button type="submit">저장</button><a href="${editing ? `/admin/notices/${input.notice?.id ?? 0}` : '/admin/notices'}">취소</a></div>
</form>
</div>`;
}

function progressBlock(notice: NoticeDetail): SafeHtml {
  const counts = notice.deliveries;
  const live = isSending(notice);
  return html`<section class="card" ${live ? rawHtml(`data-live="/admin/notices/${notice.id}/progress"`) : ''} aria-live="polite">
<h2>발송 현황</h2>
${live ? html`<p class="muted" data-testid="live">발송 중입니다. 진행 상황이 자동으로 갱신됩니다.</p>` : ''}
${notice.sentAt !== null && notice.recipientsSnapshotAt === null ? html`<p class="muted">수신자 목록을 만드는 중입니다…</p>` : ''}
<progress max="${Math.max(1, counts.total)}" value="${counts.total - counts.pending}"></progress>
<div class="stats">
<div class="stat"><div class="label">전체 수신자</div><div class="value" data-count="total">${counts.total}</div></div>
<div class="stat sent"><div class="label">보냄</div><div class="value" data-count="sent" data-testid="sent">${counts.sent}</div></div>
<div class="stat failed"><div class="label">실패</div><div class="value" data-count="failed" data-testid="failed">${counts.failed}</div></div>
<div class="stat pending"><div class="label">대기</div><div class="value" data-count="pending" data-testid="pending">${counts.pending}</div></div>
<div class="stat"><div class="label">건너뜀(수신 거부)</div><div class="value" data-count="skipped">${counts.skipped}</div></div>
</div>
${counts.pendingWithError > 0 ? html`<p class="notice error">대기 중 ${count(counts.pendingWithError)}건이 일시적인 오류로 재시도 중입니다.</p>` : ''}
</section>`;
}

export function noticeDetailView(input: { notice: NoticeDetail; csrf: SafeHtml; msg?: string }): SafeHtml {
  const { notice } = input;
  const draft = notice.sentAt === null;
  const canResume = !draft && notice.stalled;
  return html`<p><a href="/admin/notices">← 공지 목록</a></p>
${flash(input.msg)}
<h1>${notice.title}</h1>
<dl class="fields card">
<dt>번호</dt><dd>${notice.id}</dd>
<dt>상태</dt><dd>${statusBadge(notice)}</dd>
<dt>작성</dt><dd>${seoulTime(notice.createdAt)}</dd>
<dt>발송 요청</dt><dd>${notice.sentAt ? html`${seoulTime(notice.sentAt)} · ${notice.sentBy ?? ''}` : '아직 보내지 않음'}</dd>
</dl>
<div class="actions">
${draft
  ? html`<a class="button secondary" href="/admin/notices/${notice.id}/edit">고치기</a>
<a class="button" href="/admin/notices/${notice.id}/send">발송하기…</a>`
  : ''}
${canResume
  ? html`<form class="inline" method="post" action="/admin/notices/${notice.id}/resume">${input.csrf}<button type="submit" class="secondary">대기 중인 수신자에게 다시 보내기</button></form>`
  : ''}
</div>
${draft ? '' : progressBlock(notice)}
${notice.failures.length > 0
  ? html`<h2>실패한 수신자 (${count(notice.deliveries.failed)}명)</h2>
<div class="table-wrap"><table data-testid="failures"><thead><tr><th>수신자</th><th>SMTP 응답</th><th>시각</th></tr></thead><tbody>
${notice.failures.map(
  (failure) => html`<tr><td>${failure.email}</td><td class="error mono">${failure.reply}</td><td>${seoulTime(failure.failedAt)}</td></tr>`,
)}
</tbody></table></div>
${notice.deliveries.failed > notice.failures.length ? html`<p class="muted">처음 ${notice.failures.length}건만 보여 줍니다.</p>` : ''}`
  : ''}
<h2>내용</h2>
<div class="content">${rawHtml(withoutInlineStyles(notice.contentHtml))}</div>`;
}

/**
 * The mail renderer styles its tags inline for mail clients; our CSP blocks inline styles, and
 * the stylesheet styles these tags already. User text was escaped, so only its attributes match.
 */
function withoutInlineStyles(markup: string): string {
  return markup.replace(/ style="[^"]*"/g, '');
}

export function sendConfirmView(input: { notice: NoticeView; recipients: number; csrf: SafeHtml }): SafeHtml {
  const { notice } = input;
  return html`<p><a href="/admin/notices/${notice.id}">← 공지로 돌아가기</a></p>
<div class="card">
<h1>공지를 발송할까요?</h1>
<p><strong>${notice.title}</strong></p>
<p>수신에 동의하고 이메일 인증을 마친 사용자 <strong data-testid="recipients">${count(input.recipients)}명</strong>에게 발송합니다(발송 시점 기준으로 다시 계산합니다).
발송을 요청한 뒤에는 공지를 고칠 수 없고, 두 번 눌러도 한 번만 발송됩니다.</p>
<form method="post" action="/admin/notices/${notice.id}/send">
${input.csrf}
<input type="hidden" name="confirm" value="yes">
<div class="actions"><button type="submit">발송 확인</button><a href="/admin/notices/${notice.id}">취소</a></div>
</form>
</div>`;
}

import { html, type SafeHtml } from '../../../utils/html.ts';
import type { UserFilter, UserListItem } from '../../accounts/index.ts';
import type { AuditRow } from '../admin.tables.ts';
import { count, pager, seoulTime } from './format.ts';

const boolParam = (value: boolean | undefined): string | undefined => (value === undefined ? undefined : String(value));

function select(name: string, label: string, value: boolean | undefined, yes: string, no: string): SafeHtml {
  const current = boolParam(value) ?? '';
  const option = (optionValue: string, text: string): SafeHtml =>
    optionValue === current
      ? html`<option value="${optionValue}" selected>${text}</option>`
      : html`<option value="${optionValue}">${text}</option>`;
  return html`<div><label for="${name}">${label}</label><select id="${name}" name="${name}">${option('', '전체')}${option('true', yes)}${option('false', no)}</select></div>`;
}

export function usersView(input: { search: UserFilter; items: UserListItem[]; total: number; page: number; pageSize: number }): SafeHtml {
  const { search } = input;
  return html`<h1>사용자</h1>
<form method="get" action="/admin/users" class="filters">
<div><label for="q">이메일 또는 이름</label><input id="q" name="q" type="search" maxlength="100" value="${search.q ?? ''}"></div>
${select('consent', '공지 수신 동의', search.consent, '동의', '동의 안 함')}
${select('verified', '이메일 인증', search.verified, '인증함', '인증 안 함')}
<div><button type="submit">찾기</button></div>
</form>
<p class="muted" data-testid="users-total">조건에 맞는 사용자 ${count(input.total)}명</p>
<div class="table-wrap"><table>
<thead><tr><th>번호</th><th>이메일</th><th>이름</th><th>수신 동의</th><th>이메일 인증</th><th>가입</th></tr></thead>
<tbody>
${input.items.map(
  (user) => html`<tr><td>${user.id}</td><td>${user.email}${user.isAdmin ? html` <span class="badge info">관리자</span>` : ''}</td><td>${user.name}</td>
<td>${user.noticeConsent ? html`<span class="badge ok">동의</span>` : html`<span class="badge">안 함</span>`}</td>
<td>${user.emailVerifiedAt ? seoulTime(user.emailVerifiedAt) : html`<span class="badge warn">미인증</span>`}</td><td>${seoulTime(user.createdAt)}</td></tr>`,
)}
</tbody></table></div>
${pager('/admin/users', { q: search.q, consent: boolParam(search.consent), verified: boolParam(search.verified) }, input.page, input.pageSize, input.total)}`;
}

const ACTION_LABELS: Record<string, string> = {
  'login': '로그인',
  'login.refused': '로그인 거부',
  'logout': '로그아웃',
  'notice.create': '공지 작성',
  'notice.update': '공지 수정',
  'notice.send': '공지 발송',
  'notice.resume': '공지 재발송',
  'schedule.run': '예약 작업 즉시 실행',
  'schedule.pause': '예약 작업 일시 중지',
  'schedule.resume': '예약 작업 다시 시작',
  'dataload.run': '공공데이터 수집',
  'task.retry': '작업 재실행',
  'queues.action': '큐 대시보드 조작',
};

export function auditView(input: { items: AuditRow[]; total: number; page: number; pageSize: number; action?: string }): SafeHtml {
  return html`<h1>감사 기록</h1>
<p class="muted">관리자가 한 모든 일(로그인, 공지 작성과 발송, 작업 실행 등)을 누가, 언제 했는지 기록합니다.</p>
<form method="get" action="/admin/audit" class="filters">
<div><label for="action">동작</label><select id="action" name="action">
<option value="">전체</option>
${Object.entries(ACTION_LABELS).map(([value, label]) =>
  value === input.action ? html`<option value="${value}" selected>${label}</option>` : html`<option value="${value}">${label}</option>`,
)}
</select></div>
<div><button type="submit">보기</button></div>
</form>
<div class="table-wrap"><table data-testid="audit">
<thead><tr><th>시각</th><th>관리자</th><th>동작</th><th>대상</th><th>내용</th><th>IP</th></tr></thead>
<tbody>
${input.items.map(
  (row) => html`<tr><td>${seoulTime(row.at)}</td><td>${row.adminEmail ?? '-'}</td>
<td>${ACTION_LABELS[row.action] ?? row.action} <span class="muted mono">${row.action}</span></td><td class="mono">${row.target ?? ''}</td>
<td class="mono">${Object.keys(row.detail).length > 0 ? JSON.stringify(row.detail) : ''}</td><td class="mono">${row.ip ?? ''}</td></tr>`,
)}
</tbody></table></div>
${pager('/admin/audit', { action: input.action }, input.page, input.pageSize, input.total)}`;
}

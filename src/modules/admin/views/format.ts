import { html, type SafeHtml } from '../../../utils/html.ts';

export { formatSeoulTime as seoulTime } from '../../../utils/time.ts';

const number = new Intl.NumberFormat('ko-KR');

export function count(value: number): string {
  return number.format(value);
}

const STATE_LABELS: Record<string, { label: string; tone: 'ok' | 'bad' | 'warn' | 'info' | '' }> = {
  SUCCESS: { label: '성공', tone: 'ok' },
  FAILURE: { label: '실패', tone: 'bad' },
  FAILED: { label: '실패', tone: 'bad' },
  RETRY: { label: '재시도 대기', tone: 'warn' },
  STARTED: { label: '실행 중', tone: 'info' },
  RUNNING: { label: '실행 중', tone: 'info' },
  PENDING: { label: '대기', tone: '' },
  REVOKED: { label: '취소됨', tone: 'warn' },
};

/** A task or run state as a coloured Korean badge, with the state name for searching. */
export function stateBadge(state: string): SafeHtml {
  const known = STATE_LABELS[state];
  return html`<span class="badge ${known?.tone ?? ''}" title="${state}">${known?.label ?? state} <span class="mono">${state}</span></span>`;
}

/** Messages shown after an action redirected back (`?msg=`). */
const FLASH: Record<string, { tone: 'ok' | 'error' | 'info'; text: string }> = {
  'notice-created': { tone: 'ok', text: '공지를 저장했습니다. 아직 발송되지 않았습니다.' },
  'notice-updated': { tone: 'ok', text: '공지를 고쳤습니다.' },
  'notice-sending': { tone: 'ok', text: '발송을 시작했습니다. 아래에서 진행 상황을 볼 수 있습니다.' },
  'notice-already': { tone: 'info', text: '이미 발송을 요청한 공지입니다. 새로 보내지 않았습니다.' },
  'notice-resumed': { tone: 'ok', text: '대기 중인 수신자에게 다시 발송을 시작했습니다.' },
  'notice-locked': { tone: 'error', text: '발송을 요청한 공지는 고칠 수 없습니다.' },
  'schedule-run': { tone: 'ok', text: '예약 작업을 지금 실행하도록 큐에 넣었습니다.' },
  'schedule-paused': { tone: 'ok', text: '예약 작업을 일시 중지했습니다.' },
  'schedule-resumed': { tone: 'ok', text: '예약 작업을 다시 시작했습니다.' },
  'collect-started': { tone: 'ok', text: '수집 작업을 큐에 넣었습니다.' },
  'task-retried': { tone: 'ok', text: '실패한 작업을 다시 실행하도록 큐에 넣었습니다.' },
  'task-not-failed': { tone: 'error', text: '실패 상태인 작업만 다시 실행할 수 있습니다.' },
  'task-missing': { tone: 'error', text: '작업을 찾을 수 없습니다. 보관 기간이 지났을 수 있습니다.' },
  'logged-out': { tone: 'info', text: '로그아웃했습니다.' },
};

export function flash(code: string | undefined): SafeHtml | '' {
  const found = code ? FLASH[code] : undefined;
  return found ? html`<p class="notice ${found.tone}" role="status">${found.text}</p>` : '';
}

/** Previous / next links of a paged list, keeping the other query parameters. */
export function pager(base: string, params: Record<string, string | undefined>, page: number, pageSize: number, total: number): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (to: number): string => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, value);
    query.set('page', String(to));
    return `${base}?${query.toString()}`;
  };
  return html`<nav class="pager" aria-label="페이지">
${page > 1 ? html`<a href="${link(page - 1)}">← 이전</a>` : ''}
<span>${page} / ${pages} 페이지 · 전체 ${count(total)}건</span>
${page < pages ? html`<a href="${link(page + 1)}">다음 →</a>` : ''}
</nav>`;
}

import type { CheckOutcome } from '../../../http/readiness.ts';
import type { ActiveTask, FailedTask, QueueStats } from '../../../tasks/inspect.ts';
import { html, type SafeHtml } from '../../../utils/html.ts';
import { count, seoulTime } from './format.ts';

/** A task's progress in one line: a number is a percentage, an object its fields. */
function progressText(progress: unknown): string {
  if (typeof progress === 'number') return `${progress}%`;
  if (progress && typeof progress === 'object') {
    return Object.entries(progress as Record<string, unknown>)
      .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
  }
  return '';
}

/** Which services answer, with the reason when one does not (the public /readyz only names it). */
function dependenciesView(dependencies: readonly CheckOutcome[]): SafeHtml {
  return html`<h2>서비스 연결</h2>
<div class="table-wrap"><table>
<thead><tr><th>서비스</th><th>상태</th><th>자세히</th></tr></thead>
<tbody>
${dependencies.map(
  (check) => html`<tr data-dependency="${check.name}"><td class="mono">${check.name}</td>
<td>${check.ok ? html`<span class="badge ok">정상</span>` : html`<span class="badge warn">연결 안 됨</span>`}</td>
<td class="${check.ok ? 'muted' : 'error'}">${check.detail ?? ''}</td></tr>`,
)}
</tbody></table></div>`;
}

const QUEUE_LABELS: Record<string, string> = { default: '기본', mail: '메일', notices: '공지', dataload: '공공데이터' };

export function dashboardView(input: {
  stats: QueueStats[];
  workers: { name: string; queues: string[] }[];
  failures: FailedTask[];
  active: ActiveTask[];
  dependencies: readonly CheckOutcome[];
  /** The task outbox: recorded work whose task has not finished (waiting for Redis, or running). */
  outbox: { pending: number; oldestAgeSeconds: number };
  refreshSeconds: number;
  now: Date;
}): SafeHtml {
  const totals = input.stats.reduce(
    (sum, queue) => ({ waiting: sum.waiting + queue.waiting, active: sum.active + queue.active, failed: sum.failed + queue.failed }),
    { waiting: 0, active: 0, failed: 0 },
  );
  return html`<h1>대시보드</h1>
<p class="muted">${input.refreshSeconds}초마다 새로 고칩니다 · 마지막 갱신 ${seoulTime(input.now)} (한국 시간)</p>
<div class="stats">
<div class="stat pending"><div class="label">대기 중인 작업</div><div class="value" data-testid="total-waiting">${count(totals.waiting)}</div></div>
<div class="stat"><div class="label">실행 중인 작업</div><div class="value">${count(totals.active)}</div></div>
<div class="stat${totals.failed > 0 ? ' failed' : ''}"><div class="label">실패한 작업(보관 중)</div><div class="value">${count(totals.failed)}</div></div>
<div class="stat${input.outbox.oldestAgeSeconds > 300 ? ' failed' : ''}" title="DB 변경과 함께 기록되어 아직 끝나지 않은 작업입니다. 가장 오래된 것: ${count(input.outbox.oldestAgeSeconds)}초 전"><div class="label">아웃박스(끝나지 않은 기록 작업)</div><div class="value" data-testid="outbox-pending">${count(input.outbox.pending)}</div></div>
<div class="stat"><div class="label">연결된 워커</div><div class="value" data-testid="workers-count">${count(input.workers.length)}</div></div>
</div>
${dependenciesView(input.dependencies)}
<h2>큐별 현황</h2>
<div class="table-wrap"><table>
<thead><tr><th>큐</th><th class="num">대기</th><th class="num">실행 중</th><th class="num">지연</th><th class="num">실패</th><th class="num">완료(보관)</th><th class="num">워커</th><th>상태</th></tr></thead>
<tbody>
${input.stats.map(
  (queue) => html`<tr data-queue="${queue.queue}"><td>${QUEUE_LABELS[queue.queue] ?? queue.queue} <span class="muted mono">${queue.queue}</span></td>
<td class="num">${count(queue.waiting)}</td><td class="num">${count(queue.active)}</td><td class="num">${count(queue.delayed)}</td>
<td class="num">${count(queue.failed)}</td><td class="num">${count(queue.completed)}</td><td class="num">${count(queue.workers)}</td>
<td>${queue.paused ? html`<span class="badge warn">일시 중지</span>` : html`<span class="badge ok">동작 중</span>`}</td></tr>`,
)}
</tbody></table></div>
<h2>워커</h2>
${input.workers.length === 0
  ? html`<p class="notice error">연결된 워커가 없습니다. 작업이 실행되지 않습니다: <code>ainfo worker</code>를 실행하세요.</p>`
  : html`<div class="table-wrap"><table><thead><tr><th>워커</th><th>큐</th></tr></thead><tbody>
${input.workers.map((worker) => html`<tr><td class="mono">${worker.name}</td><td>${worker.queues.join(', ')}</td></tr>`)}
</tbody></table></div>`}
<h2>실행 중인 작업</h2>
${input.active.length === 0
  ? html`<p class="muted">지금 실행 중인 작업이 없습니다.</p>`
  : html`<div class="table-wrap"><table><thead><tr><th>시작</th><th>작업</th><th>큐</th><th class="num">시도</th><th>진행</th></tr></thead><tbody>
${input.active.map(
  (task) => html`<tr><td>${seoulTime(task.startedAt)}</td>
<td><a href="/admin/tasks?id=${encodeURIComponent(task.id)}">${task.name}</a><br><span class="muted mono">${task.id}</span></td>
<td>${task.queue}</td><td class="num">${task.attempts}</td><td class="mono">${progressText(task.progress)}</td></tr>`,
)}
</tbody></table></div>`}
<h2>최근 실패</h2>
${input.failures.length === 0
  ? html`<p class="muted">보관 중인 실패한 작업이 없습니다.</p>`
  : html`<div class="table-wrap"><table><thead><tr><th>시각</th><th>작업</th><th>큐</th><th class="num">시도</th><th>오류</th></tr></thead><tbody>
${input.failures.map(
  (failure) => html`<tr><td>${seoulTime(failure.failedAt)}</td>
<td><a href="/admin/tasks?id=${encodeURIComponent(failure.id)}">${failure.name}</a><br><span class="muted mono">${failure.id}</span></td>
<td>${failure.queue}</td><td class="num">${failure.attempts}</td><td class="error">${failure.error}</td></tr>`,
)}
</tbody></table></div>`}
<h2>바로 가기</h2>
<ul>
<li><a href="/admin/notices">공지 쓰기와 발송</a></li>
<li><a href="/admin/schedules">예약 작업(공공데이터 수집 일정)</a></li>
<li><a href="/admin/dataload">공공데이터 수집 기록</a></li>
<li><a href="/admin/tasks">작업 조회와 재시도</a></li>
<li><a href="/admin/queues">큐 대시보드(bull-board)</a></li>
</ul>`;
}

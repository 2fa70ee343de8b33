import type { ScheduleRun } from '../../../tasks/admin-ops.ts';
import type { ScheduledEntry } from '../../../tasks/beat.ts';
import type { TaskResult } from '../../../tasks/index.ts';
import { html, type SafeHtml } from '../../../utils/html.ts';
import { SOURCE_INFO, type DataloadRunRow, type SourceName } from '../../dataload/index.ts';
import { count, flash, seoulTime, stateBadge } from './format.ts';

export interface ScheduleRow extends ScheduledEntry {
  lastRun?: ScheduleRun & { state: string };
  /** The next run from the cron itself, when beat has not written the entry to Redis yet. */
  cronNextRunAt?: string;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

export function schedulesView(input: { rows: ScheduleRow[]; csrf: SafeHtml; msg?: string; taskId?: string }): SafeHtml {
  return html`<h1>예약 작업</h1>
${flash(input.msg)}
${input.taskId ? html`<p>실행한 작업: <a href="/admin/tasks?id=${encodeURIComponent(input.taskId)}" class="mono" data-testid="run-task">${input.taskId}</a></p>` : ''}
<p class="muted">주기 실행 항목(Celery beat_schedule). 다음 실행은 한국 시간(Asia/Seoul)입니다. 일시 중지한 항목은 다시 시작할 때까지 beat가 되살리지 않습니다.</p>
<div class="table-wrap"><table>
<thead><tr><th>항목</th><th>작업</th><th>cron</th><th>시간대</th><th>다음 실행 (Asia/Seoul)</th><th>마지막 실행</th><th>상태</th><th>동작</th></tr></thead>
<tbody>
${input.rows.map((row) => {
  const id = encodeURIComponent(row.id);
  return html`<tr data-schedule="${row.id}">
<td class="mono">${row.id}${row.declared ? '' : html`<br><span class="badge warn">선언되지 않음</span>`}</td>
<td class="mono">${row.task}<br><span class="muted">${row.queue} 큐</span></td>
<td class="mono nowrap">${row.cron}</td><td>${row.tz}</td>
<td>${row.nextRunAt
    ? seoulTime(row.nextRunAt)
    : row.paused
      ? '-'
      : row.cronNextRunAt
        ? html`${seoulTime(row.cronNextRunAt)}<br><span class="muted">beat가 아직 등록하지 않음 (cron으로 계산)</span>`
        : html`<span class="muted">beat가 아직 등록하지 않음</span>`}</td>
<td>${row.lastRun
    ? html`${seoulTime(row.lastRun.at)} <span class="muted">(${row.lastRun.via === 'manual' ? '수동' : '예약'})</span><br>
${stateBadge(row.lastRun.state)} <a class="mono" href="/admin/tasks?id=${encodeURIComponent(row.lastRun.taskId)}">작업 보기</a>`
    : html`<span class="muted">기록 없음</span>`}</td>
<td>${row.paused ? html`<span class="badge warn">일시 중지</span>` : html`<span class="badge ok">사용</span>`}</td>
<td><div class="actions">
${row.declared
    ? html`<form class="inline" method="post" action="/admin/schedules/${id}/run">${input.csrf}<button type="submit" class="small">지금 실행</button></form>
${row.paused
  ? html`<form class="inline" method="post" action="/admin/schedules/${id}/resume">${input.csrf}<button type="submit" class="small secondary">다시 시작</button></form>`
  : html`<form class="inline" method="post" action="/admin/schedules/${id}/pause">${input.csrf}<button type="submit" class="small secondary">일시 중지</button></form>`}`
    : ''}
</div></td></tr>`;
})}
</tbody></table></div>`;
}

export function dataloadView(input: {
  sources: { source: SourceName; sample: boolean; runs: DataloadRunRow[] }[];
  csrf: SafeHtml;
  msg?: string;
  taskId?: string;
}): SafeHtml {
  return html`<h1>공공데이터 수집</h1>
${flash(input.msg)}
${input.taskId ? html`<p>수집 작업: <a href="/admin/tasks?id=${encodeURIComponent(input.taskId)}" class="mono">${input.taskId}</a></p>` : ''}
<p class="muted">정부24, 온통청년, 고용24를 매주 수요일 새벽(한국 시간)에 수집합니다. 실패한 수집은 이전 문서를 지우지 않습니다.</p>
${input.sources.map(
  ({ source, sample, runs }) => html`<section class="card" data-source="${source}">
<h2>${SOURCE_INFO[source].label} <span class="muted mono">${source}</span> ${sample ? html`<span class="badge warn">샘플 모드 (${SOURCE_INFO[source].keyVariable} 없음)</span>` : html`<span class="badge ok">실제 API</span>`}</h2>
<form method="post" action="/admin/dataload/${source}/run">${input.csrf}<button type="submit">지금 수집</button></form>
${runs.length === 0
  ? html`<p class="muted">수집 기록이 없습니다.</p>`
  : html`<div class="table-wrap"><table><thead><tr><th>시작</th><th>끝</th><th>상태</th><th class="num">가져옴</th><th class="num">추가</th><th class="num">변경</th><th class="num">같음</th><th class="num">삭제</th><th class="num">실패</th><th>오류</th></tr></thead><tbody>
${runs.map(
  (run) => html`<tr><td>${seoulTime(run.startedAt)}${run.mode === 'sample' ? html`<br><span class="badge warn">샘플</span>` : ''}</td><td>${seoulTime(run.finishedAt)}</td><td>${stateBadge(run.state)}${run.taskId ? html`<br><a class="mono" href="/admin/tasks?id=${encodeURIComponent(run.taskId)}">작업 보기</a>` : ''}</td>
<td class="num">${count(run.fetched)}</td><td class="num">${count(run.added)}</td><td class="num">${count(run.updated)}</td><td class="num">${count(run.unchanged)}</td>
<td class="num">${count(run.deleted)}</td><td class="num">${count(run.failed)}</td><td class="error">${run.error ?? ''}</td></tr>`,
)}
</tbody></table></div>`}
</section>`,
)}`;
}

export function tasksView(input: { id?: string; result?: TaskResult; csrf: SafeHtml; msg?: string; recentFailures: { id: string; name: string; error: string; failedAt?: string }[] }): SafeHtml {
  const { result } = input;
  return html`<h1>작업 조회</h1>
${flash(input.msg)}
<form method="get" action="/admin/tasks" class="filters">
<div><label for="task-id">작업 ID</label><input id="task-id" name="id" type="search" required maxlength="200" value="${input.id ?? ''}" class="mono wide"></div>
<div><button type="submit">조회</button></div>
</form>
${result
  ? html`<section class="card" data-testid="task-result">
<h2>${result.name ?? '알 수 없는 작업'} ${stateBadge(result.state)}</h2>
${result.name === undefined ? html`<p class="muted">이 ID의 작업을 찾지 못했습니다. 아직 큐에 들어가지 않았거나 보관 기간(기본 1일)이 지났습니다. Celery처럼 PENDING으로 표시합니다.</p>` : ''}
<dl class="fields">
<dt>ID</dt><dd class="mono">${result.id}</dd>
<dt>큐</dt><dd>${result.queue ?? '-'}</dd>
<dt>시도 횟수</dt><dd>${result.attempts}</dd>
<dt>큐에 들어감</dt><dd>${seoulTime(result.enqueuedAt)}</dd>
<dt>시작</dt><dd>${seoulTime(result.startedAt)}</dd>
<dt>끝</dt><dd>${seoulTime(result.finishedAt)}</dd>
${result.runAt ? html`<dt>다음 실행</dt><dd>${seoulTime(result.runAt)}</dd>` : ''}
${result.error ? html`<dt>오류</dt><dd class="error mono">${result.error}</dd>` : ''}
</dl>
${result.payload !== undefined ? html`<h2>입력(payload)</h2><pre>${json(result.payload)}</pre>` : ''}
${result.progress !== undefined ? html`<h2>진행</h2><pre>${json(result.progress)}</pre>` : ''}
${result.result !== undefined ? html`<h2>결과</h2><pre>${json(result.result)}</pre>` : ''}
${result.state === 'FAILURE'
  ? html`<form method="post" action="/admin/tasks/${encodeURIComponent(result.id)}/retry">${input.csrf}<div class="actions"><button type="submit">다시 실행</button></div></form>`
  : ''}
</section>`
  : ''}
<h2>최근 실패한 작업</h2>
${input.recentFailures.length === 0
  ? html`<p class="muted">보관 중인 실패한 작업이 없습니다.</p>`
  : html`<div class="table-wrap"><table><thead><tr><th>시각</th><th>작업</th><th>오류</th></tr></thead><tbody>
${input.recentFailures.map(
  (failure) => html`<tr><td>${seoulTime(failure.failedAt)}</td><td><a href="/admin/tasks?id=${encodeURIComponent(failure.id)}">${failure.name}</a><br><span class="mono muted">${failure.id}</span></td><td class="error">${failure.error}</td></tr>`,
)}
</tbody></table></div>`}`;
}

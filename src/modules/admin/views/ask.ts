import { html, type SafeHtml } from '../../../utils/html.ts';
import { seoulTime } from './format.ts';

/** One question as the admin's list shows it (what `ask.attention` returns). */
export interface AttentionItem {
  id: string;
  question: string;
  matched: boolean;
  feedback: 'up' | 'down' | null;
  filters: { age?: number | null; region?: string | null; status?: 'any' | 'open' };
  answerer: string;
  createdAt: Date;
}

function filtersText(filters: AttentionItem['filters']): string {
  return [
    typeof filters.age === 'number' ? `만 ${filters.age}세` : '',
    filters.region ?? '',
    filters.status === 'open' ? '신청 가능한 것만' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function askAttentionView(items: readonly AttentionItem[]): SafeHtml {
  return html`<h1>질문</h1>
<p class="muted">AInfo에 물어보기에서 정책을 찾지 못했거나 👎를 받은 질문입니다(최근 것부터). 모은 자료에 무엇이 없는지 살펴보세요.</p>
${items.length === 0
    ? html`<p>아직 없습니다.</p>`
    : html`<div class="table-wrap"><table data-testid="ask-attention">
<thead><tr><th>시각</th><th>질문</th><th>조건</th><th>까닭</th><th>답변</th></tr></thead>
<tbody>${items.map(
        (item) => html`<tr><td>${seoulTime(item.createdAt)}</td><td>${item.question}</td><td>${filtersText(item.filters)}</td>
<td>${item.matched ? '' : html`<span class="badge warn">찾지 못함</span> `}${item.feedback === 'down' ? html`<span class="badge bad">👎</span>` : ''}</td>
<td class="mono">${item.answerer}</td></tr>`,
      )}</tbody></table></div>`}`;
}

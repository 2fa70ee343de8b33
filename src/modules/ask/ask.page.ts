import type { PageView } from '../../http/pages/layout.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { safeUrl, statusBadge } from '../policies/index.ts';
import type { AskCitation } from './ask.service.ts';
import type { Feedback } from './ask.tables.ts';

/** One question and its answer as the page shows them. */
export interface PageTurn {
  id: string;
  question: string;
  answer: string;
  citations: AskCitation[];
  feedback: Feedback | null;
}

export interface AskPageInput {
  turns: PageTurn[];
  conversationId: string | undefined;
  /** The form's values as typed (kept after an error). */
  question: string;
  age: string;
  region: string;
  error: string | undefined;
}

const EXAMPLES = ['서울 사는 27살인데 월세 지원 받을 수 있어?', '지금 신청 가능한 구직활동 지원금', '면접 준비 프로그램 알려 주세요'];

/** A link in the answer's text (only the documents' own reach it) becomes a link; the rest is text. */
function answerText(answer: string): SafeHtml {
  const parts = answer.split(/(https?:\/\/[^\s)\]]+)/g);
  return html`${parts.map((part, index) => (index % 2 === 1 ? html`<a href="${safeUrl(part)}" rel="noopener noreferrer">${part}</a>` : part))}`;
}

export function citationList(citations: readonly AskCitation[]): SafeHtml {
  if (citations.length === 0) return html``;
  return html`<ol class="citations">${citations.map(
    (citation) => html`<li data-id="${citation.id}">${statusBadge(citation.status)}<a href="/policies/${encodeURIComponent(citation.id)}">${citation.title}</a></li>`,
  )}</ol>`;
}

function feedbackForm(turn: PageTurn, conversationId: string | undefined): SafeHtml {
  const button = (value: Feedback, label: string): SafeHtml =>
    html`<button type="submit" name="value" value="${value}"${turn.feedback === value ? html` aria-pressed="true"` : ''}>${label}</button>`;
  return html`<form class="feedback" method="post" action="/ask/feedback" data-message="${turn.id}">
<input type="hidden" name="messageId" value="${turn.id}"><input type="hidden" name="conversationId" value="${conversationId ?? ''}">
<span>이 답변이 도움이 되었나요?</span> ${button('up', '👍 도움이 됐어요')} ${button('down', '👎 아쉬워요')}
</form>`;
}

function turnView(turn: PageTurn, conversationId: string | undefined): SafeHtml {
  return html`<article class="turn" id="m-${turn.id}">
<p class="question"><strong>질문</strong> ${turn.question}</p>
<div class="answer">${answerText(turn.answer)}</div>
${citationList(turn.citations)}
${feedbackForm(turn, conversationId)}
</article>`;
}

/** `/ask`: the conversation so far, then the form (which posts the whole page without script). */
export function askPage(input: AskPageInput): PageView {
  const { turns, conversationId } = input;
  return {
    title: 'AInfo에 물어보기',
    body: html`<div class="policies ask">
<h1>AInfo에 물어보기</h1>
<p>정부24, 온통청년, 고용24에서 모은 정책 자료로 답합니다. 답에 나온 번호는 아래 목록의 정책이고, 자세한 조건은 원문에서 확인하세요.</p>
<section class="turns" aria-live="polite">${turns.map((turn) => turnView(turn, conversationId))}</section>
${input.error ? html`<p class="notice" role="alert">${input.error}</p>` : ''}
<form class="search ask-form" method="post" action="/ask">
<input type="hidden" name="conversationId" value="${conversationId ?? ''}">
<textarea name="question" rows="3" maxlength="500" required aria-label="질문" placeholder="${turns.length > 0 ? '이어서 물어보세요. 예: 그거 신청 방법은?' : `예: ${EXAMPLES[0] ?? ''}`}">${input.question}</textarea>
<div class="filters">
<label>나이(만, 선택) <input type="number" name="age" value="${input.age}" min="0" max="120" inputmode="numeric" placeholder="예: 27"></label>
<label>지역(선택) <input type="text" name="region" value="${input.region}" maxlength="40" placeholder="예: 서울 강남구"></label>
</div>
<button type="submit">물어보기</button>
</form>
${turns.length === 0 ? html`<p class="meta">예시: ${EXAMPLES.map((example, index) => html`${index > 0 ? ' · ' : ''}“${example}”`)}</p>` : html`<p class="meta"><a href="/ask">새 대화 시작</a></p>`}
</div>`,
  };
}

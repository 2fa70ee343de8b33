import type { ApplicationStatus } from '../../utils/application-period.ts';
import { ageText, conditionsText, type PolicyDocument } from '../dataload/index.ts';
import type { AnswerFilters, Answerer, AnswerOutcome, AnswerRequest, NumberedDocument } from './answerer.ts';
import { ASPECTS, type Aspect } from './ask.extract.ts';

/** Korean words for a status, as the search page's badges say them. */
export const STATUS_WORDS: Readonly<Record<ApplicationStatus, string | undefined>> = {
  open: '신청 중',
  upcoming: '신청 예정',
  closed: '마감',
  always: '상시 신청',
  unknown: undefined,
};

/** Longest field text quoted from a document; the link has the rest. */
const FIELD_MAX = 220;

/** A field cut at a sentence or word end near `max`, marked with `…` when cut. */
export function clip(text: string, max = FIELD_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('다 '), cut.lastIndexOf(' '));
  return `${(end > max / 2 ? cut.slice(0, end + 1) : cut).trim()}…`;
}

/** The filters in words: `만 27세, 서울특별시, 지금 신청 가능한 것`. */
export function filtersText(filters: AnswerFilters): string {
  return [
    filters.age !== undefined ? `만 ${filters.age}세` : '',
    filters.regionLabel ?? '',
    filters.openOnly ? '지금 신청 가능한 것' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function whoFor(doc: PolicyDocument): string {
  const target = clip(doc.target);
  // The source's own target text often opens with the same ages: say them once.
  const ages = target.includes(ageText(doc)) ? '' : ageText(doc);
  const conditions = doc.conditions ? conditionsText(doc.conditions, { ageMin: null, ageMax: null }) : '';
  return [ages, conditions, target].filter(Boolean).join(' · ');
}

function periodText(doc: PolicyDocument, status: ApplicationStatus): string {
  const word = STATUS_WORDS[status];
  const period = clip(doc.period, 80);
  if (period && word) return `${period} (${word})`;
  return period || word || '';
}

/** The value of one aspect of a document, as the source wrote it; empty when it says nothing. */
function aspectText(doc: PolicyDocument, status: ApplicationStatus, aspect: Aspect): string {
  switch (aspect) {
    case 'applyMethod':
      return clip(doc.applyMethod, 400);
    case 'documents':
      return clip(doc.documents, 400);
    case 'contact':
      return clip([doc.organization, doc.contact].filter(Boolean).join(' · '), 300);
    case 'period':
      return periodText(doc, status);
    case 'target':
      return whoFor(doc);
    case 'content':
      return clip(doc.content || doc.summary, 400);
  }
}

/** The lines of one cited programme: who it is for, what it gives, when, how, and the link. */
function programmeLines({ n, doc, status }: NumberedDocument): string[] {
  const rows: [string, string][] = [
    ['대상', whoFor(doc)],
    ['지원 내용', clip(doc.content || doc.summary)],
    ['지역', doc.region],
    ['신청 기간', periodText(doc, status)],
    ['신청 방법', clip(doc.applyMethod, 160)],
    ['링크', doc.url],
  ];
  return [`[${n}] ${doc.title}`, ...rows.filter(([, value]) => value !== '').map(([label, value]) => `- ${label}: ${value}`)];
}

/** What to change when nothing matched: one suggestion per filter, or other words. */
export function suggestions(filters: AnswerFilters): string[] {
  const found: string[] = [];
  if (filters.openOnly) found.push('‘지금 신청 가능한’ 조건을 빼고 물어보세요.');
  if (filters.age !== undefined) found.push(`나이(만 ${filters.age}세)를 빼고 물어보세요.`);
  if (filters.regionLabel && filters.sidoLabel && filters.sidoLabel !== filters.regionLabel) found.push(`지역을 ${filters.sidoLabel} 전체로 넓혀 보세요.`);
  else if (filters.regionLabel) found.push(`지역(${filters.regionLabel})을 빼고 물어보세요.`);
  found.push('다른 낱말로 물어보세요. 예: “청년 월세 지원”, “구직활동 지원금”, “자격증 응시료”.');
  return found;
}

/** The answer's text, line by line: what the extractive answerer streams and the fallback reuses. */
export function extractiveLines(request: AnswerRequest): string[] {
  const { documents, filters, followUp } = request;
  const conditions = filtersText(filters);
  const topic = request.topic || request.question;
  if (documents.length === 0) {
    return [
      `“${topic}”${conditions ? `(${conditions})` : ''}에 맞는 정책을 모은 자료에서 찾지 못했습니다.`,
      '',
      ...suggestions(filters).map((line) => `- ${line}`),
    ];
  }
  if (followUp?.aspect) {
    const { label } = ASPECTS[followUp.aspect];
    const aspect = followUp.aspect;
    return [
      `앞에서 안내한 정책의 ${label}입니다.`,
      ...documents.flatMap((numbered) => {
        const value = aspectText(numbered.doc, numbered.status, aspect);
        return [
          '',
          `[${numbered.n}] ${numbered.doc.title}`,
          value ? `- ${label}: ${value}` : `- 자료에 ${label}이(가) 나와 있지 않습니다. 원문에서 확인하세요.`,
          `- 링크: ${numbered.doc.url}`,
        ];
      }),
    ];
  }
  const lead = followUp
    ? '앞에서 안내한 정책입니다.'
    : `“${topic}”${conditions ? `(${conditions})` : ''}에 맞는 정책 ${documents.length}건을 찾았습니다. 자세한 조건은 각 링크의 원문을 확인하세요.`;
  return [lead, ...documents.flatMap((numbered) => ['', ...programmeLines(numbered)])];
}

/**
 * The default answerer: offline and deterministic. It quotes the documents' own fields (clipped,
 * never paraphrased), so it cannot state what they do not say; with nothing retrieved it says so
 * and suggests which condition to drop.
 */
export class ExtractiveAnswerer implements Answerer {
  readonly name = 'extractive';

  // eslint-disable-next-line @typescript-eslint/require-await -- an async generator, like every answerer
  async *answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome> {
    const lines = extractiveLines(request);
    for (const [index, line] of lines.entries()) yield index < lines.length - 1 ? `${line}\n` : line;
    return { cited: request.documents.map(({ n }) => n), answerer: this.name };
  }
}

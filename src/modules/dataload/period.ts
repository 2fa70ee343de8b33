import type { ApplicationPeriod } from '../../utils/application-period.ts';

/**
 * Application periods as the three sources write them, parsed into `applyStart`/`applyEnd`/
 * `periodKind`. Text that does not read unambiguously is `unknown` (the text stays on the document):
 * a wrong "신청 중" costs a young person more than an honest "확인 필요".
 */

const UNKNOWN: ApplicationPeriod = Object.freeze({ applyStart: null, applyEnd: null, periodKind: 'unknown' });

interface DateToken {
  year: number | null;
  month: number;
  /** Null for a month without a day (`3월`, `2026.3`): the first or last day, by its side. */
  day: number | null;
  index: number;
  end: number;
}

/**
 * One date in any of the forms the sources use, leftmost alternative first: `20260602`,
 * `2026-07-01` / `2026.7.1.` / `2026년 7월 1일`, `2026.7` / `2026년 7월`, `'26.7.1.`, `7.1.` /
 * `7월 1일`, `7월`. Weekdays and times are removed before matching.
 */
const DATE = new RegExp(
  [
    String.raw`(?<!\d)(?<y1>\d{4})(?<m1>\d{2})(?<d1>\d{2})(?!\d)`,
    String.raw`(?<y2>\d{4})\s*(?:[.\-/]|년)\s*(?<m2>\d{1,2})\s*(?:[.\-/]|월)\s*(?<d2>\d{1,2})(?!\d)\s*(?:일|\.)?`,
    String.raw`(?<y3>\d{4})\s*(?:[.\-/]|년)\s*(?<m3>\d{1,2})(?!\d)\s*(?:월|\.)?`,
    // A two-digit year is only read when it cannot be a month (13+): `'26.3.2.`.
    String.raw`'?(?<!\d)(?<y4>1[3-9]|[2-9]\d)\s*\.\s*(?<m4>\d{1,2})\s*\.\s*(?<d4>\d{1,2})(?!\d)\s*\.?`,
    String.raw`(?<!\d)(?<m5>\d{1,2})\s*(?:[./]|월)\s*(?<d5>\d{1,2})(?!\d)\s*(?:일|\.)?`,
    String.raw`(?<!\d)(?<m6>\d{1,2})\s*월`,
  ].join('|'),
  'g',
);

function dateTokens(text: string): DateToken[] {
  const tokens: DateToken[] = [];
  for (const match of text.matchAll(DATE)) {
    const g = match.groups ?? {};
    const year = g.y1 ?? g.y2 ?? g.y3 ?? (g.y4 ? `20${g.y4}` : undefined);
    const month = g.m1 ?? g.m2 ?? g.m3 ?? g.m4 ?? g.m5 ?? g.m6;
    const day = g.d1 ?? g.d2 ?? g.d4 ?? g.d5;
    if (!month) continue;
    tokens.push({
      year: year ? Number(year) : null,
      month: Number(month),
      day: day ? Number(day) : null,
      index: match.index,
      end: match.index + match[0].length,
    });
  }
  return tokens;
}

/** `2026-07-01`, or null when the day does not exist (`2026-02-30`). */
function isoDay(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

function lastDayOf(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayOf(token: DateToken, year: number, side: 'start' | 'end'): string | null {
  const day = token.day ?? (side === 'start' ? 1 : lastDayOf(year, token.month));
  return isoDay(year, token.month, day);
}

/** Text made comparable: full-width forms, every tilde and wave dash as `~`, no weekdays or times. */
function normalisePeriodText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[∼〜～]/g, '~')
    .replace(/\(\s*[월화수목금토일]\s*\)/g, '')
    .replace(/(?<!\d)\d{1,2}\s*:\s*\d{2}(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Open until money or the programme runs out: `예산 소진 시까지`, `사업 종료 시까지`. */
const BUDGET = /예산\s*(?:소진|범위|한도)|(?:사업|모집)\s*종료\s*시/;
const ALWAYS = /상시|연중|수시|년\s*중/;
const ROLLING = /(?:로|으로)\s*부터\s*\d+\s*(?:일|개월|년)\s*(?:이내|내)/;
/** The whole text says it is over (`마감`, `신청 마감`, `접수 종료`, `모집 완료되었습니다`). */
const CLOSED = /^(?:신청|접수|모집)?\s*(?:마감|종료|완료)(?:되었습니다|됨)?\.?$/;
const ANNUAL = /매년|매해/;

function withoutDates(kind: ApplicationPeriod['periodKind']): ApplicationPeriod {
  return { applyStart: null, applyEnd: null, periodKind: kind };
}

/**
 * Parses a period as people write it. `yearContext` is the year to give dates written without one
 * (`5.1.~5.31.`): the year the source last changed the document (정부24 수정일시), never today's,
 * so a window that ended stays ended. Without a year context such dates are `unknown`.
 *
 * - two dates (`~`, ` - `, or `부터`): a range; a missing year comes from the other end, and an end
 *   before its start whose year was inferred moves to the next year (`11.1.~2.28.`);
 * - one date with `까지`/`마감`/a leading `~`: an end; with `부터`/a trailing `~`: a start; alone: unknown;
 * - `매년` with yearless dates: `annual`; `예산 소진` with a start and no end: `untilBudget`;
 * - more than two dates (several rounds): unknown;
 * - no date: `예산 소진` → untilBudget; `상시`/`연중`/`수시`/`…로부터 N일 이내` → always; `마감` → closed.
 */
export function parsePeriod(raw: string, yearContext: number | null): ApplicationPeriod {
  const text = normalisePeriodText(raw);
  if (text === '') return UNKNOWN;
  const tokens = dateTokens(text);
  if (tokens.length === 0) {
    if (BUDGET.test(text)) return withoutDates('untilBudget');
    if (ALWAYS.test(text) || ROLLING.test(text)) return withoutDates('always');
    if (CLOSED.test(text)) return withoutDates('closed');
    return UNKNOWN;
  }
  if (tokens.length > 2) return UNKNOWN;

  const annual = ANNUAL.test(text) && tokens.every((token) => token.year === null);
  const budget = BUDGET.test(text);
  const [first, second] = tokens as [DateToken, DateToken | undefined];

  if (!second) {
    const before = text.slice(0, first.index);
    const after = text.slice(first.end);
    const isEnd = /~\s*$/.test(before) || /^\s*(?:까지|마감|이내|\(?\s*마감)/.test(after);
    const isStart = !isEnd && (/^\s*(?:부터|~|에서|시작)/.test(after) || budget);
    if (!isEnd && !isStart) return UNKNOWN;
    const year = first.year ?? yearContext;
    if (year === null || annual) return UNKNOWN;
    const day = dayOf(first, year, isEnd ? 'end' : 'start');
    if (!day) return UNKNOWN;
    if (isEnd) return { applyStart: null, applyEnd: day, periodKind: 'dates' };
    return { applyStart: day, applyEnd: null, periodKind: budget ? 'untilBudget' : 'dates' };
  }

  const between = text.slice(first.end, second.index);
  if (!/^\s*(?:~|-|부터|에서)\s*(?:~\s*)?$/.test(between)) return UNKNOWN;
  const startYear = first.year ?? second.year ?? yearContext;
  if (startYear === null) return UNKNOWN;
  let endYear = second.year ?? startYear;
  const start = dayOf(first, startYear, 'start');
  let end = dayOf(second, endYear, 'end');
  if (!start || !end) return UNKNOWN;
  if (end < start) {
    if (second.year !== null) return UNKNOWN;
    endYear += 1;
    end = dayOf(second, endYear, 'end');
    if (!end) return UNKNOWN;
  }
  return { applyStart: start, applyEnd: end, periodKind: annual ? 'annual' : 'dates' };
}

/** The year of an ISO day or instant (`2026-02-27` → 2026), or null. */
export function yearOf(isoDate: string): number | null {
  const match = /^(\d{4})-\d{2}-\d{2}/.exec(isoDate);
  return match ? Number(match[1]) : null;
}

/** 온통청년 `aplyPrdSeCd`: 0057001 기간 (dates in `aplyYmd`), 0057002 상시, 0057003 마감. */
export function youthPeriod(code: string, applyDates: string): ApplicationPeriod {
  if (code === '0057002') return { applyStart: null, applyEnd: null, periodKind: 'always' };
  const parsed = parsePeriod(applyDates, null);
  // 마감 wins over dates that would still read as open: the source closed it early.
  if (code === '0057003') return { applyStart: parsed.applyStart, applyEnd: parsed.applyEnd, periodKind: 'closed' };
  return parsed;
}

/**
 * 고용24 lists when a programme runs (`pgmStdt`–`pgmEndt`), not when to apply. Centres take
 * sign-ups until it starts, and a session cannot be joined half-way, so applications end on the
 * start day; when they open is not published (null).
 */
export function work24Period(startYmd: string): ApplicationPeriod {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(startYmd.trim());
  const day = match ? isoDay(Number(match[1]), Number(match[2]), Number(match[3])) : null;
  return day ? { applyStart: null, applyEnd: day, periodKind: 'dates' } : UNKNOWN;
}

import { formatWallTime } from './time.ts';

/**
 * How a document's application period reads, once parsed:
 * - `dates`: from `applyStart` to `applyEnd` (either may be null: `2026.2.23.까지` has no start);
 * - `annual`: every year from the month-day of `applyStart` to that of `applyEnd` (`매년 3월~4월`);
 * - `untilBudget`: until the budget runs out (`예산 소진 시까지`), from `applyStart` when given;
 * - `always`: any time (`상시신청`, `연중`, `수시`, `출생일로부터 60일 이내`);
 * - `closed`: the source says applications are closed (온통청년 `0057003 마감`);
 * - `unknown`: anything else; the text stays on the document for people to read.
 */
export const PERIOD_KINDS = ['dates', 'annual', 'untilBudget', 'always', 'closed', 'unknown'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** Whether a person can apply, as of a moment: computed at query time, never stored. */
export const APPLICATION_STATUSES = ['open', 'upcoming', 'closed', 'always', 'unknown'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** The parsed period as every document carries it. Dates are ISO days (`2026-07-01`) in Asia/Seoul. */
export interface ApplicationPeriod {
  applyStart: string | null;
  applyEnd: string | null;
  periodKind: PeriodKind;
}

const SEOUL = 'Asia/Seoul';

/** The calendar day of `now` in Asia/Seoul: `2026-06-15`. */
export function seoulDay(now: Date): string {
  return formatWallTime(now.getTime(), SEOUL).slice(0, 10);
}

/**
 * Whether one can apply on the Seoul day of `now`. Both ends of a period are inclusive days:
 * `2026-07-01 ~ 2026-08-14` is `open` all of 14 August Seoul time and `closed` from 15 August.
 * `untilBudget` is `open` once started (the budget may already be spent; the source cannot say).
 */
export function applicationStatus(period: ApplicationPeriod, now: Date): ApplicationStatus {
  return applicationStatusOn(period, seoulDay(now));
}

/** `applicationStatus` for a Seoul day already computed (`seoulDay(now)`), for many documents at once. */
export function applicationStatusOn(period: ApplicationPeriod, today: string): ApplicationStatus {
  const { applyStart: start, applyEnd: end } = period;
  switch (period.periodKind) {
    case 'always':
      return 'always';
    case 'closed':
      return 'closed';
    case 'unknown':
      return 'unknown';
    case 'untilBudget':
      return start && today < start ? 'upcoming' : 'open';
    case 'annual': {
      if (!start || !end) return 'unknown';
      const day = today.slice(5);
      const from = start.slice(5);
      const to = end.slice(5);
      // A window across New Year (`11.1.~2.28.`) wraps around.
      const inside = from <= to ? day >= from && day <= to : day >= from || day <= to;
      return inside ? 'open' : 'upcoming';
    }
    case 'dates':
      if (start && today < start) return 'upcoming';
      if (end && today > end) return 'closed';
      return start || end ? 'open' : 'unknown';
  }
}

import { describe, expect, it } from 'vitest';
import { applicationStatus, seoulDay, type ApplicationPeriod } from '../../src/utils/application-period.ts';

const dates = (applyStart: string | null, applyEnd: string | null): ApplicationPeriod => ({ applyStart, applyEnd, periodKind: 'dates' });
const at = (iso: string): Date => new Date(iso);

describe('applicationStatus', () => {
  it('is open from the first to the last day, inclusive, upcoming before and closed after', () => {
    const summer = dates('2026-07-01', '2026-08-14');
    expect(applicationStatus(summer, at('2026-06-30T12:00:00+09:00'))).toBe('upcoming');
    expect(applicationStatus(summer, at('2026-07-01T00:00:00+09:00'))).toBe('open');
    expect(applicationStatus(summer, at('2026-08-14T23:59:00+09:00'))).toBe('open');
    expect(applicationStatus(summer, at('2026-08-15T00:00:00+09:00'))).toBe('closed');
  });

  it('counts days in Asia/Seoul, not UTC: 00:30 on 15 August in Seoul is still 14 August in UTC', () => {
    const now = at('2026-08-14T15:30:00Z');
    expect(seoulDay(now)).toBe('2026-08-15');
    expect(applicationStatus(dates('2026-07-01', '2026-08-14'), now)).toBe('closed');
    expect(applicationStatus(dates('2026-08-15', '2026-08-31'), now)).toBe('open');
    expect(applicationStatus(dates('2026-08-15', '2026-08-31'), at('2026-08-14T14:59:00Z'))).toBe('upcoming');
  });

  it('reads an open end and an open start', () => {
    const now = at('2026-09-15T12:00:00+09:00');
    expect(applicationStatus(dates(null, '2026-12-31'), now)).toBe('open');
    expect(applicationStatus(dates(null, '2026-02-23'), now)).toBe('closed');
    expect(applicationStatus(dates('2026-03-01', null), now)).toBe('open');
    expect(applicationStatus(dates('2026-10-01', null), now)).toBe('upcoming');
    expect(applicationStatus(dates(null, null), now)).toBe('unknown');
  });

  it('passes always, closed and unknown through, and opens a budget-limited programme once it starts', () => {
    const now = at('2026-09-15T12:00:00+09:00');
    expect(applicationStatus({ applyStart: null, applyEnd: null, periodKind: 'always' }, now)).toBe('always');
    expect(applicationStatus({ applyStart: '2026-01-01', applyEnd: '2026-12-31', periodKind: 'closed' }, now)).toBe('closed');
    expect(applicationStatus({ applyStart: null, applyEnd: null, periodKind: 'unknown' }, now)).toBe('unknown');
    expect(applicationStatus({ applyStart: null, applyEnd: null, periodKind: 'untilBudget' }, now)).toBe('open');
    expect(applicationStatus({ applyStart: '2026-03-02', applyEnd: null, periodKind: 'untilBudget' }, now)).toBe('open');
    expect(applicationStatus({ applyStart: '2026-10-02', applyEnd: null, periodKind: 'untilBudget' }, now)).toBe('upcoming');
  });

  it('reads an annual window by month and day in any year, across New Year too', () => {
    const spring: ApplicationPeriod = { applyStart: '2026-03-01', applyEnd: '2026-04-30', periodKind: 'annual' };
    expect(applicationStatus(spring, at('2027-03-15T12:00:00+09:00'))).toBe('open');
    expect(applicationStatus(spring, at('2026-09-15T12:00:00+09:00'))).toBe('upcoming');
    const winter: ApplicationPeriod = { applyStart: '2026-11-01', applyEnd: '2027-02-28', periodKind: 'annual' };
    expect(applicationStatus(winter, at('2027-01-10T12:00:00+09:00'))).toBe('open');
    expect(applicationStatus(winter, at('2026-11-01T00:10:00+09:00'))).toBe('open');
    expect(applicationStatus(winter, at('2026-06-01T12:00:00+09:00'))).toBe('upcoming');
  });
});

import { describe, expect, it } from 'vitest';
import { parsePeriod, work24Period, youthPeriod } from '../../src/modules/dataload/period.ts';
import { normaliseGov24 } from '../../src/modules/dataload/sources/gov24.ts';
import type { ApplicationPeriod, PeriodKind } from '../../src/utils/application-period.ts';

const period = (applyStart: string | null, applyEnd: string | null, periodKind: PeriodKind): ApplicationPeriod => ({ applyStart, applyEnd, periodKind });
const UNKNOWN = period(null, null, 'unknown');

describe('정부24 신청기한 (free text; a date without a year takes the year the service was last edited)', () => {
  const cases: [string, ApplicationPeriod][] = [
    ['2026.2.23.까지', period(null, '2026-02-23', 'dates')],
    ['2026. 2. 24. ~ 2026. 12. 31.', period('2026-02-24', '2026-12-31', 'dates')],
    ['2026.3.2.~2026.4.30.', period('2026-03-02', '2026-04-30', 'dates')],
    ['2026-07-01 ~ 2026-08-14', period('2026-07-01', '2026-08-14', 'dates')],
    ['2026-07-01 - 2026-08-14', period('2026-07-01', '2026-08-14', 'dates')],
    ['2026.3.2.(월)~3.20.(금)', period('2026-03-02', '2026-03-20', 'dates')],
    ['2026년 3월 2일 ~ 3월 20일', period('2026-03-02', '2026-03-20', 'dates')],
    ['○ 2026. 09. 01. 09:00 ~ 2026. 09. 30. 18:00', period('2026-09-01', '2026-09-30', 'dates')],
    ["'26.3.2.~'26.3.20.", period('2026-03-02', '2026-03-20', 'dates')],
    ['2026년 3월 ~ 4월', period('2026-03-01', '2026-04-30', 'dates')],
    ['2026.07 ~ 2026.08', period('2026-07-01', '2026-08-31', 'dates')],
    ['2026.11.1.~2.28.', period('2026-11-01', '2027-02-28', 'dates')],
    ['5.1.~5.31.', period('2026-05-01', '2026-05-31', 'dates')],
    ['7월 1일 ~ 8월 14일', period('2026-07-01', '2026-08-14', 'dates')],
    ['11.1.~2.28.', period('2026-11-01', '2027-02-28', 'dates')],
    ['12월 31일까지', period(null, '2026-12-31', 'dates')],
    ['~ 2026.5.31.', period(null, '2026-05-31', 'dates')],
    ['2026.3.1.부터', period('2026-03-01', null, 'dates')],
    ['2026. 3. 2.~', period('2026-03-02', null, 'dates')],
    ['매년 3월~4월', period('2026-03-01', '2026-04-30', 'annual')],
    ['매년 10.1.~11.30.', period('2026-10-01', '2026-11-30', 'annual')],
    ['2026.1.2.~12.31.(예산 소진 시 조기 마감)', period('2026-01-02', '2026-12-31', 'dates')],
    ['상시 (2026.1.2.~12.31.)', period('2026-01-02', '2026-12-31', 'dates')],
    ['2026.3.2.~예산 소진 시', period('2026-03-02', null, 'untilBudget')],
    ['예산 소진 시까지', period(null, null, 'untilBudget')],
    ['사업 종료 시까지', period(null, null, 'untilBudget')],
    ['상시신청', period(null, null, 'always')],
    ['상시', period(null, null, 'always')],
    ['연중', period(null, null, 'always')],
    ['연중 상시', period(null, null, 'always')],
    ['수시 신청', period(null, null, 'always')],
    ['출생일로부터 60일 이내', period(null, null, 'always')],
    ['출산 예정일 40일 전부터 출산일로부터 30일 이내', period(null, null, 'always')],
    ['마감', period(null, null, 'closed')],
    ['신청 마감', period(null, null, 'closed')],
    ['접수 종료', period(null, null, 'closed')],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      expect(parsePeriod(text, 2026)).toEqual(expected);
    });
  }

  it('never guesses: several rounds, impossible dates, reversed explicit years, a lone date and vague text stay unknown', () => {
    for (const text of [
      '1차: 2026.3.2.~3.20., 2차: 2026.9.1.~9.20.', '2026.2.30.~2026.3.5.', '2026.5.1.~2026.4.1.', '2026.5.31.', '사업별 상이',
      '공고 시 별도 안내', '추후 공지', '해당없음', '', '   ',
    ]) {
      expect(parsePeriod(text, 2026), text).toEqual(UNKNOWN);
    }
  });

  it('leaves yearless dates unknown when the document has no year to give them', () => {
    for (const text of ['5.1.~5.31.', '7월 1일 ~ 8월 14일', '12월 31일까지', '매년 3월~4월']) expect(parsePeriod(text, null), text).toEqual(UNKNOWN);
    expect(parsePeriod('2026.3.2.~3.20.', null)).toEqual(period('2026-03-02', '2026-03-20', 'dates'));
  });

  it('takes the year of 수정일시 for a yearless 신청기한 on a normalised service', () => {
    const item = { 서비스ID: '000000123456', 서비스명: '출산장려금', 신청기한: '5.1.~5.31.', 수정일시: '20250227101500' };
    expect(normaliseGov24(item, undefined)).toMatchObject({ period: '5.1.~5.31.', applyStart: '2025-05-01', applyEnd: '2025-05-31', periodKind: 'dates' });
    expect(normaliseGov24({ ...item, 수정일시: null }, undefined)).toMatchObject({ period: '5.1.~5.31.', applyStart: null, periodKind: 'unknown' });
  });
});

describe('온통청년 aplyPrdSeCd + aplyYmd', () => {
  it('reads 기간 (0057001) from the YYYYMMDD range', () => {
    expect(youthPeriod('0057001', '20260602 ~ 20261231')).toEqual(period('2026-06-02', '2026-12-31', 'dates'));
    expect(youthPeriod('0057001', '20260701~20260814')).toEqual(period('2026-07-01', '2026-08-14', 'dates'));
    expect(youthPeriod('0057001', ' ')).toEqual(UNKNOWN);
    expect(youthPeriod('0057001', '20261331 ~ 20261231')).toEqual(UNKNOWN);
  });

  it('reads 상시 (0057002) as always and 마감 (0057003) as closed, keeping any dates', () => {
    expect(youthPeriod('0057002', ' ')).toEqual(period(null, null, 'always'));
    expect(youthPeriod('0057002', '20260101 ~ 20261231')).toEqual(period(null, null, 'always'));
    expect(youthPeriod('0057003', ' ')).toEqual(period(null, null, 'closed'));
    expect(youthPeriod('0057003', '20260301 ~ 20261231')).toEqual(period('2026-03-01', '2026-12-31', 'closed'));
  });

  it('falls back to the text when the code is missing', () => {
    expect(youthPeriod('', '20260301 ~ 20260331')).toEqual(period('2026-03-01', '2026-03-31', 'dates'));
    expect(youthPeriod('', '')).toEqual(UNKNOWN);
  });
});

describe('고용24 pgmStdt', () => {
  it('ends applications on the day the programme starts; when they open is not published', () => {
    expect(work24Period('20260105')).toEqual(period(null, '2026-01-05', 'dates'));
    expect(work24Period(' 20261130 ')).toEqual(period(null, '2026-11-30', 'dates'));
    expect(work24Period('')).toEqual(UNKNOWN);
    expect(work24Period('2026-01-05')).toEqual(UNKNOWN);
    expect(work24Period('20260230')).toEqual(UNKNOWN);
  });
});

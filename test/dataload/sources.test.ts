import { describe, expect, it } from 'vitest';
import { normaliseGov24 } from '../../src/modules/dataload/sources/gov24.ts';
import { normaliseWork24, openTime24, work24SearchUrl } from '../../src/modules/dataload/sources/work24.ts';
import { normaliseYouth } from '../../src/modules/dataload/sources/youth.ts';

describe('고용24 start times (openTimeClcd 1 오전, 2 오후; openTime on a 12-hour clock)', () => {
  const cases: [string, string, string][] = [
    ['1', '09:30', '09:30'],
    ['1', '10:00', '10:00'],
    ['1', '12:00', '00:00'],
    ['2', '01:30', '13:30'],
    ['2', '1:30', '13:30'],
    ['2', '02:00', '14:00'],
    ['2', '10:00', '22:00'],
    ['2', '12:30', '12:30'],
    // A centre that typed a 24-hour time already: kept.
    ['2', '14:00', '14:00'],
    // Unknown code, blank code, unreadable time: shown as sent, never guessed.
    ['3', '01:30', '01:30'],
    ['', '01:30', '01:30'],
    ['2', '오후 2시', '오후 2시'],
    ['2', '25:00', '25:00'],
    ['1', '', ''],
  ];
  for (const [code, time, expected] of cases) {
    it(`reads ${code || '(blank)'} + ${JSON.stringify(time)} as ${JSON.stringify(expected)}`, () => {
      expect(openTime24(code, time)).toBe(expected);
    });
  }

  it('shows an afternoon start as afternoon on the programme', () => {
    const doc = normaliseWork24({ orgNm: '서울관악고용센터', pgmNm: '취업희망 프로그램', pgmSubNm: '구직 동기 향상 제3기', pgmStdt: '20260105', pgmEndt: '20260109', openTimeClcd: '2', openTime: '01:30', operationTime: '13:30~16:30' });
    expect(doc?.content).toBe('과정명: 구직 동기 향상 제3기\n운영시간: 13:30~16:30\n시작시간: 13:30');
  });
});

describe('links to the original', () => {
  it('sends 고용24 programmes to a 고용24 search for the programme name, never the bare home page', () => {
    const url = new URL(work24SearchUrl('청년 취업역량 강화 프로그램'));
    expect(`${url.origin}${url.pathname}`).toBe('https://www.work24.go.kr/cm/f/c/0100/selectUnifySearch.do');
    expect(url.searchParams.get('topQueryData')).toBe('청년 취업역량 강화 프로그램');
    expect(url.searchParams.get('topQuerySearchArea')).toBe('all');
    const doc = normaliseWork24({ orgNm: '부산고용센터', pgmNm: '성취 프로그램', pgmSubNm: '취업 자신감 향상 제1기', pgmStdt: '20260105' });
    expect(doc?.url).toBe(work24SearchUrl('성취 프로그램'));
    expect(doc?.url).not.toBe('https://www.work24.go.kr');
  });

  it('keeps 온통청년 and 정부24 links in the order of usefulness', () => {
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', aplyUrlAddr: 'https://apply.example.kr', refUrlAddr1: 'https://ref.example.kr' })?.url).toBe('https://apply.example.kr');
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', aplyUrlAddr: ' ', refUrlAddr1: 'https://ref.example.kr' })?.url).toBe('https://ref.example.kr');
    expect(normaliseYouth({ plcyNo: '20260806005400213322', plcyNm: '정책' })?.url).toBe('https://www.youthcenter.go.kr/youthPolicy/ythPlcyTotalSearch/ythPlcyDetail/20260806005400213322');
    expect(normaliseGov24({ 서비스ID: '000000465790', 서비스명: '서비스' }, undefined)?.url).toBe('https://www.gov.kr/portal/rcvfvrSvc/dtlEx/000000465790');
  });
});

describe('regions on documents', () => {
  it('places 온통청년 policies by zipCd, 중앙부처 ones nationwide, and by institution without codes', () => {
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', zipCd: '11680', pvsnInstGroupCd: '0054002' })).toMatchObject({ region: '서울특별시 강남구', regionKey: '서울', regionSido: '서울', regionSigungu: '강남구' });
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', zipCd: '11110,11140', pvsnInstGroupCd: '0054002' })).toMatchObject({ region: '서울특별시', regionSido: '서울', regionSigungu: null });
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', zipCd: '42110' })).toMatchObject({ region: '강원특별자치도 춘천시', regionSido: '강원' });
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', zipCd: '11680', pvsnInstGroupCd: '0054001' })).toMatchObject({ region: '전국', regionKey: '전국', regionSido: null, regionSigungu: null });
    expect(normaliseYouth({ plcyNo: '1', plcyNm: '정책', zipCd: ' ', sprvsnInstCdNm: '경상남도 창원시' })).toMatchObject({ regionSido: '경남', regionSigungu: '창원시' });
  });

  it('places 정부24 services by their institution unless it is a central one', () => {
    expect(normaliseGov24({ 서비스ID: '1', 서비스명: '출산장려금', 소관기관명: '서울특별시 강남구', 소관기관유형: '시군구' }, undefined)).toMatchObject({ region: '서울특별시 강남구', regionSido: '서울', regionSigungu: '강남구' });
    expect(normaliseGov24({ 서비스ID: '1', 서비스명: '출산장려금', 소관기관명: '경기도', 소관기관유형: '광역시도' }, undefined)).toMatchObject({ region: '경기도', regionSido: '경기', regionSigungu: null });
    expect(normaliseGov24({ 서비스ID: '1', 서비스명: '아동수당', 소관기관명: '보건복지부', 소관기관유형: '중앙행정기관' }, undefined)).toMatchObject({ region: '전국', regionSido: null });
  });

  it('places 고용24 programmes in the 시도 of their centre only: a centre serves several 시군구', () => {
    expect(normaliseWork24({ orgNm: '서울강남고용센터', pgmNm: '프로그램', pgmStdt: '20260105' })).toMatchObject({ region: '서울특별시', regionSido: '서울', regionSigungu: null });
    expect(normaliseWork24({ orgNm: '창원고용센터', pgmNm: '프로그램', pgmStdt: '20260105' })).toMatchObject({ region: '경상남도', regionSido: '경남', regionSigungu: null });
  });
});

import { describe, expect, it } from 'vitest';
import { extractQuestion } from '../../src/modules/ask/ask.extract.ts';

const NOW = new Date('2026-09-15T03:00:00Z');

/** [question, age, region as `시도 시군구`, openNow, topic]. */
const PHRASINGS: readonly [string, number | undefined, string | undefined, boolean, string][] = [
  ['서울 사는 27살인데 월세 지원 받을 수 있어?', 27, '서울', false, '월세 지원'],
  ['만 27세 서울 청년 월세 지원', 27, '서울', false, '청년 월세 지원'],
  ['부산에 사는 스물다섯 살 취업 지원 알려줘', 25, '부산', false, '취업 지원'],
  ['경기도 수원시 거주 29세 주거 지원', 29, '경기 수원시', false, '주거 지원'],
  ['강남구 사는데 청년 월세 지원 있나요?', undefined, '서울 강남구', false, '청년 월세 지원'],
  ['서울 강남구에 사는 31살 직장인인데 지원금 있어요?', 31, '서울 강남구', false, '직장인인데 지원금'],
  ['지금 신청 가능한 청년 월세 지원', undefined, undefined, true, '청년 월세 지원'],
  ['현재 모집 중인 구직활동 지원금 있어?', undefined, undefined, true, '구직활동 지원금'],
  ['대구 24살 지금 신청할 수 있는 취업 프로그램', 24, '대구', true, '취업 프로그램'],
  ['99년생 인천 청년 주거', 27, '인천', false, '청년 주거'],
  ['03년생인데 자격증 응시료 지원 받을 수 있나요', 23, undefined, false, '자격증 응시료 지원'],
  ['나이는 33 광주 사는데 창업 지원', 33, '광주', false, '창업 지원'],
  ['수원에 사는 청년인데 면접 준비 프로그램 있어?', undefined, '경기 수원시', false, '면접 준비 프로그램'],
  ['제주도 서귀포시 26살 일자리', 26, '제주 서귀포시', false, '일자리'],
  ['세종시 22세 대학생 장학금', 22, '세종', false, '대학생 장학금'],
  ['전북 전주시 청년 월세', undefined, '전북 전주시', false, '청년 월세'],
  ['강원도에 사는 서른 살 귀농 지원', 30, '강원', false, '귀농 지원'],
  ['3살 아이 키우는 서울 엄마 육아 지원', undefined, '서울', false, '아이 키우는 엄마 육아 지원'],
  ['7살 딸이 있는 35세 부산 사람 양육비', 35, '부산', false, '딸이 양육비'],
  ['스무살 대학생 등록금 지원', 20, undefined, false, '대학생 등록금 지원'],
  ['마흔한 살 전국 어디서나 받을 수 있는 지원', 41, '전국', false, '어디서나 지원'],
  ['울산 남구 28살 접수 중인 교통비 지원', 28, '울산 남구', true, '교통비 지원'],
  ['경남 창원 청년 구직 수당', undefined, '경남 창원시', false, '청년 구직 수당'],
  ['성남시 청년 기본소득 지금 받을 수 있어?', undefined, '경기 성남시', true, '청년 기본소득'],
  ['해운대구 청년 월세 신청 가능한 거 있나요', undefined, '부산 해운대구', true, '청년 월세'],
  ['마감 안 된 서울시 청년 지원 사업', undefined, '서울', true, '청년 지원 사업'],
  ['대전광역시 유성구에 사는 만 19세', 19, '대전 유성구', false, ''],
  ['충남 천안 청년 창업', undefined, '충남 천안시', false, '청년 창업'],
  ['예산이 남은 청년 지원 사업', undefined, undefined, false, '예산이 남은 청년 지원 사업'],
  ['경기 침체로 힘든 청년 취업 지원', undefined, undefined, false, '경기 침체로 힘든 청년 취업 지원'],
  ['청년 월세 한시 특별지원', undefined, undefined, false, '청년 월세 한시 특별지원'],
  ['1995년생 서울 마포구 주거 안정', 31, '서울 마포구', false, '주거 안정'],
  ['스물아홉살 경북 포항 일자리 지원 신청 가능?', 29, '경북 포항시', true, '일자리 지원'],
];

const label = (region: { sido: string | null; sigungu: string | null } | undefined): string | undefined =>
  region ? (region.sido === null ? '전국' : [region.sido, region.sigungu].filter(Boolean).join(' ')) : undefined;

describe('the Korean question extractor', () => {
  it.each(PHRASINGS)('reads %s', (question, age, region, openNow, topic) => {
    const read = extractQuestion(question, NOW);
    expect({ age: read.age, region: label(read.region), openNow: read.openNow, topic: read.topic }).toEqual({ age, region, openNow, topic });
  });

  it('recognises a follow-up, what it asks about, and which programme it points at', () => {
    expect(extractQuestion('그거 신청 방법은?', NOW)).toMatchObject({ refersBack: true, aspect: 'applyMethod', ordinal: undefined, topic: '' });
    expect(extractQuestion('두 번째 거 서류는 뭐가 필요해?', NOW)).toMatchObject({ refersBack: true, aspect: 'documents', ordinal: 1 });
    expect(extractQuestion('1번 언제까지 신청해요?', NOW)).toMatchObject({ refersBack: true, aspect: 'period', ordinal: 0 });
    expect(extractQuestion('청년 월세 지원 신청 방법', NOW)).toMatchObject({ refersBack: false, aspect: 'applyMethod' });
  });
});

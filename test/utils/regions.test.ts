import { describe, expect, it } from 'vitest';
import {
  findSido, NATIONWIDE, parseRegion, regionInText, regionLabel, regionMatches, regionOfCode, regionOfCodes, SIDO_KEYS, SIDO_LIST, sigunguNames,
  type Region,
} from '../../src/utils/regions.ts';

const region = (sido: string | null, sigungu: string | null = null): Region => ({ sido, sigungu });

describe('the region table', () => {
  it('lists the 17 시도 with every 시군구: 226 autonomous ones, 제주 2 administrative cities, 인천 3 districts of July 2026', () => {
    const counts = Object.fromEntries(SIDO_LIST.map((sido) => [sido.short, sido.sigungu.length]));
    expect(counts).toEqual({
      서울: 25, 부산: 16, 대구: 9, 인천: 13, 광주: 5, 대전: 5, 울산: 5, 세종: 0, 경기: 31,
      강원: 18, 충북: 11, 충남: 15, 전북: 14, 전남: 22, 경북: 22, 경남: 18, 제주: 2,
    });
    const autonomous = SIDO_LIST.flatMap((sido) => sido.sigungu.filter((entry) => entry.code !== null)).length - 2;
    expect(autonomous).toBe(226);
    expect(SIDO_KEYS).toHaveLength(17);
  });

  it('gives every 시군구 a distinct code under its own 시도 prefix', () => {
    const codes = SIDO_LIST.flatMap((sido) => sido.sigungu.flatMap((entry) => (entry.code ? [entry.code] : [])));
    expect(new Set(codes).size).toBe(codes.length);
    for (const sido of SIDO_LIST) {
      for (const entry of sido.sigungu) if (entry.code) expect(entry.code.slice(0, 2), entry.name).toBe(sido.code);
    }
    // 군위군 moved to 대구 in 2023; 경북 no longer lists it.
    expect(sigunguNames('대구')).toContain('군위군');
    expect(sigunguNames('경북')).not.toContain('군위군');
  });
});

describe('finding a 시도', () => {
  it('by full name, short name, former name and code', () => {
    expect(findSido('서울특별시')?.short).toBe('서울');
    expect(findSido('서울')?.name).toBe('서울특별시');
    expect(findSido('강원도')?.name).toBe('강원특별자치도');
    expect(findSido('강원')?.code).toBe('51');
    expect(findSido('전라북도')?.name).toBe('전북특별자치도');
    expect(findSido('전북')?.name).toBe('전북특별자치도');
    expect(findSido('제주특별자치도')?.short).toBe('제주');
    expect(findSido('세종특별자치시')?.short).toBe('세종');
    expect(findSido('세종시')?.short).toBe('세종');
    expect(findSido('42')?.short).toBe('강원');
    expect(findSido('45')?.short).toBe('전북');
    expect(findSido('경기도')?.code).toBe('41');
    expect(findSido('광주시')).toBeUndefined();
    expect(findSido('서울 강남구')).toBeUndefined();
  });
});

describe('legal-dong codes (온통청년 zipCd)', () => {
  it('reads a 시군구 code, a whole-시도 code, a 10-digit code and a 일반구 code', () => {
    expect(regionOfCode('11680')).toEqual(region('서울', '강남구'));
    expect(regionOfCode('26440')).toEqual(region('부산', '강서구'));
    expect(regionOfCode('28177')).toEqual(region('인천', '미추홀구'));
    expect(regionOfCode('27720')).toEqual(region('대구', '군위군'));
    expect(regionOfCode('41000')).toEqual(region('경기'));
    expect(regionOfCode('11')).toEqual(region('서울'));
    expect(regionOfCode('1168010100')).toEqual(region('서울', '강남구'));
    expect(regionOfCode('41135')).toEqual(region('경기', '성남시'));
    expect(regionOfCode('48125')).toEqual(region('경남', '창원시'));
    expect(regionOfCode('50130')).toEqual(region('제주', '서귀포시'));
  });

  it('reads the former 강원 (42) and 전북 (45) prefixes as the same places', () => {
    expect(regionOfCode('42110')).toEqual(region('강원', '춘천시'));
    expect(regionOfCode('51110')).toEqual(region('강원', '춘천시'));
    expect(regionOfCode('45111')).toEqual(region('전북', '전주시'));
    expect(regionOfCode('52113')).toEqual(region('전북', '전주시'));
  });

  it('reads 세종 and unknown codes of a known 시도 as the whole 시도, and rejects the rest', () => {
    expect(regionOfCode('36110')).toEqual(region('세종'));
    expect(regionOfCode('11999')).toEqual(region('서울'));
    expect(regionOfCode('99110')).toBeUndefined();
    expect(regionOfCode('abcde')).toBeUndefined();
    expect(regionOfCode('1168')).toBeUndefined();
  });

  it('reduces a list to one 시군구, its whole 시도, or 전국 across 시도', () => {
    expect(regionOfCodes('11680')).toEqual(region('서울', '강남구'));
    expect(regionOfCodes('11680,11680')).toEqual(region('서울', '강남구'));
    expect(regionOfCodes('11110,11140,11680')).toEqual(region('서울'));
    expect(regionOfCodes('41110,41000')).toEqual(region('경기'));
    expect(regionOfCodes('11110,26110')).toEqual(NATIONWIDE);
    expect(regionOfCodes(['42110', '51130'])).toEqual(region('강원'));
    expect(regionOfCodes(' ')).toBeUndefined();
    expect(regionOfCodes('99999,abc')).toBeUndefined();
  });
});

describe('institution names', () => {
  it('finds the 시도 and 시군구 an institution names', () => {
    expect(regionInText('서울특별시 강남구')).toEqual(region('서울', '강남구'));
    expect(regionInText('서울특별시 강남구청')).toEqual(region('서울', '강남구'));
    expect(regionInText('경기도 성남시 분당구')).toEqual(region('경기', '성남시'));
    expect(regionInText('부산광역시 강서구')).toEqual(region('부산', '강서구'));
    expect(regionInText('강원도 고성군')).toEqual(region('강원', '고성군'));
    expect(regionInText('경상남도 고성군')).toEqual(region('경남', '고성군'));
    expect(regionInText('전라북도 전주시')).toEqual(region('전북', '전주시'));
    expect(regionInText('경기도 광주시')).toEqual(region('경기', '광주시'));
    expect(regionInText('인천광역시 제물포구')).toEqual(region('인천', '제물포구'));
    expect(regionInText('세종특별자치시')).toEqual(region('세종'));
    expect(regionInText('경기도일자리재단')).toEqual(region('경기'));
  });

  it('reads 고용센터 names by their short forms', () => {
    expect(regionInText('서울강남고용센터')).toEqual(region('서울', '강남구'));
    expect(regionInText('서울서부고용센터')).toEqual(region('서울'));
    expect(regionInText('부산북부고용센터')).toEqual(region('부산'));
    expect(regionInText('광주고용센터')).toEqual(region('광주'));
    expect(regionInText('창원고용센터')).toEqual(region('경남', '창원시'));
    expect(regionInText('수원시청')).toEqual(region('경기', '수원시'));
    expect(regionInText('강남구청')).toEqual(region('서울', '강남구'));
  });

  it('says 전국 for ministries and for names it cannot place for sure', () => {
    for (const name of ['보건복지부', '고용노동부', '국토교통부', '한국고용정보원', '전국', '중구청', '고성군', '고령자취업센터', '']) {
      expect(regionInText(name), name).toEqual(NATIONWIDE);
    }
  });
});

describe('regions people type', () => {
  it('reads 시도, 시도 시군구 and unique 시군구 names', () => {
    expect(parseRegion('전국')).toEqual(NATIONWIDE);
    expect(parseRegion('서울')).toEqual(region('서울'));
    expect(parseRegion(' 서울특별시 ')).toEqual(region('서울'));
    expect(parseRegion('서울 강남구')).toEqual(region('서울', '강남구'));
    expect(parseRegion('서울특별시 강남구')).toEqual(region('서울', '강남구'));
    expect(parseRegion('서울 강남')).toEqual(region('서울', '강남구'));
    expect(parseRegion('부산 중구')).toEqual(region('부산', '중구'));
    expect(parseRegion('경기 성남시 분당구')).toEqual(region('경기', '성남시'));
    expect(parseRegion('강원도')).toEqual(region('강원'));
    expect(parseRegion('전라북도 전주시')).toEqual(region('전북', '전주시'));
    expect(parseRegion('제주 서귀포시')).toEqual(region('제주', '서귀포시'));
    expect(parseRegion('강남구')).toEqual(region('서울', '강남구'));
    expect(parseRegion('수원시')).toEqual(region('경기', '수원시'));
    expect(parseRegion('광주시')).toEqual(region('경기', '광주시'));
    expect(parseRegion('광주')).toEqual(region('광주'));
  });

  it('refuses what names no region or an ambiguous one', () => {
    for (const text of ['', 'zzzz', '중구', '고성군', '서울 해운대구', '서울 강남구 역삼동', '전국 서울', '강남구 서울']) {
      expect(parseRegion(text), text).toBeUndefined();
    }
  });
});

describe('regionMatches', () => {
  it('matches a 시군구 query with 전국, its whole 시도 and itself, and nothing else', () => {
    const gangnam = region('서울', '강남구');
    expect(regionMatches(NATIONWIDE, gangnam)).toBe(true);
    expect(regionMatches(region('서울'), gangnam)).toBe(true);
    expect(regionMatches(region('서울', '강남구'), gangnam)).toBe(true);
    expect(regionMatches(region('서울', '마포구'), gangnam)).toBe(false);
    expect(regionMatches(region('부산'), gangnam)).toBe(false);
    expect(regionMatches(region('부산', '강서구'), region('서울', '강서구'))).toBe(false);
  });

  it('matches a 시도 query with 전국 and everything inside the 시도', () => {
    expect(regionMatches(NATIONWIDE, region('서울'))).toBe(true);
    expect(regionMatches(region('서울'), region('서울'))).toBe(true);
    expect(regionMatches(region('서울', '마포구'), region('서울'))).toBe(true);
    expect(regionMatches(region('경기'), region('서울'))).toBe(false);
  });

  it('matches a 전국 query with nationwide documents only', () => {
    expect(regionMatches(NATIONWIDE, NATIONWIDE)).toBe(true);
    expect(regionMatches(region('서울'), NATIONWIDE)).toBe(false);
  });

  it('labels regions for display', () => {
    expect(regionLabel(NATIONWIDE)).toBe('전국');
    expect(regionLabel(region('경기'))).toBe('경기도');
    expect(regionLabel(region('서울', '강남구'))).toBe('서울특별시 강남구');
  });
});

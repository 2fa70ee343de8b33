import { describe, expect, it } from 'vitest';
import {
  ageBounds, ageRangeInText, ageText, conditionKeys, conditionsText, supportConditionAges, supportConditionsOf,
} from '../../src/modules/dataload/eligibility.ts';
import { normaliseGov24 } from '../../src/modules/dataload/sources/gov24.ts';
import { normaliseWork24 } from '../../src/modules/dataload/sources/work24.ts';
import { normaliseYouth, youthAges } from '../../src/modules/dataload/sources/youth.ts';

const ages = (ageMin: number | null, ageMax: number | null): { ageMin: number | null; ageMax: number | null } => ({ ageMin, ageMax });

describe('온통청년 ages', () => {
  it('keeps the ages whatever sprtTrgtAgeLmtYn says: live data sends N beside real ages', () => {
    expect(youthAges({ sprtTrgtMinAge: '18', sprtTrgtMaxAge: '39', sprtTrgtAgeLmtYn: 'N' })).toEqual(ages(18, 39));
    expect(youthAges({ sprtTrgtMinAge: '19', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: 'Y' })).toEqual(ages(19, 34));
    expect(youthAges({ sprtTrgtMinAge: '19', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: ' ' })).toEqual(ages(19, 34));
    expect(youthAges({ sprtTrgtMinAge: '19', sprtTrgtMaxAge: '0', sprtTrgtAgeLmtYn: 'N' })).toEqual(ages(19, null));
  });

  it('reads blanks, zeros, nonsense and reversed bounds as unknown', () => {
    expect(youthAges({ sprtTrgtMinAge: '0', sprtTrgtMaxAge: '0', sprtTrgtAgeLmtYn: 'N' })).toEqual(ages(null, null));
    expect(youthAges({ sprtTrgtMinAge: ' ', sprtTrgtMaxAge: ' ' })).toEqual(ages(null, null));
    expect(youthAges({})).toEqual(ages(null, null));
    expect(youthAges({ sprtTrgtMinAge: '만19', sprtTrgtMaxAge: '34세' })).toEqual(ages(null, null));
    expect(youthAges({ sprtTrgtMinAge: '39', sprtTrgtMaxAge: '19' })).toEqual(ages(null, null));
    expect(youthAges({ sprtTrgtMinAge: '19', sprtTrgtMaxAge: '999' })).toEqual(ages(19, null));
  });

  it('writes the ages into the target people read, flag N or not', () => {
    const doc = normaliseYouth({ plcyNo: '20260806005400213322', plcyNm: '청년 정책', sprtTrgtMinAge: '18', sprtTrgtMaxAge: '39', sprtTrgtAgeLmtYn: 'N', addAplyQlfcCndCn: '무주택 청년' });
    expect(doc).toMatchObject({ ageMin: 18, ageMax: 39, target: '만 18세 ~ 만 39세\n무주택 청년' });
  });
});

describe('정부24 supportConditions', () => {
  const row = {
    서비스ID: '000000465790', 서비스명: '청년월세 특별지원', JA0101: null, JA0102: 'Y', JA0110: 19, JA0111: 34, JA0201: 'Y', JA0202: 'Y',
    JA0203: null, JA0320: 'Y', JA0327: 'Y', JA0404: 'Y', JA0412: 'Y', JA0322: 'N', JA0328: '', JA2101: 'y',
  };

  it('keeps only "Y" flags, by name, and the income bands in order', () => {
    const conditions = supportConditionsOf(row);
    expect(conditions).toMatchObject({
      male: false, female: true, universityStudent: true, jobSeeker: true, singleHousehold: true, noHome: true,
      noPersonalCondition: false, disabled: false, worker: false, incomeBands: ['0-50', '51-75'],
    });
    // `y` is read as Y (the gateway's case is not documented); N, blank and null are not conditions.
    expect(conditions.smallBusiness).toBe(true);
    expect(conditionKeys(conditions)).toEqual(['female', 'universityStudent', 'jobSeeker', 'singleHousehold', 'noHome', 'smallBusiness', 'income:0-50', 'income:51-75']);
  });

  it('reads JA0110/JA0111 as ages, as integers or strings, and drops contradictions', () => {
    expect(supportConditionAges(row)).toEqual(ages(19, 34));
    expect(supportConditionAges({ JA0110: '19', JA0111: '39' })).toEqual(ages(19, 39));
    expect(supportConditionAges({ JA0110: 0, JA0111: 7 })).toEqual(ages(null, 7));
    expect(supportConditionAges({ JA0110: 65, JA0111: null })).toEqual(ages(65, null));
    expect(supportConditionAges({ JA0110: 70, JA0111: 20 })).toEqual(ages(null, null));
    expect(supportConditionAges({ JA0110: -1, JA0111: 200 })).toEqual(ages(null, null));
  });

  it('tells the person the conditions in Korean, in the target text', () => {
    const conditions = supportConditionsOf(row);
    expect(conditionsText(conditions, ages(19, 34))).toBe('만 19세 ~ 만 34세, 여성, 대학생/대학원생, 구직자/실업자, 1인가구, 무주택세대, 중소기업, 기준 중위소득 0~50%·51~75%');
    const doc = normaliseGov24({ 서비스ID: '000000465790', 서비스명: '청년월세 특별지원', 지원대상: '○ 무주택 청년', 소관기관유형: '중앙행정기관' }, undefined, row);
    expect(doc?.target).toBe('○ 무주택 청년\n지원 조건: 만 19세 ~ 만 34세, 여성, 대학생/대학원생, 구직자/실업자, 1인가구, 무주택세대, 중소기업, 기준 중위소득 0~50%·51~75%');
    expect(doc).toMatchObject({ ageMin: 19, ageMax: 34, conditions: { female: true } });
  });

  it('leaves conditions and ages null for a service without a conditions row', () => {
    const doc = normaliseGov24({ 서비스ID: '000000000001', 서비스명: '아동수당', 지원대상: '만 8세 미만 아동' }, undefined);
    expect(doc).toMatchObject({ conditions: null, ageMin: null, ageMax: null, target: '만 8세 미만 아동' });
  });
});

describe('고용24 pgmTarget ages (only where the text is unambiguous)', () => {
  const cases: [string, ReturnType<typeof ages>][] = [
    ['만 18세~34세 청년', ages(18, 34)],
    ['만 15~34세 미취업 청년', ages(15, 34)],
    ['만18세~만34세', ages(18, 34)],
    ['19 ~ 34세', ages(19, 34)],
    ['만 18세 ~ 만 34세 이하 청년', ages(18, 34)],
    ['만 15세 이상 35세 미만', ages(15, 34)],
    ['18세 초과 39세 이하', ages(19, 39)],
    ['만 40세 이상 구직자', ages(40, null)],
    ['만 50세 이상 중장년 구직자', ages(50, null)],
    ['만 34세 이하', ages(null, 34)],
    ['만 19세 미만 아동', ages(null, 18)],
    ['청년 구직자', ages(null, null)],
    ['구직자 누구나', ages(null, null)],
    ['만 15~34세 청년(군 복무자는 최대 만 39세)', ages(null, null)],
    ['만 65세 어르신', ages(null, null)],
    ['20대 청년', ages(null, null)],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      expect(ageRangeInText(text)).toEqual(expected);
    });
  }

  it('carries them onto the programme', () => {
    const doc = normaliseWork24({ orgNm: '수원고용센터', pgmNm: '청년 취업역량 강화 프로그램', pgmTarget: '만 18세~34세 청년', pgmStdt: '20260105' });
    expect(doc).toMatchObject({ ageMin: 18, ageMax: 34 });
  });
});

describe('age bounds and their text', () => {
  it('writes bounds the way Korean notices do', () => {
    expect(ageText(ages(19, 34))).toBe('만 19세 ~ 만 34세');
    expect(ageText(ages(19, 19))).toBe('만 19세');
    expect(ageText(ages(40, null))).toBe('만 40세 이상');
    expect(ageText(ages(null, 34))).toBe('만 34세 이하');
    expect(ageText(ages(null, null))).toBe('');
    expect(ageBounds('', '')).toEqual(ages(null, null));
  });
});

/**
 * Who a programme is for, kept as data: age bounds from each source, and 정부24's support
 * conditions (`/supportConditions`, JA codes) as named flags.
 */

export interface AgeRange {
  ageMin: number | null;
  ageMax: number | null;
}

export const NO_AGE: AgeRange = Object.freeze({ ageMin: null, ageMax: null });

const MAX_AGE = 120;

/** A whole age 0..120 from a number or a string (`"19"`, `19`), else null. */
function ageValue(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,3}$/.test(text)) return null;
  const age = Number(text);
  return age <= MAX_AGE ? age : null;
}

/**
 * Bounds from two source values. A 0 minimum means "from birth" and is stored as no bound; a pair
 * whose minimum exceeds its maximum is contradictory, so neither is kept.
 */
export function ageBounds(min: unknown, max: unknown): AgeRange {
  const low = ageValue(min);
  const high = ageValue(max);
  const ageMin = low === 0 ? null : low;
  const ageMax = high === 0 ? null : high;
  if (ageMin !== null && ageMax !== null && ageMin > ageMax) return NO_AGE;
  return { ageMin, ageMax };
}

/** `만 19세 ~ 만 34세`, `만 40세 이상`, `만 34세 이하`; empty when no bound is known. */
export function ageText(range: AgeRange): string {
  const { ageMin, ageMax } = range;
  if (ageMin !== null && ageMax !== null) return ageMin === ageMax ? `만 ${ageMin}세` : `만 ${ageMin}세 ~ 만 ${ageMax}세`;
  if (ageMin !== null) return `만 ${ageMin}세 이상`;
  if (ageMax !== null) return `만 ${ageMax}세 이하`;
  return '';
}

const AGE = String.raw`만?\s*(\d{1,3})\s*(?:세|살)`;
const AGE_NUMBER = String.raw`만?\s*(\d{1,3})`;

/** A lower bound: `19세 이상` is 19, `18세 초과` is 19. */
const lower = (age: number, word: string | undefined): number => (word === '초과' ? age + 1 : age);
/** An upper bound: `34세 이하` is 34, `35세 미만` is 34. */
const upper = (age: number, word: string | undefined): number => (word === '미만' ? age - 1 : age);

/** Each form an age condition takes in 고용24 `pgmTarget`, most specific first. */
const AGE_FORMS: readonly { pattern: RegExp; read: (groups: readonly (string | undefined)[]) => AgeRange }[] = [
  // 만 18세 이상 34세 이하 / 만 15세 이상 35세 미만 / 18세 초과 39세 이하
  {
    pattern: new RegExp(`${AGE}\\s*(이상|초과)\\s*[,~]?\\s*${AGE}\\s*(이하|미만)`),
    read: ([a, low, b, high]) => ({ ageMin: lower(Number(a), low), ageMax: upper(Number(b), high) }),
  },
  // 만 18세~34세 / 만 15~34세 / 19 ~ 34세
  { pattern: new RegExp(`${AGE_NUMBER}\\s*(?:세|살)?\\s*[~\\-]\\s*${AGE}`), read: ([a, b]) => ({ ageMin: Number(a), ageMax: Number(b) }) },
  { pattern: new RegExp(`${AGE}\\s*(이상|초과)`), read: ([a, low]) => ({ ageMin: lower(Number(a), low), ageMax: null }) },
  { pattern: new RegExp(`${AGE}\\s*(이하|미만)`), read: ([a, high]) => ({ ageMin: null, ageMax: upper(Number(a), high) }) },
];

/**
 * Age bounds from free text, only where the text states exactly one condition: `만 18세~34세
 * 청년` → 18–34, `만 40세 이상 구직자` → 40+. Text with two conditions (`만 15~34세(군필자 만 39세)`),
 * a bare age (`만 65세 어르신`: 65 and over, or exactly 65?) or none (`청년 구직자`) gives no bounds.
 */
export function ageRangeInText(text: string): AgeRange {
  const normalised = text.normalize('NFKC').replace(/[∼〜～]/g, '~');
  const ages = normalised.match(/\d{1,3}\s*(?:세|살)/g) ?? [];
  for (const { pattern, read } of AGE_FORMS) {
    const match = pattern.exec(normalised);
    if (!match) continue;
    // Every age the text mentions must belong to this one condition.
    const agesInMatch = match[0].match(/\d{1,3}\s*(?:세|살)/g) ?? [];
    if (agesInMatch.length !== ages.length) return NO_AGE;
    const range = read(match.slice(1));
    return ageBounds(range.ageMin ?? '', range.ageMax ?? '');
  }
  return NO_AGE;
}

/** 기준 중위소득 bands of 정부24 (JA0201–JA0205), in percent. */
export const INCOME_BANDS = ['0-50', '51-75', '76-100', '101-200', '200+'] as const;
export type IncomeBand = (typeof INCOME_BANDS)[number];

/**
 * The flags of 정부24 `/supportConditions` that matter for a person, by name. A flag is true only
 * when the source sends `"Y"` (null, blank and anything else are false: "not a stated condition").
 */
export interface SupportConditions {
  male: boolean;
  female: boolean;
  /** 기준 중위소득 bands the service is for; empty when none is stated. */
  incomeBands: IncomeBand[];
  expectingOrInfertile: boolean;
  pregnant: boolean;
  childbirthOrAdoption: boolean;
  farmer: boolean;
  fisher: boolean;
  livestockFarmer: boolean;
  forester: boolean;
  elementaryStudent: boolean;
  middleSchoolStudent: boolean;
  highSchoolStudent: boolean;
  /** 대학생/대학원생. */
  universityStudent: boolean;
  /** JA0322 해당사항없음 (no personal condition). */
  noPersonalCondition: boolean;
  worker: boolean;
  jobSeeker: boolean;
  disabled: boolean;
  veteran: boolean;
  /** 질병/질환자. */
  illness: boolean;
  multicultural: boolean;
  northKoreanDefector: boolean;
  singleParentOrGrandparent: boolean;
  singleHousehold: boolean;
  /** JA0410 해당사항없음 (no household condition). */
  noHouseholdCondition: boolean;
  multiChild: boolean;
  noHome: boolean;
  newResident: boolean;
  extendedFamily: boolean;
  prospectiveFounder: boolean;
  businessOperating: boolean;
  businessInDistress: boolean;
  restaurantBusiness: boolean;
  manufacturingBusiness: boolean;
  otherBusiness: boolean;
  smallBusiness: boolean;
  socialWelfareFacility: boolean;
  organization: boolean;
  manufacturingCompany: boolean;
  primaryIndustryCompany: boolean;
  ictCompany: boolean;
  otherIndustryCompany: boolean;
}

type ConditionFlag = Exclude<keyof SupportConditions, 'incomeBands'>;

/** JA code → flag and the Korean words people read (official Swagger labels, lightly shortened). */
export const SUPPORT_CONDITION_CODES: readonly { code: string; flag: ConditionFlag; label: string }[] = [
  { code: 'JA0101', flag: 'male', label: '남성' },
  { code: 'JA0102', flag: 'female', label: '여성' },
  { code: 'JA0301', flag: 'expectingOrInfertile', label: '예비부모/난임' },
  { code: 'JA0302', flag: 'pregnant', label: '임산부' },
  { code: 'JA0303', flag: 'childbirthOrAdoption', label: '출산/입양' },
  { code: 'JA0313', flag: 'farmer', label: '농업인' },
  { code: 'JA0314', flag: 'fisher', label: '어업인' },
  { code: 'JA0315', flag: 'livestockFarmer', label: '축산업인' },
  { code: 'JA0316', flag: 'forester', label: '임업인' },
  { code: 'JA0317', flag: 'elementaryStudent', label: '초등학생' },
  { code: 'JA0318', flag: 'middleSchoolStudent', label: '중학생' },
  { code: 'JA0319', flag: 'highSchoolStudent', label: '고등학생' },
  { code: 'JA0320', flag: 'universityStudent', label: '대학생/대학원생' },
  { code: 'JA0322', flag: 'noPersonalCondition', label: '개인 조건 없음' },
  { code: 'JA0326', flag: 'worker', label: '근로자/직장인' },
  { code: 'JA0327', flag: 'jobSeeker', label: '구직자/실업자' },
  { code: 'JA0328', flag: 'disabled', label: '장애인' },
  { code: 'JA0329', flag: 'veteran', label: '국가보훈대상자' },
  { code: 'JA0330', flag: 'illness', label: '질병/질환자' },
  { code: 'JA0401', flag: 'multicultural', label: '다문화가족' },
  { code: 'JA0402', flag: 'northKoreanDefector', label: '북한이탈주민' },
  { code: 'JA0403', flag: 'singleParentOrGrandparent', label: '한부모가정/조손가정' },
  { code: 'JA0404', flag: 'singleHousehold', label: '1인가구' },
  { code: 'JA0410', flag: 'noHouseholdCondition', label: '가구 조건 없음' },
  { code: 'JA0411', flag: 'multiChild', label: '다자녀가구' },
  { code: 'JA0412', flag: 'noHome', label: '무주택세대' },
  { code: 'JA0413', flag: 'newResident', label: '신규전입' },
  { code: 'JA0414', flag: 'extendedFamily', label: '확대가족' },
  { code: 'JA1101', flag: 'prospectiveFounder', label: '예비창업자' },
  { code: 'JA1102', flag: 'businessOperating', label: '영업 중인 소상공인' },
  { code: 'JA1103', flag: 'businessInDistress', label: '생계곤란/폐업예정 소상공인' },
  { code: 'JA1201', flag: 'restaurantBusiness', label: '음식점업' },
  { code: 'JA1202', flag: 'manufacturingBusiness', label: '제조업(소상공인)' },
  { code: 'JA1299', flag: 'otherBusiness', label: '기타업종(소상공인)' },
  { code: 'JA2101', flag: 'smallBusiness', label: '중소기업' },
  { code: 'JA2102', flag: 'socialWelfareFacility', label: '사회복지시설' },
  { code: 'JA2103', flag: 'organization', label: '기관/단체' },
  { code: 'JA2201', flag: 'manufacturingCompany', label: '제조업(기업)' },
  { code: 'JA2202', flag: 'primaryIndustryCompany', label: '농업·임업 및 어업(기업)' },
  { code: 'JA2203', flag: 'ictCompany', label: '정보통신업(기업)' },
  { code: 'JA2299', flag: 'otherIndustryCompany', label: '기타업종(기업)' },
];

/** JA0201–JA0205 → income band and its Korean label. */
export const INCOME_CODES: readonly { code: string; band: IncomeBand; label: string }[] = [
  { code: 'JA0201', band: '0-50', label: '0~50%' },
  { code: 'JA0202', band: '51-75', label: '51~75%' },
  { code: 'JA0203', band: '76-100', label: '76~100%' },
  { code: 'JA0204', band: '101-200', label: '101~200%' },
  { code: 'JA0205', band: '200+', label: '200% 초과' },
];

const isYes = (value: unknown): boolean => typeof value === 'string' && value.trim().toUpperCase() === 'Y';

/** The named flags of one `/supportConditions` row. */
export function supportConditionsOf(row: Readonly<Record<string, unknown>>): SupportConditions {
  const flags = Object.fromEntries(SUPPORT_CONDITION_CODES.map(({ code, flag }) => [flag, isYes(row[code])])) as Record<ConditionFlag, boolean>;
  return { ...flags, incomeBands: INCOME_CODES.filter(({ code }) => isYes(row[code])).map(({ band }) => band) };
}

/** The ages of a `/supportConditions` row (JA0110 from, JA0111 to). */
export function supportConditionAges(row: Readonly<Record<string, unknown>>): AgeRange {
  return ageBounds(row.JA0110, row.JA0111);
}

/** The flags that are set, by name (`female`, `income:0-50`), for metadata and filters. */
export function conditionKeys(conditions: SupportConditions): string[] {
  return [
    ...SUPPORT_CONDITION_CODES.filter(({ flag }) => conditions[flag]).map(({ flag }) => flag),
    ...conditions.incomeBands.map((band) => `income:${band}`),
  ];
}

/**
 * The conditions in Korean, for the target text people read: `만 19세 ~ 만 34세, 여성, 기준 중위소득
 * 0~50%·51~75%, 대학생/대학원생`. The "no condition" flags add nothing a person needs to read.
 */
export function conditionsText(conditions: SupportConditions, ages: AgeRange): string {
  const income = INCOME_CODES.filter(({ band }) => conditions.incomeBands.includes(band)).map(({ label }) => label);
  return [
    ageText(ages),
    ...SUPPORT_CONDITION_CODES.filter(({ flag }) => conditions[flag] && flag !== 'noPersonalCondition' && flag !== 'noHouseholdCondition').map(
      ({ label }) => label,
    ),
    income.length > 0 ? `기준 중위소득 ${income.join('·')}` : '',
  ]
    .filter((part) => part.length > 0)
    .join(', ');
}

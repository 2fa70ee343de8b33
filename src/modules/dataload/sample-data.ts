import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SIDO_LIST, type SidoEntry } from '../../utils/regions.ts';
import { INCOME_CODES, SUPPORT_CONDITION_CODES } from './eligibility.ts';
import {
  GOV24_LOCAL, GOV24_NATIONAL, WORK24_CENTRES, WORK24_PROGRAMMES, WORK24_TIMES, YOUTH_TOPICS,
  type ConditionProfile, type Gov24Service,
} from './sample-catalog.ts';
import type { PolicyDocument } from './dataload.types.ts';
import { clean } from './normalise.ts';
import { normaliseGov24, type Gov24Item } from './sources/gov24.ts';
import { normaliseWork24, type Work24Item } from './sources/work24.ts';
import { normaliseYouth, type YouthItem } from './sources/youth.ts';

/** The records the local peer serves, in each API's own field names and value shapes. */
export interface SampleDataset {
  gov24List: Gov24Item[];
  gov24Detail: Gov24Item[];
  /** 정부24 `/supportConditions` rows, joined on 서비스ID like the detail rows. */
  gov24Conditions: Gov24Item[];
  youth: YouthItem[];
  work24: Work24Item[];
}

/** Where the recorded-shape fixtures live (`fixtures/public-apis/*.json`). */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/public-apis');

const FILES = {
  gov24List: 'gov24-service-list.json',
  gov24Detail: 'gov24-service-detail.json',
  gov24Conditions: 'gov24-support-conditions.json',
  youth: 'youth-policies.json',
  work24: 'work24-programs.json',
} as const;

/** Reads the bundled fixtures (a fresh copy each call, so a caller may change it). */
export async function loadFixtures(dir = FIXTURES_DIR): Promise<SampleDataset> {
  const read = async <T>(file: string): Promise<T[]> => JSON.parse(await readFile(path.join(dir, file), 'utf8')) as T[];
  return {
    gov24List: await read<Gov24Item>(FILES.gov24List),
    gov24Detail: await read<Gov24Item>(FILES.gov24Detail),
    gov24Conditions: await read<Gov24Item>(FILES.gov24Conditions),
    youth: await read<YouthItem>(FILES.youth),
    work24: await read<Work24Item>(FILES.work24),
  };
}

/**
 * Every record of a dataset as the load would store it (정부24 joined with its detail and
 * conditions rows), without HTTP: for tests and benches that need the documents themselves.
 */
export function normaliseSample(data: SampleDataset): PolicyDocument[] {
  const details = new Map(data.gov24Detail.map((row) => [clean(row['서비스ID']), row]));
  const conditions = new Map(data.gov24Conditions.map((row) => [clean(row['서비스ID']), row]));
  const docs = [
    ...data.gov24List.map((item) => normaliseGov24(item, details.get(clean(item['서비스ID'])), conditions.get(clean(item['서비스ID'])))),
    ...data.youth.map((item) => normaliseYouth(item)),
    ...data.work24.map((item) => normaliseWork24(item)),
  ];
  return docs.filter((doc): doc is PolicyDocument => doc !== undefined);
}

/** A deep copy, for tests that change records. */
export function cloneDataset(data: SampleDataset): SampleDataset {
  return structuredClone(data);
}

/**
 * The day generated dates are placed around: as of it, the sample holds open, closed, upcoming
 * and always-open programmes in realistic shares. Tests pass `SAMPLE_NOW` as `now`; the running
 * service uses the real clock, so the mix shifts with the date (everything stays within 2026).
 */
export const SAMPLE_REFERENCE_DAY = '2026-09-15';
/** Noon of the reference day in Asia/Seoul. */
export const SAMPLE_NOW = new Date(`${SAMPLE_REFERENCE_DAY}T12:00:00+09:00`);

/** mulberry32: a tiny seeded PRNG, so generated data is the same on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** A deterministic Fisher–Yates shuffle (a copy). */
function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const DAY_MS = 86_400_000;
const REFERENCE_MS = Date.parse(`${SAMPLE_REFERENCE_DAY}T00:00:00Z`);
const FIRST_DAY_MS = Date.UTC(2026, 0, 2);
const LAST_DAY_MS = Date.UTC(2026, 11, 31);

/** A calendar day as an offset from the reference day, kept within 2026. */
class Day {
  readonly ms: number;
  constructor(offsetDays: number) {
    this.ms = Math.min(LAST_DAY_MS, Math.max(FIRST_DAY_MS, REFERENCE_MS + offsetDays * DAY_MS));
  }
  get offset(): number {
    return Math.round((this.ms - REFERENCE_MS) / DAY_MS);
  }
  private get date(): Date {
    return new Date(this.ms);
  }
  get y(): number {
    return this.date.getUTCFullYear();
  }
  get m(): number {
    return this.date.getUTCMonth() + 1;
  }
  get d(): number {
    return this.date.getUTCDate();
  }
  get weekday(): string {
    return '일월화수목금토'[this.date.getUTCDay()] ?? '';
  }
  /** `20260915` */
  get compact(): string {
    return `${this.y}${pad(this.m, 2)}${pad(this.d, 2)}`;
  }
  /** `2026-09-15` */
  get iso(): string {
    return `${this.y}-${pad(this.m, 2)}-${pad(this.d, 2)}`;
  }
  plus(days: number): Day {
    return new Day(this.offset + days);
  }
}

/** Where a generated application window sits relative to the reference day. */
type Window = 'open' | 'closed' | 'upcoming';

function windowDays(random: Random, window: Window): [Day, Day] {
  if (window === 'open') return [new Day(-between(random, 10, 200)), new Day(between(random, 5, 100))];
  if (window === 'upcoming') {
    const start = new Day(between(random, 7, 60));
    return [start, start.plus(between(random, 14, 45))];
  }
  const end = new Day(-between(random, 3, 200));
  return [end.plus(-between(random, 14, 60)), end];
}

/** The ways 정부24 writes a date range in 신청기한. */
const GOV24_RANGE_FORMATS: readonly ((a: Day, b: Day) => string)[] = [
  (a, b) => `${a.y}.${a.m}.${a.d}.~${b.y}.${b.m}.${b.d}.`,
  (a, b) => `${a.y}. ${a.m}. ${a.d}. ~ ${b.y}. ${b.m}. ${b.d}.`,
  (a, b) => `${a.iso} ~ ${b.iso}`,
  (a, b) => `${a.y}.${a.m}.${a.d}.(${a.weekday})~${b.m}.${b.d}.(${b.weekday})`,
  (a, b) => `${a.y}년 ${a.m}월 ${a.d}일 ~ ${b.m}월 ${b.d}일`,
  (a, b) => `○ ${a.y}. ${pad(a.m, 2)}. ${pad(a.d, 2)}. 09:00 ~ ${b.y}. ${pad(b.m, 2)}. ${pad(b.d, 2)}. 18:00`,
];

/** A 정부24 신청기한 in the mix the live catalogue shows: dates, always-open, budget, yearless, other. */
function gov24Period(random: Random): string {
  const roll = random();
  if (roll < 0.4) {
    const window: Window = roll < 0.2 ? 'open' : roll < 0.31 ? 'closed' : 'upcoming';
    const [start, end] = windowDays(random, window);
    return pick(random, GOV24_RANGE_FORMATS)(start, end);
  }
  if (roll < 0.45) {
    const end = new Day(between(random, -120, 100));
    return `${end.y}.${end.m}.${end.d}.까지`;
  }
  if (roll < 0.68) return pick(random, ['상시신청', '상시신청', '상시', '연중', '수시 신청']);
  if (roll < 0.8) return pick(random, ['예산 소진 시까지', '예산 소진 시', `2026.${between(random, 1, 4)}.2.~예산 소진 시`]);
  if (roll < 0.87) return pick(random, ['5.1.~5.31.', '3.2.~3.31.', '10.1.~10.31.']);
  if (roll < 0.93) return pick(random, ['매년 3월~4월', '매년 10.1.~11.30.', '매년 1월 ~ 2월']);
  return pick(random, ['사업별 상이', '공고 시 별도 안내', '추후 공지']);
}

/** 등록일시/수정일시 (YYYYMMDDHHMMSS) some days before the reference day. */
function gov24Stamp(random: Random, daysBefore: number): string {
  return `${new Day(-daysBefore).compact}${pick(random, ['093000', '141500', '101122', '170405'])}`;
}

/** Every JA key of a `/supportConditions` row: `"Y"` or null, ages as integers or null. */
function conditionsRow(id: string, name: string, ages: readonly [number | null, number | null], flags: ConditionProfile): Gov24Item {
  const row: Gov24Item = { 서비스ID: id, 서비스명: name, JA0110: ages[0], JA0111: ages[1] };
  for (const { code } of [...SUPPORT_CONDITION_CODES, ...INCOME_CODES]) row[code] = flags[code] ? 'Y' : null;
  return row;
}

function youthItem(fields: Partial<YouthItem> & { plcyNo: string; plcyNm: string }): YouthItem {
  // Every key the API sends, blanks as the API sends them: a single space.
  const keys = [
    'plcyNo', 'bscPlanCycl', 'bscPlanPlcyWayNo', 'bscPlanFcsAsmtNo', 'bscPlanAsmtNo', 'pvsnInstGroupCd', 'plcyPvsnMthdCd',
    'plcyAprvSttsCd', 'plcyNm', 'plcyKywdNm', 'plcyExplnCn', 'lclsfNm', 'mclsfNm', 'plcySprtCn', 'sprvsnInstCd', 'sprvsnInstCdNm',
    'sprvsnInstPicNm', 'operInstCd', 'operInstCdNm', 'operInstPicNm', 'sprtSclLmtYn', 'aplyPrdSeCd', 'bizPrdSeCd', 'bizPrdBgngYmd',
    'bizPrdEndYmd', 'bizPrdEtcCn', 'plcyAplyMthdCn', 'srngMthdCn', 'aplyUrlAddr', 'sbmsnDcmntCn', 'etcMttrCn', 'refUrlAddr1',
    'refUrlAddr2', 'sprtSclCnt', 'sprtArvlSeqYn', 'sprtTrgtMinAge', 'sprtTrgtMaxAge', 'sprtTrgtAgeLmtYn', 'mrgSttsCd',
    'earnCndSeCd', 'earnMinAmt', 'earnMaxAmt', 'earnEtcCn', 'addAplyQlfcCndCn', 'ptcpPrpTrgtCn', 'inqCnt', 'rgtrInstCd',
    'rgtrInstCdNm', 'rgtrUpInstCd', 'rgtrUpInstCdNm', 'rgtrHghrkInstCd', 'rgtrHghrkInstCdNm', 'zipCd', 'plcyMajorCd', 'jobCd',
    'schoolCd', 'aplyYmd', 'frstRegDt', 'lastMdfcnDt', 'sbizCd',
  ];
  const item: YouthItem = {};
  for (const key of keys) item[key] = fields[key] ?? ' ';
  return item;
}

const SEOUL_ZIP = SIDO_LIST.find((sido) => sido.short === '서울')?.sigungu.map((entry) => entry.code).join(',') ?? '';

/**
 * Hand-written records the search tests and the sample mode rely on: the five youth rent-support
 * records (the only ones mentioning 월세), and three programmes that 정부24 and 온통청년 both list
 * under the same name and ministry, as the live sources do (duplicates search must merge).
 */
function handWrittenYouth(): YouthItem[] {
  return [
    youthItem({
      plcyNo: '20250512005400211562', plcyNm: '청년월세 한시 특별지원', plcyKywdNm: '청년,월세,주거지원,현금지원',
      plcyExplnCn: '독립하여 사는 무주택 청년에게 월세를 지원해 청년의 주거비 부담을 덜어 줍니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '실제 납부하는 월세를 월 최대 20만원까지 최장 12개월(총 240만원) 지원합니다.\r\n○ 월세 지원은 매월 신청한 계좌로 입금됩니다.',
      sprvsnInstCd: '1613000', sprvsnInstCdNm: '국토교통부', operInstCdNm: '주소지 관할 시·군·구청', operInstPicNm: '주거복지과',
      aplyPrdSeCd: '0057001', aplyYmd: '20260224 ~ 20261231', plcyAplyMthdCn: '복지로 누리집(www.bokjiro.go.kr) 또는 주소지 행정복지센터 방문 신청',
      srngMthdCn: '소득·재산 조사 후 지급 결정', aplyUrlAddr: 'https://www.bokjiro.go.kr', sbmsnDcmntCn: '임대차계약서, 월세 이체 증빙, 가족관계증명서',
      // As the live API sends most policies: "no age limit" (N) beside real ages.
      sprtTrgtMinAge: '19', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: 'N', mrgSttsCd: '0055003', earnCndSeCd: '0043002',
      addAplyQlfcCndCn: '부모와 따로 거주하는 무주택 청년, 청년가구 소득 기준 중위소득 60% 이하, 원가구 소득 중위소득 100% 이하',
      pvsnInstGroupCd: '0054001', zipCd: SEOUL_ZIP, inqCnt: '48211', frstRegDt: '2026-02-20 10:12:33', lastMdfcnDt: '2026-05-12 16:40:02',
    }),
    youthItem({
      plcyNo: '20250301005400211201', plcyNm: '서울시 청년월세지원', plcyKywdNm: '월세,주거비,청년',
      plcyExplnCn: '서울에 사는 청년 1인 가구의 월세를 지원하여 주거비 부담을 줄여 줍니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '월 20만원 월세 지원, 최대 12개월\r\n※ 주거급여 수급자 등 중복 지원 불가',
      sprvsnInstCd: '6110000', sprvsnInstCdNm: '서울특별시', operInstCdNm: '서울특별시 청년정책과', operInstPicNm: '청년주거팀',
      aplyPrdSeCd: '0057001', aplyYmd: '20260401 ~ 20260430', plcyAplyMthdCn: '서울주거포털 온라인 신청', srngMthdCn: '소득 기준 충족자 중 무작위 추첨',
      aplyUrlAddr: 'https://housing.seoul.go.kr', sbmsnDcmntCn: '임대차계약서 사본, 최근 3개월 월세 이체 내역',
      sprtTrgtMinAge: '19', sprtTrgtMaxAge: '39', sprtTrgtAgeLmtYn: 'Y', addAplyQlfcCndCn: '서울 거주 무주택 청년 1인 가구, 임차보증금 5천만원 이하 및 월세 60만원 이하 건물',
      pvsnInstGroupCd: '0054002', zipCd: SEOUL_ZIP, inqCnt: '30877', frstRegDt: '2026-03-01 09:00:00', lastMdfcnDt: '2026-03-18 11:22:45',
    }),
    youthItem({
      plcyNo: '20250415005400211377', plcyNm: '경기도 청년 월세 지원사업', plcyKywdNm: '월세,청년,주거',
      plcyExplnCn: '경기도에 거주하는 청년에게 월 임대료 일부를 지원합니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '청년 월세 월 최대 20만원 × 10개월 지원\r\n주택 임차료(월세) 외 관리비는 제외',
      sprvsnInstCd: '6410000', sprvsnInstCdNm: '경기도', operInstCdNm: '경기도 주택정책과', operInstPicNm: '주거복지팀',
      aplyPrdSeCd: '0057001', aplyYmd: '20261005 ~ 20261030', plcyAplyMthdCn: '경기도 일자리재단 누리집 신청', aplyUrlAddr: 'https://youth.gg.go.kr',
      sbmsnDcmntCn: '임대차계약서, 월세 납부 증빙', sprtTrgtMinAge: '19', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: 'N',
      addAplyQlfcCndCn: '경기도 거주 무주택 청년, 중위소득 150% 이하', pvsnInstGroupCd: '0054002', zipCd: '41110,41130,41150,41170,41190',
      inqCnt: '12004', frstRegDt: '2026-04-15 14:03:10', lastMdfcnDt: '2026-08-20 09:15:00',
    }),
    youthItem({
      plcyNo: '20250620005400211899', plcyNm: '부산 청년 월세 지원', plcyKywdNm: '월세,주거,부산청년',
      plcyExplnCn: '부산에 사는 청년의 월세 부담을 덜어 청년의 지역 정착을 돕습니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '월세 월 최대 20만원, 최대 12개월 지원',
      sprvsnInstCd: '6260000', sprvsnInstCdNm: '부산광역시', operInstCdNm: '부산광역시 청년희망정책과', operInstPicNm: ' ',
      aplyPrdSeCd: '0057002', aplyYmd: ' ', plcyAplyMthdCn: '부산청년플랫폼 온라인 신청', aplyUrlAddr: 'https://young.busan.go.kr',
      sbmsnDcmntCn: '임대차계약서, 주민등록등본', sprtTrgtMinAge: '18', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: 'Y',
      addAplyQlfcCndCn: '부산 거주 무주택 청년', pvsnInstGroupCd: '0054002', zipCd: '26110,26140,26170,26200,26230',
      inqCnt: '8830', frstRegDt: '2026-06-20 10:00:00', lastMdfcnDt: '2026-06-20 10:00:00',
    }),
    ...CROSS_LISTED.map((programme, index) =>
      youthItem({
        plcyNo: `2026030200540021${pad(1100 + index, 4)}`, plcyNm: programme.name, plcyKywdNm: programme.keywords,
        plcyExplnCn: programme.purpose, lclsfNm: programme.category, mclsfNm: programme.mclsf, plcySprtCn: programme.content,
        sprvsnInstCd: '1492000', sprvsnInstCdNm: programme.organization, operInstCdNm: programme.organization,
        aplyPrdSeCd: '0057002', plcyAplyMthdCn: programme.applyMethod, aplyUrlAddr: programme.url,
        sprtTrgtMinAge: String(programme.ages[0]), sprtTrgtMaxAge: String(programme.ages[1]), sprtTrgtAgeLmtYn: 'N',
        addAplyQlfcCndCn: programme.target, pvsnInstGroupCd: '0054001', inqCnt: String(52_000 - index * 9_000),
        frstRegDt: '2026-03-02 10:00:00', lastMdfcnDt: '2026-07-01 09:30:00',
      }),
    ),
  ];
}

/** Programmes both 정부24 and 온통청년 list, with the same name, ministry and nationwide scope. */
const CROSS_LISTED = [
  {
    name: '국민취업지원제도', organization: '고용노동부', category: '일자리', mclsf: '취업', keywords: '구직촉진수당,취업지원',
    purpose: '취업을 원하는 사람에게 취업지원서비스와 생계를 함께 지원합니다.', field: '고용·창업',
    content: '○ 구직촉진수당 월 50만원 × 6개월\r\n○ 취업활동계획 수립, 직업훈련 연계, 일경험 프로그램',
    target: '만 15~69세 구직자 중 가구 단위 중위소득 60% 이하', ages: [15, 69] as const, flags: ['JA0327', 'JA0201', 'JA0202'],
    applyMethod: '고용24 누리집 온라인 신청 또는 고용센터 방문', url: 'https://www.work24.go.kr',
  },
  {
    name: '청년도약계좌', organization: '금융위원회', category: '복지문화', mclsf: '금융', keywords: '적금,자산형성,비과세',
    purpose: '청년이 5년간 목돈을 모을 수 있도록 정부기여금과 비과세 혜택을 줍니다.', field: '생활안정',
    content: '○ 월 70만원 한도 5년 납입\r\n○ 정부기여금 월 최대 3.3만원, 이자소득 비과세',
    target: '만 19~34세, 개인소득 7,500만원 이하이고 가구소득 중위 250% 이하인 청년', ages: [19, 34] as const, flags: ['JA0326', 'JA0203', 'JA0204'],
    applyMethod: '취급 은행 앱에서 가입 신청', url: 'https://ylaccount.kinfa.or.kr',
  },
  {
    name: '국민내일배움카드', organization: '고용노동부', category: '교육', mclsf: '역량강화', keywords: '직업훈련,훈련비',
    purpose: '직업훈련이 필요한 국민에게 훈련비를 지원합니다.', field: '고용·창업',
    content: '○ 1인당 5년간 300만~500만원 훈련비 지원\r\n○ 훈련장려금 월 최대 11.6만원',
    target: '실업자, 재직자, 자영업자 등 직업훈련을 원하는 국민', ages: [15, 74] as const, flags: ['JA0326', 'JA0327'],
    applyMethod: '고용24 누리집에서 카드 발급 신청', url: 'https://www.work24.go.kr',
  },
] as const;

function handWrittenGov24(): Pick<SampleDataset, 'gov24List' | 'gov24Detail' | 'gov24Conditions'> {
  const rentId = '000000465790';
  const gov24List: Gov24Item[] = [
    {
      서비스ID: rentId, 서비스명: '청년월세 특별지원', 서비스목적요약: '청년의 월세 부담을 덜기 위해 월세를 지원합니다.',
      서비스분야: '주거·자립', 지원대상: '○ 만 19~34세 부모와 별도 거주하는 무주택 청년\r\n○ 청년가구 중위소득 60% 이하', 선정기준: '소득·재산 기준 충족 시 지급',
      지원내용: '○ 월 최대 20만원 월세 지원\r\n○ 최대 12개월', 신청방법: '온라인신청||방문신청', 신청기한: '2026. 2. 24. ~ 2026. 12. 31.',
      상세조회URL: `https://www.gov.kr/portal/rcvfvrSvc/dtlEx/${rentId}`, 소관기관명: '국토교통부', 소관기관유형: '중앙행정기관',
      사용자구분: '개인', 지원유형: '현금', 전화문의: '마이홈 콜센터/1600-1004', 조회수: 152033, 등록일시: '20220822093000', 수정일시: '20260227101500',
    },
  ];
  const gov24Detail: Gov24Item[] = [
    {
      서비스ID: rentId, 지원유형: '현금', 서비스명: '청년월세 특별지원', 서비스목적: '청년층 주거비 부담 경감',
      신청기한: '2026. 2. 24. ~ 2026. 12. 31.', 지원대상: '만 19~34세 무주택 청년', 선정기준: '소득·재산 기준', 지원내용: '월세 월 최대 20만원',
      신청방법: '온라인신청||방문신청', 구비서류: '임대차계약서||월세 이체 증명서류||가족관계증명서', 공무원확인구비서류: '주민등록표 등본',
      본인확인필요구비서류: null, 접수기관명: '주소지 행정복지센터', 문의처: '마이홈 콜센터/1600-1004', 온라인신청사이트URL: 'https://www.bokjiro.go.kr',
      수정일시: '20260227101500', 소관기관명: '국토교통부', 행정규칙: null, 자치법규: null, 법령: '주거기본법(제15조)',
    },
  ];
  const gov24Conditions: Gov24Item[] = [
    conditionsRow(rentId, '청년월세 특별지원', [19, 34], { JA0404: true, JA0412: true, JA0201: true, JA0202: true }),
  ];
  CROSS_LISTED.forEach((programme, index) => {
    const id = pad(600_100 + index, 12);
    gov24List.push({
      서비스ID: id, 서비스명: programme.name, 서비스목적요약: programme.purpose, 서비스분야: programme.field,
      지원대상: `○ ${programme.target}`, 선정기준: null, 지원내용: programme.content, 신청방법: '온라인신청||방문신청', 신청기한: '상시신청',
      상세조회URL: `https://www.gov.kr/portal/rcvfvrSvc/dtlEx/${id}`, 소관기관명: programme.organization, 소관기관유형: '중앙행정기관',
      사용자구분: '개인', 지원유형: '현금||서비스', 전화문의: programme.organization === '금융위원회' ? '서민금융콜센터/1397' : '고용노동부 고객상담센터/1350',
      조회수: 98_000 - index * 11_000, 등록일시: '20230103090000', 수정일시: '20260701093000',
    });
    gov24Conditions.push(conditionsRow(id, programme.name, programme.ages, Object.fromEntries(programme.flags.map((code) => [code, true] as const))));
  });
  return { gov24List, gov24Detail, gov24Conditions };
}

/** A place a local programme belongs to: a whole 시도 or one 시군구 of it. */
interface Locality {
  sido: SidoEntry;
  sigungu: { code: string; name: string } | null;
  /** How a title names it: `강남구`, `부산 중구` (a name several 시도 share), `경기도`. */
  label: string;
  /** The institution, as the sources write it: `서울특별시 강남구`, `경기도`. */
  organization: string;
}

const LOCALITIES: readonly Locality[] = (() => {
  const counts = new Map<string, number>();
  for (const sido of SIDO_LIST) for (const entry of sido.sigungu) counts.set(entry.name, (counts.get(entry.name) ?? 0) + 1);
  const places: Locality[] = [];
  for (const sido of SIDO_LIST) {
    places.push({ sido, sigungu: null, label: sido.name, organization: sido.name });
    for (const entry of sido.sigungu) {
      if (!entry.code) continue;
      const label = (counts.get(entry.name) ?? 0) > 1 ? `${sido.short} ${entry.name}` : entry.name;
      places.push({ sido, sigungu: { code: entry.code, name: entry.name }, label, organization: `${sido.name} ${entry.name}` });
    }
  }
  return places;
})();

/** `zipCd` of a locality: its 시군구 code, or every code of its 시도 (as the live API lists them). */
function zipOf(place: Locality): string {
  if (place.sigungu) return place.sigungu.code;
  const codes = place.sido.sigungu.map((entry) => entry.code).filter((code): code is string => code !== null);
  return codes.length > 0 ? codes.join(',') : `${place.sido.code}110`;
}

/**
 * Draws unique (template, place) pairs: each kind of place has its own shuffled queue; a kind that
 * runs out hands over to the next, and only when every pair is used does a title get a round
 * suffix (`(2차)`), so titles never repeat.
 */
class UniqueDraw<T> {
  private readonly queues: Map<string, { template: T; place: Locality | null }[]>;
  private round = 1;
  private readonly all: { template: T; place: Locality | null }[];

  constructor(
    private readonly random: Random,
    templates: readonly T[],
    national: boolean,
  ) {
    const pairs = (places: readonly (Locality | null)[]): { template: T; place: Locality | null }[] =>
      shuffled(random, templates.flatMap((template) => places.map((place) => ({ template, place }))));
    this.queues = new Map([
      ['national', national ? pairs([null]) : []],
      ['sido', pairs(LOCALITIES.filter((place) => !place.sigungu))],
      ['sigungu', pairs(LOCALITIES.filter((place) => place.sigungu))],
    ]);
    this.all = [...this.queues.values()].flat();
  }

  next(kind: 'national' | 'sido' | 'sigungu'): { template: T; place: Locality | null; suffix: string } {
    for (const candidate of [kind, 'sigungu', 'sido', 'national']) {
      const pair = this.queues.get(candidate)?.shift();
      if (pair) return { ...pair, suffix: this.round > 1 ? ` (${this.round}차)` : '' };
    }
    this.round += 1;
    this.queues.clear();
    this.queues.set('sigungu', shuffled(this.random, this.all.filter((pair) => pair.place)));
    return this.next(kind);
  }
}

const MINISTRIES = ['고용노동부', '보건복지부', '문화체육관광부', '교육부', '국토교통부', '중소벤처기업부'];

function generateYouth(random: Random, count: number, start: number): YouthItem[] {
  const draw = new UniqueDraw(random, YOUTH_TOPICS, true);
  const items: YouthItem[] = [];
  for (let i = start; i < count; i += 1) {
    const roll = random();
    const { template: topic, place, suffix } = draw.next(roll < 0.12 ? 'national' : roll < 0.35 ? 'sido' : 'sigungu');
    const title = `${place ? `${place.label} ` : ''}${topic.name}${suffix}`;
    const ministry = pick(random, MINISTRIES);
    const organization = place ? place.organization : ministry;
    // The live API: most policies say N ("no age limit") while giving real ages; some give none.
    const ages = pick(random, topic.ages);
    const hasAges = ages.min !== '0' || ages.max !== '0';
    const periodRoll = random();
    const window: Window | null = periodRoll < 0.3 ? 'open' : periodRoll < 0.48 ? 'closed' : periodRoll < 0.6 ? 'upcoming' : null;
    const dates = window ? windowDays(random, window) : null;
    const code = window ? '0057001' : periodRoll < 0.88 ? '0057002' : periodRoll < 0.95 ? '0057003' : '0057001';
    const closedDates = code === '0057003' && random() < 0.5 ? windowDays(random, 'closed') : null;
    const registered = new Day(-between(random, 20, 250));
    const modified = registered.plus(between(random, 0, 15));
    items.push(
      youthItem({
        plcyNo: `2026${pad(registered.m, 2)}${pad(registered.d, 2)}0054${pad(1_000_000 + i * 7, 8)}`,
        plcyNm: title,
        plcyKywdNm: `${topic.keywords},청년`,
        plcyExplnCn: topic.purpose,
        lclsfNm: topic.category,
        mclsfNm: topic.mclsf,
        plcySprtCn: `${topic.support}\r\n※ 예산 범위 내에서 선착순 또는 심사 후 선정`,
        sprvsnInstCd: place ? `6${place.sido.code}0000` : '1492000',
        sprvsnInstCdNm: organization,
        operInstCdNm: place ? `${organization} 청년정책과` : '한국고용정보원',
        operInstPicNm: random() < 0.5 ? ' ' : '청년정책팀',
        aplyPrdSeCd: code,
        aplyYmd: dates ? `${dates[0].compact} ~ ${dates[1].compact}` : closedDates ? `${closedDates[0].compact} ~ ${closedDates[1].compact}` : ' ',
        bizPrdBgngYmd: (dates?.[0] ?? registered).compact,
        bizPrdEndYmd: new Day(200).compact,
        plcyAplyMthdCn: pick(random, ['온라인 신청', '온통청년 누리집 신청', '주소지 행정복지센터 방문 신청', '이메일 접수']),
        srngMthdCn: pick(random, ['서류 심사', '선착순', '자격 확인 후 선정', ' ']),
        aplyUrlAddr: random() < 0.6 ? `https://www.youthcenter.go.kr/youthPolicy/ythPlcyTotalSearch?plcyNo=${i}` : ' ',
        sbmsnDcmntCn: topic.documents,
        sprtSclLmtYn: 'N',
        sprtSclCnt: String(between(random, 10, 500)),
        sprtTrgtMinAge: ages.min,
        sprtTrgtMaxAge: ages.max,
        sprtTrgtAgeLmtYn: hasAges && random() < 0.25 ? 'Y' : 'N',
        mrgSttsCd: '0055003',
        earnCndSeCd: '0043001',
        earnMinAmt: '0',
        earnMaxAmt: '0',
        addAplyQlfcCndCn: `${topic.target}${place ? `, ${place.label} 거주` : ''}`,
        ptcpPrpTrgtCn: ' ',
        inqCnt: String(between(random, 100, 20_000)),
        pvsnInstGroupCd: place ? '0054002' : '0054001',
        zipCd: place ? zipOf(place) : ' ',
        jobCd: '0013010',
        schoolCd: '0049010',
        frstRegDt: `${registered.iso} 09:13:11`,
        lastMdfcnDt: `${modified.iso} 17:02:45`,
      }),
    );
  }
  return items;
}

function generateGov24(random: Random, count: number, start: number): Pick<SampleDataset, 'gov24List' | 'gov24Detail' | 'gov24Conditions'> {
  const national = shuffled(random, GOV24_NATIONAL);
  const draw = new UniqueDraw<Gov24Service>(random, GOV24_LOCAL, false);
  const data: Pick<SampleDataset, 'gov24List' | 'gov24Detail' | 'gov24Conditions'> = { gov24List: [], gov24Detail: [], gov24Conditions: [] };
  for (let i = start; i < count; i += 1) {
    const central = random() < 0.2 ? national.shift() : undefined;
    const local = central ? undefined : draw.next(random() < 0.2 ? 'sido' : 'sigungu');
    const service: Gov24Service = central ?? local?.template ?? (GOV24_LOCAL[0] as Gov24Service);
    const place = local?.place ?? null;
    const id = pad(100_000 + i * 37, 12);
    const name = place ? `${place.label} ${service.name}${local?.suffix ?? ''}` : service.name;
    const organization = central?.organization ?? place?.organization ?? '보건복지부';
    const period = service.period ?? gov24Period(random);
    const modified = gov24Stamp(random, between(random, 5, 250));
    const gu = place?.sigungu?.name ?? place?.sido.name ?? '';
    data.gov24List.push({
      서비스ID: id,
      서비스명: name,
      서비스목적요약: service.purpose,
      서비스분야: service.field,
      지원대상: `○ ${service.target}\r\n○ ${place ? `${place.organization} 거주자` : '전국'}`,
      선정기준: random() < 0.3 ? null : '소득 및 재산 조사 결과에 따라 선정',
      지원내용: service.content,
      신청방법: pick(random, ['온라인신청||방문신청', '방문신청', '기타 온라인신청||방문신청', '우편신청||방문신청']),
      신청기한: period,
      상세조회URL: `https://www.gov.kr/portal/rcvfvrSvc/dtlEx/${id}`,
      소관기관명: organization,
      소관기관유형: !place ? '중앙행정기관' : place.sigungu ? '시군구' : '광역시도',
      사용자구분: pick(random, ['개인', '개인||가구', '가구']),
      지원유형: pick(random, ['현금', '현물', '서비스', '현금||서비스']),
      전화문의: place ? `${gu} 복지정책과/0${between(random, 2, 64)}-${between(random, 100, 999)}-${between(random, 1000, 9999)}` : '보건복지상담센터/129',
      조회수: between(random, 0, 50_000),
      등록일시: gov24Stamp(random, between(random, 260, 1500)),
      수정일시: modified,
    });
    if (random() < 0.9) {
      data.gov24Detail.push({
        서비스ID: id, 지원유형: '현금', 서비스명: name, 서비스목적: service.purpose, 신청기한: period, 지원대상: service.target,
        선정기준: '소득 및 재산 조사', 지원내용: service.content, 신청방법: '방문신청',
        구비서류: pick(random, ['신분증||신청서', '신청서||소득증빙서류||통장 사본', '주민등록표 등본||신청서']),
        공무원확인구비서류: '주민등록표 등본', 본인확인필요구비서류: null,
        접수기관명: place ? `${gu} 행정복지센터` : '주소지 행정복지센터', 문의처: place ? `${gu} 복지정책과` : '보건복지상담센터/129',
        온라인신청사이트URL: 'https://www.bokjiro.go.kr', 수정일시: modified, 소관기관명: organization, 행정규칙: null,
        자치법규: place ? `${place.organization} 복지 조례` : null, 법령: '사회보장급여의 이용·제공 및 수급권자 발굴에 관한 법률(제5조)',
      });
    }
    // Most services have a conditions row; some (as in the live data) have none.
    if (random() < 0.92) data.gov24Conditions.push(conditionsRow(id, name, service.ages, service.flags));
  }
  return data;
}

function generateWork24(random: Random, count: number): Work24Item[] {
  const items: Work24Item[] = [];
  for (let i = 0; i < count; i += 1) {
    const programme = pick(random, WORK24_PROGRAMMES);
    const centre = pick(random, WORK24_CENTRES);
    const start = new Day(between(random, -75, 75));
    const time = pick(random, WORK24_TIMES);
    items.push({
      orgNm: centre,
      pgmNm: programme.name,
      // The session number makes every (centre, programme, course, start) key unique.
      pgmSubNm: `${pick(random, programme.sub)} 제${1 + i}기`,
      pgmTarget: programme.target,
      pgmStdt: start.compact,
      pgmEndt: start.plus(pick(random, [0, 2, 4, 9])).compact,
      operationTime: random() < 0.12 ? ' ' : time.hours,
      openTimeClcd: time.code,
      openTime: time.time,
      openPlcCont: `${centre} ${pick(random, ['3층 집단상담실', '2층 교육장', '1층 취업지원실', '5층 프로그램실'])}`,
    });
  }
  return items;
}

/**
 * Generates records with the quirks of each API (`||`-joined multi-values, `\r\n` inside text,
 * `" "` blanks, string numbers, 20-digit plcyNo, 12-hour times with AM/PM codes) and none of the
 * sameness of a template: every title is unique within its source, places come from the whole
 * 시군구 table, and periods mix open, closed, upcoming, always-open and unparseable ones around
 * `SAMPLE_REFERENCE_DAY`. The same counts and seed give the same records. With `withHandWritten`,
 * the hand-written records come first (five rent-support records, three cross-listed programmes).
 */
export function generateDataset(
  counts: { gov24: number; youth: number; work24: number },
  seed = 20_260_101,
  withHandWritten = true,
): SampleDataset {
  const random = prng(seed);
  const hand = withHandWritten ? handWrittenGov24() : { gov24List: [], gov24Detail: [], gov24Conditions: [] };
  const generated = generateGov24(random, counts.gov24, hand.gov24List.length);
  const youthHand = withHandWritten ? handWrittenYouth() : [];
  return {
    gov24List: [...hand.gov24List, ...generated.gov24List],
    gov24Detail: [...hand.gov24Detail, ...generated.gov24Detail],
    gov24Conditions: [...hand.gov24Conditions, ...generated.gov24Conditions],
    youth: [...youthHand, ...generateYouth(random, counts.youth, youthHand.length)],
    work24: generateWork24(random, counts.work24),
  };
}

/** The bundled fixture sizes: a few hundred records across the three APIs. */
export const FIXTURE_COUNTS = { gov24: 120, youth: 150, work24: 90 } as const;

/** Writes the bundled fixtures (run: `npx tsx src/modules/dataload/sample-data.ts`). */
export async function writeFixtures(dir = FIXTURES_DIR): Promise<void> {
  const data = generateDataset(FIXTURE_COUNTS);
  await mkdir(dir, { recursive: true });
  for (const [key, file] of Object.entries(FILES) as [keyof SampleDataset, string][]) {
    await writeFile(path.join(dir, file), `${JSON.stringify(data[key], null, 1)}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFixtures();
}

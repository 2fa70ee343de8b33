import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Gov24Item } from './sources/gov24.ts';
import type { Work24Item } from './sources/work24.ts';
import type { YouthItem } from './sources/youth.ts';

/** The records the local peer serves, in each API's own field names and value shapes. */
export interface SampleDataset {
  gov24List: Gov24Item[];
  gov24Detail: Gov24Item[];
  youth: YouthItem[];
  work24: Work24Item[];
}

/** Where the recorded-shape fixtures live (`fixtures/public-apis/*.json`). */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/public-apis');

const FILES = {
  gov24List: 'gov24-service-list.json',
  gov24Detail: 'gov24-service-detail.json',
  youth: 'youth-policies.json',
  work24: 'work24-programs.json',
} as const;

/** Reads the bundled fixtures (a fresh copy each call, so a caller may change it). */
export async function loadFixtures(dir = FIXTURES_DIR): Promise<SampleDataset> {
  const read = async <T>(file: string): Promise<T[]> => JSON.parse(await readFile(path.join(dir, file), 'utf8')) as T[];
  return {
    gov24List: await read<Gov24Item>(FILES.gov24List),
    gov24Detail: await read<Gov24Item>(FILES.gov24Detail),
    youth: await read<YouthItem>(FILES.youth),
    work24: await read<Work24Item>(FILES.work24),
  };
}

/** A deep copy, for tests that change records. */
export function cloneDataset(data: SampleDataset): SampleDataset {
  return structuredClone(data);
}

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

const SIDO: readonly { name: string; short: string; code: string; gu: readonly string[] }[] = [
  { name: '서울특별시', short: '서울', code: '11', gu: ['강남구', '마포구', '관악구', '노원구', '성동구', '송파구'] },
  { name: '부산광역시', short: '부산', code: '26', gu: ['해운대구', '부산진구', '사하구', '동래구'] },
  { name: '대구광역시', short: '대구', code: '27', gu: ['수성구', '달서구', '북구'] },
  { name: '인천광역시', short: '인천', code: '28', gu: ['연수구', '남동구', '부평구'] },
  { name: '광주광역시', short: '광주', code: '29', gu: ['북구', '광산구', '서구'] },
  { name: '대전광역시', short: '대전', code: '30', gu: ['유성구', '서구', '중구'] },
  { name: '경기도', short: '경기', code: '41', gu: ['수원시', '성남시', '고양시', '용인시', '화성시'] },
  { name: '강원특별자치도', short: '강원', code: '51', gu: ['춘천시', '원주시', '강릉시'] },
  { name: '충청남도', short: '충남', code: '44', gu: ['천안시', '아산시', '공주시'] },
  { name: '전북특별자치도', short: '전북', code: '52', gu: ['전주시', '익산시', '군산시'] },
  { name: '경상남도', short: '경남', code: '48', gu: ['창원시', '김해시', '진주시'] },
  { name: '제주특별자치도', short: '제주', code: '50', gu: ['제주시', '서귀포시'] },
];

interface Topic {
  category: string;
  mclsf: string;
  name: string;
  purpose: string;
  support: string;
  target: string;
  documents: string;
}

/** Policy topics a generated record is built from; none of them is about rent (월세), on purpose. */
const TOPICS: readonly Topic[] = [
  { category: '일자리', mclsf: '취업', name: '청년 면접수당', purpose: '구직 청년의 면접 비용 부담을 덜어 줍니다.', support: '면접 1회당 5만원, 최대 6회 지급', target: '미취업 청년', documents: '신분증 사본||면접 참여 확인서' },
  { category: '일자리', mclsf: '취업', name: '구직활동 지원금', purpose: '청년의 구직활동을 응원하는 현금성 지원입니다.', support: '월 50만원씩 6개월간 구직활동비 지원', target: '졸업 후 2년 이내 미취업 청년', documents: '구직활동계획서||졸업증명서' },
  { category: '일자리', mclsf: '창업', name: '청년 창업 사업화 지원', purpose: '초기 창업자의 사업화 자금을 지원합니다.', support: '사업화 자금 최대 3천만원, 창업 교육 및 멘토링', target: '창업 3년 이내 청년 창업자', documents: '사업계획서||사업자등록증' },
  { category: '일자리', mclsf: '재직자', name: '중소기업 청년 근속 장려금', purpose: '중소기업 재직 청년의 장기 근속을 돕습니다.', support: '근속 6개월마다 장려금 100만원 지급', target: '중소기업 정규직 재직 청년', documents: '재직증명서||근로계약서' },
  { category: '교육', mclsf: '역량강화', name: '자격증 응시료 지원', purpose: '청년의 자격증 취득 비용을 지원합니다.', support: '국가기술자격 응시료 연 최대 30만원 환급', target: '취업 준비 중인 청년', documents: '응시료 영수증||합격증 사본' },
  { category: '교육', mclsf: '역량강화', name: '어학시험 응시료 지원', purpose: '어학 성적이 필요한 구직 청년을 돕습니다.', support: '토익·오픽 등 어학시험 응시료 1회 지원', target: '미취업 청년', documents: '성적표||응시료 영수증' },
  { category: '교육', mclsf: '미래역량', name: '디지털 인재 양성 교육', purpose: 'SW·AI 분야 실무 교육을 제공합니다.', support: '6개월 무료 교육과 훈련장려금 월 30만원', target: '만 34세 이하 구직자', documents: '수강신청서' },
  { category: '주거', mclsf: '전월세', name: '청년 전세보증금 이자 지원', purpose: '전세 대출 이자 부담을 줄여 줍니다.', support: '임차보증금 대출 이자 연 2% 이내 지원', target: '무주택 청년 세대주', documents: '임대차계약서||대출 실행 확인서' },
  { category: '주거', mclsf: '주택', name: '청년 이사비 지원', purpose: '이사에 드는 부동산 중개보수와 이사비를 지원합니다.', support: '중개보수 및 이사비 실비 최대 40만원', target: '무주택 청년', documents: '임대차계약서||이사비 영수증' },
  { category: '주거', mclsf: '주택', name: '청년 임차보증금 반환보증 보증료 지원', purpose: '전세사기 피해를 막기 위한 보증료를 지원합니다.', support: '보증료 전액(최대 30만원) 환급', target: '임차인 청년', documents: '보증서||납부 영수증' },
  { category: '복지문화', mclsf: '건강', name: '청년 마음건강 바우처', purpose: '심리상담 서비스를 지원합니다.', support: '전문 심리상담 10회 바우처 제공', target: '우울·불안 등 정서적 어려움이 있는 청년', documents: '신청서' },
  { category: '복지문화', mclsf: '문화활동', name: '청년 문화예술패스', purpose: '공연·전시 관람을 지원합니다.', support: '연 15만원 문화예술 관람 포인트 지급', target: '만 19세 청년', documents: '없음' },
  { category: '복지문화', mclsf: '금융', name: '청년 자산형성 통장', purpose: '저축하는 청년의 자산 형성을 돕습니다.', support: '본인 저축액 월 10만원에 지원금 월 10만원 매칭', target: '일하는 저소득 청년', documents: '소득증빙서류||통장 사본' },
  { category: '복지문화', mclsf: '교통', name: '청년 대중교통비 지원', purpose: '통근·통학 교통비 부담을 줄입니다.', support: '대중교통 이용 금액의 20% 환급, 연 최대 24만원', target: '관내 거주 청년', documents: '교통카드 등록 확인서' },
  { category: '참여권리', mclsf: '정책참여', name: '청년정책 참여단', purpose: '청년이 직접 정책을 제안하고 평가합니다.', support: '활동비 지급 및 정책 제안 기회 제공', target: '관내 거주 또는 활동 청년', documents: '참여신청서' },
  { category: '참여권리', mclsf: '권익보호', name: '청년 노동권익 상담', purpose: '임금체불·부당해고 상담을 지원합니다.', support: '노무사 무료 상담 및 권리구제 대리', target: '일하는 청년', documents: '상담신청서' },
];

const GOV24_FIELDS = ['보육·교육', '고용·창업', '주거·자립', '생활안정', '보건·의료', '문화·환경', '농림축산어업', '행정·안전'];
const GOV24_SERVICES: readonly { name: string; field: string; purpose: string; content: string; target: string }[] = [
  { name: '아동수당', field: '보육·교육', purpose: '아동 양육에 드는 경제적 부담을 덜어 줍니다.', content: '○ 만 8세 미만 아동에게 월 10만원 지급', target: '만 8세 미만 아동' },
  { name: '첫만남이용권', field: '보육·교육', purpose: '출생 초기 양육 부담을 줄입니다.', content: '○ 출생아 1인당 200만원 바우처 지급\r\n○ 둘째 이상 300만원', target: '출생 신고된 아동' },
  { name: '국민취업지원제도', field: '고용·창업', purpose: '취업 취약계층에 취업지원서비스와 생계를 지원합니다.', content: '○ 구직촉진수당 월 50만원 × 6개월\r\n○ 취업활동계획 수립 및 직업훈련 연계', target: '만 15~69세 구직자 중 소득 요건 충족자' },
  { name: '소상공인 경영안정자금', field: '고용·창업', purpose: '소상공인의 경영 안정을 지원합니다.', content: '○ 업체당 최대 7천만원 저리 융자', target: '소상공인' },
  { name: '긴급복지 생계지원', field: '생활안정', purpose: '위기 상황에 처한 가구의 생계를 돕습니다.', content: '○ 4인 가구 기준 월 183만원 생계비 지원\r\n○ 최대 6개월', target: '갑작스러운 위기 사유로 생계유지가 곤란한 가구' },
  { name: '에너지바우처', field: '생활안정', purpose: '취약계층의 냉난방비를 지원합니다.', content: '○ 가구원 수에 따라 연 30만원 내외 지원', target: '기초생활수급 가구 중 노인·장애인 등 포함 가구' },
  { name: '국가건강검진', field: '보건·의료', purpose: '질병을 조기에 발견합니다.', content: '○ 일반건강검진 및 암검진 비용 지원', target: '지역가입자 세대주 및 직장가입자' },
  { name: '난임부부 시술비 지원', field: '보건·의료', purpose: '난임 부부의 시술비 부담을 덜어 줍니다.', content: '○ 체외수정·인공수정 시술비 회당 최대 110만원', target: '난임 진단을 받은 부부' },
  { name: '통합문화이용권', field: '문화·환경', purpose: '문화 소외계층의 문화생활을 지원합니다.', content: '○ 1인당 연 13만원 문화누리카드 지급', target: '만 6세 이상 기초생활수급자 및 차상위계층' },
  { name: '농업인 영농정착 지원', field: '농림축산어업', purpose: '청년 농업인의 초기 정착을 돕습니다.', content: '○ 영농정착지원금 월 최대 110만원, 3년간', target: '만 18세 이상 40세 미만 독립경영 3년 이하 농업인' },
  { name: '주거급여', field: '주거·자립', purpose: '저소득층의 주거비 부담을 덜어 줍니다.', content: '○ 임차가구: 기준임대료 범위에서 실제 임차료 지원\r\n○ 자가가구: 주택 수선 지원', target: '기준 중위소득 48% 이하 가구' },
  { name: '자립준비청년 자립수당', field: '주거·자립', purpose: '보호가 끝난 청년의 자립을 돕습니다.', content: '○ 자립수당 월 50만원, 보호 종료 후 5년간', target: '아동복지시설 등 보호 종료 청년' },
];

const WORK24_CENTERS = [
  '서울강남고용센터', '서울관악고용센터', '서울마포고용센터', '부산고용센터', '부산북부고용센터', '대구고용센터', '인천고용센터',
  '광주고용센터', '대전고용센터', '울산고용센터', '수원고용센터', '성남고용센터', '고양고용센터', '춘천고용센터', '청주고용센터',
  '천안고용센터', '전주고용센터', '목포고용센터', '포항고용센터', '창원고용센터', '제주고용센터',
];
const WORK24_PROGRAMS: readonly { name: string; sub: readonly string[]; target: string }[] = [
  { name: '청년 취업역량 강화 프로그램', sub: ['직무탐색 과정', '이력서·자기소개서 클리닉', '면접 스킬업'], target: '만 15~34세 미취업 청년' },
  { name: '취업희망 프로그램', sub: ['진로설계 집단상담', '구직 동기 향상'], target: '구직등록한 실업자' },
  { name: '중장년 재도약 프로그램', sub: ['생애경력설계', '재취업 전략 수립'], target: '만 40세 이상 구직자' },
  { name: '여성 경력이음 프로그램', sub: ['경력단절 여성 직업탐색', '재취업 준비반'], target: '경력단절 여성' },
  { name: '구직자 취업역량 강화(집단상담)', sub: ['성취 프로그램', '행복 취업 프로그램'], target: '실업급여 수급자 및 구직자' },
  { name: '온라인 채용 면접 대비 특강', sub: ['AI 면접 체험', '화상 면접 실전'], target: '구직자 누구나' },
];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function dateAfter(base: Date, days: number): string {
  const date = new Date(base.getTime() + days * 86_400_000);
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`;
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

/** Hand-written records that the search tests and the sample mode rely on. */
function handWrittenYouth(): YouthItem[] {
  const seoulZip = '11110,11140,11170,11200,11215,11230,11260,11290,11305,11320,11350,11380,11410,11440,11470,11500,11530,11545,11560,11590,11620,11650,11680,11710,11740';
  return [
    youthItem({
      plcyNo: '20250512005400211562', plcyNm: '청년월세 한시 특별지원', plcyKywdNm: '청년,월세,주거지원,현금지원',
      plcyExplnCn: '독립하여 사는 무주택 청년에게 월세를 지원해 청년의 주거비 부담을 덜어 줍니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '실제 납부하는 월세를 월 최대 20만원까지 최장 12개월(총 240만원) 지원합니다.\r\n○ 월세 지원은 매월 신청한 계좌로 입금됩니다.',
      sprvsnInstCd: '1613000', sprvsnInstCdNm: '국토교통부', operInstCdNm: '주소지 관할 시·군·구청', operInstPicNm: '주거복지과',
      aplyPrdSeCd: '0057001', aplyYmd: '20250224 ~ 20260223', plcyAplyMthdCn: '복지로 누리집(www.bokjiro.go.kr) 또는 주소지 행정복지센터 방문 신청',
      srngMthdCn: '소득·재산 조사 후 지급 결정', aplyUrlAddr: 'https://www.bokjiro.go.kr', sbmsnDcmntCn: '임대차계약서, 월세 이체 증빙, 가족관계증명서',
      sprtTrgtMinAge: '19', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: 'Y', mrgSttsCd: '0055003', earnCndSeCd: '0043002',
      addAplyQlfcCndCn: '부모와 따로 거주하는 무주택 청년, 청년가구 소득 기준 중위소득 60% 이하, 원가구 소득 중위소득 100% 이하',
      pvsnInstGroupCd: '0054001', zipCd: seoulZip, inqCnt: '48211', frstRegDt: '2025-02-20 10:12:33', lastMdfcnDt: '2025-05-12 16:40:02',
    }),
    youthItem({
      plcyNo: '20250301005400211201', plcyNm: '서울시 청년월세지원', plcyKywdNm: '월세,주거비,청년',
      plcyExplnCn: '서울에 사는 청년 1인 가구의 월세를 지원하여 주거비 부담을 줄여 줍니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '월 20만원 월세 지원, 최대 12개월\r\n※ 주거급여 수급자 등 중복 지원 불가',
      sprvsnInstCd: '6110000', sprvsnInstCdNm: '서울특별시', operInstCdNm: '서울특별시 청년정책과', operInstPicNm: '청년주거팀',
      aplyPrdSeCd: '0057001', aplyYmd: '20250401 ~ 20250430', plcyAplyMthdCn: '서울주거포털 온라인 신청', srngMthdCn: '소득 기준 충족자 중 무작위 추첨',
      aplyUrlAddr: 'https://housing.seoul.go.kr', sbmsnDcmntCn: '임대차계약서 사본, 최근 3개월 월세 이체 내역',
      sprtTrgtMinAge: '19', sprtTrgtMaxAge: '39', sprtTrgtAgeLmtYn: 'Y', addAplyQlfcCndCn: '서울 거주 무주택 청년 1인 가구, 임차보증금 5천만원 이하 및 월세 60만원 이하 건물',
      pvsnInstGroupCd: '0054002', zipCd: seoulZip, inqCnt: '30877', frstRegDt: '2025-03-01 09:00:00', lastMdfcnDt: '2025-03-18 11:22:45',
    }),
    youthItem({
      plcyNo: '20250415005400211377', plcyNm: '경기도 청년 월세 지원사업', plcyKywdNm: '월세,청년,주거',
      plcyExplnCn: '경기도에 거주하는 청년에게 월 임대료 일부를 지원합니다.',
      lclsfNm: '주거', mclsfNm: '전월세 및 주거급여 지원',
      plcySprtCn: '청년 월세 월 최대 20만원 × 10개월 지원\r\n주택 임차료(월세) 외 관리비는 제외',
      sprvsnInstCd: '6410000', sprvsnInstCdNm: '경기도', operInstCdNm: '경기도 주택정책과', operInstPicNm: '주거복지팀',
      aplyPrdSeCd: '0057001', aplyYmd: '20250501 ~ 20250531', plcyAplyMthdCn: '경기도 일자리재단 누리집 신청', aplyUrlAddr: 'https://youth.gg.go.kr',
      sbmsnDcmntCn: '임대차계약서, 월세 납부 증빙', sprtTrgtMinAge: '19', sprtTrgtMaxAge: '34', sprtTrgtAgeLmtYn: 'Y',
      addAplyQlfcCndCn: '경기도 거주 무주택 청년, 중위소득 150% 이하', pvsnInstGroupCd: '0054002', zipCd: '41110,41130,41150,41170,41190',
      inqCnt: '12004', frstRegDt: '2025-04-15 14:03:10', lastMdfcnDt: '2025-04-20 09:15:00',
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
      inqCnt: '8830', frstRegDt: '2025-06-20 10:00:00', lastMdfcnDt: '2025-06-20 10:00:00',
    }),
  ];
}

function handWrittenGov24(): { list: Gov24Item[]; detail: Gov24Item[] } {
  const list: Gov24Item[] = [
    {
      서비스ID: '000000465790', 서비스명: '청년월세 특별지원', 서비스목적요약: '청년의 월세 부담을 덜기 위해 월세를 지원합니다.',
      서비스분야: '주거·자립', 지원대상: '○ 만 19~34세 부모와 별도 거주하는 무주택 청년\r\n○ 청년가구 중위소득 60% 이하', 선정기준: '소득·재산 기준 충족 시 지급',
      지원내용: '○ 월 최대 20만원 월세 지원\r\n○ 최대 12개월', 신청방법: '온라인신청||방문신청', 신청기한: '2026.2.23.까지',
      상세조회URL: 'https://www.gov.kr/portal/rcvfvrSvc/dtlEx/000000465790', 소관기관명: '국토교통부', 소관기관유형: '중앙행정기관',
      사용자구분: '개인', 지원유형: '현금', 전화문의: '마이홈 콜센터/1600-1004', 조회수: 152033, 등록일시: '20220822093000', 수정일시: '20250227101500',
    },
  ];
  const detail: Gov24Item[] = [
    {
      서비스ID: '000000465790', 지원유형: '현금', 서비스명: '청년월세 특별지원', 서비스목적: '청년층 주거비 부담 경감',
      신청기한: '2026.2.23.까지', 지원대상: '만 19~34세 무주택 청년', 선정기준: '소득·재산 기준', 지원내용: '월세 월 최대 20만원',
      신청방법: '온라인신청||방문신청', 구비서류: '임대차계약서||월세 이체 증명서류||가족관계증명서', 공무원확인구비서류: '주민등록표 등본',
      본인확인필요구비서류: null, 접수기관명: '주소지 행정복지센터', 문의처: '마이홈 콜센터/1600-1004', 온라인신청사이트URL: 'https://www.bokjiro.go.kr',
      수정일시: '20250227101500', 소관기관명: '국토교통부', 행정규칙: null, 자치법규: null, 법령: '주거기본법(제15조)',
    },
  ];
  return { list, detail };
}

/**
 * Generates records with the quirks of each API: `||`-joined multi-values, `\r\n` inside text,
 * `" "` blanks, string numbers, 20-digit plcyNo. The same counts and seed give the same records.
 * With `withHandWritten`, the hand-written youth-rent records come first.
 */
export function generateDataset(
  counts: { gov24: number; youth: number; work24: number },
  seed = 20_260_101,
  withHandWritten = true,
): SampleDataset {
  const random = prng(seed);
  const base = new Date(Date.UTC(2026, 0, 5));
  const hand = handWrittenGov24();
  const gov24List: Gov24Item[] = withHandWritten ? [...hand.list] : [];
  const gov24Detail: Gov24Item[] = withHandWritten ? [...hand.detail] : [];
  for (let i = gov24List.length; i < counts.gov24; i += 1) {
    const service = pick(random, GOV24_SERVICES);
    const sido = pick(random, SIDO);
    const local = random() < 0.55;
    const gu = pick(random, sido.gu);
    const organization = local ? `${sido.name} ${gu}` : pick(random, ['보건복지부', '고용노동부', '국토교통부', '여성가족부', '농림축산식품부']);
    const id = pad(100_000 + i * 37, 12);
    const name = local ? `${gu} ${service.name}` : service.name;
    gov24List.push({
      서비스ID: id,
      서비스명: name,
      서비스목적요약: service.purpose,
      서비스분야: GOV24_FIELDS.includes(service.field) ? service.field : '생활안정',
      지원대상: `○ ${service.target}\r\n○ ${local ? `${sido.name} ${gu} 거주자` : '전국'}`,
      선정기준: random() < 0.3 ? null : '소득 및 재산 조사 결과에 따라 선정',
      지원내용: service.content,
      신청방법: pick(random, ['온라인신청||방문신청', '방문신청', '기타 온라인신청||방문신청', '우편신청||방문신청']),
      신청기한: pick(random, ['상시신청', '5.1.~5.31.', '예산 소진 시까지', '연중']),
      상세조회URL: `https://www.gov.kr/portal/rcvfvrSvc/dtlEx/${id}`,
      소관기관명: organization,
      소관기관유형: local ? '시군구' : '중앙행정기관',
      사용자구분: pick(random, ['개인', '개인||가구', '가구']),
      지원유형: pick(random, ['현금', '현물', '서비스', '현금||서비스']),
      전화문의: local ? `${gu}청 복지정책과/0${2 + Math.floor(random() * 60)}-${100 + Math.floor(random() * 899)}-${1000 + Math.floor(random() * 8999)}` : '보건복지상담센터/129',
      조회수: Math.floor(random() * 50_000),
      등록일시: `${dateAfter(base, -Math.floor(random() * 1500))}093000`,
      수정일시: `${dateAfter(base, -Math.floor(random() * 300))}141500`,
    });
    if (random() < 0.9) {
      gov24Detail.push({
        서비스ID: id,
        지원유형: '현금',
        서비스명: name,
        서비스목적: service.purpose,
        신청기한: '상시신청',
        지원대상: service.target,
        선정기준: '소득 및 재산 조사',
        지원내용: service.content,
        신청방법: '방문신청',
        구비서류: pick(random, ['신분증||신청서', '신청서||소득증빙서류||통장 사본', '주민등록표 등본||신청서']),
        공무원확인구비서류: '주민등록표 등본',
        본인확인필요구비서류: null,
        접수기관명: local ? `${gu} 행정복지센터` : '주소지 행정복지센터',
        문의처: local ? `${gu}청 복지정책과` : '보건복지상담센터/129',
        온라인신청사이트URL: 'https://www.bokjiro.go.kr',
        수정일시: `${dateAfter(base, -Math.floor(random() * 300))}141500`,
        소관기관명: organization,
        행정규칙: null,
        자치법규: local ? `${sido.name} ${gu} 복지 조례` : null,
        법령: '사회보장급여의 이용·제공 및 수급권자 발굴에 관한 법률(제5조)',
      });
    }
  }

  const youth: YouthItem[] = withHandWritten ? handWrittenYouth() : [];
  for (let i = youth.length; i < counts.youth; i += 1) {
    const topic = pick(random, TOPICS);
    const sido = pick(random, SIDO);
    const national = random() < 0.2;
    const gu = pick(random, sido.gu);
    const start = dateAfter(base, Math.floor(random() * 200));
    const end = dateAfter(base, 200 + Math.floor(random() * 150));
    const always = random() < 0.35;
    const minAge = pick(random, ['18', '19', '19', '15']);
    const maxAge = pick(random, ['34', '39', '29', '34']);
    const region = national ? '' : random() < 0.5 ? `${sido.name} ${gu}` : sido.name;
    youth.push(
      youthItem({
        plcyNo: `2026${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}0054${pad(1_000_000 + i * 7, 8)}`,
        plcyNm: national ? topic.name : `${region} ${topic.name}`,
        plcyKywdNm: `${topic.category},${topic.mclsf},청년`,
        plcyExplnCn: `${region || '전국'} ${topic.purpose}`.trim(),
        lclsfNm: topic.category,
        mclsfNm: topic.mclsf,
        plcySprtCn: `${topic.support}\r\n※ 예산 범위 내에서 선착순 또는 심사 후 지원`,
        sprvsnInstCd: national ? '1492000' : `6${sido.code}0000`,
        sprvsnInstCdNm: national ? pick(random, ['고용노동부', '보건복지부', '문화체육관광부', '교육부']) : region,
        sprvsnInstPicNm: ' ',
        operInstCd: ' ',
        operInstCdNm: national ? '한국고용정보원' : `${region} 청년정책과`,
        operInstPicNm: random() < 0.5 ? ' ' : '청년정책팀',
        aplyPrdSeCd: always ? '0057002' : '0057001',
        aplyYmd: always ? ' ' : `${start} ~ ${end}`,
        bizPrdBgngYmd: start,
        bizPrdEndYmd: end,
        plcyAplyMthdCn: pick(random, ['온라인 신청', '온통청년 누리집 신청', '주소지 행정복지센터 방문 신청', '이메일 접수']),
        srngMthdCn: pick(random, ['서류 심사', '선착순', '자격 확인 후 선정', ' ']),
        aplyUrlAddr: random() < 0.6 ? `https://www.youthcenter.go.kr/youthPolicy/ythPlcyTotalSearch?plcyNo=${i}` : ' ',
        sbmsnDcmntCn: topic.documents.replaceAll('||', ', '),
        sprtSclLmtYn: 'N',
        sprtSclCnt: String(Math.floor(random() * 500)),
        sprtTrgtMinAge: minAge,
        sprtTrgtMaxAge: maxAge,
        sprtTrgtAgeLmtYn: 'Y',
        mrgSttsCd: '0055003',
        earnCndSeCd: '0043001',
        earnMinAmt: '0',
        earnMaxAmt: '0',
        addAplyQlfcCndCn: `${topic.target}${national ? '' : `, ${region} 거주`}`,
        ptcpPrpTrgtCn: ' ',
        inqCnt: String(Math.floor(random() * 20_000)),
        pvsnInstGroupCd: national ? '0054001' : '0054002',
        zipCd: national ? ' ' : `${sido.code}${pad(110 + Math.floor(random() * 50) * 10, 3)}`,
        jobCd: '0013010',
        schoolCd: '0049010',
        frstRegDt: `2026-0${1 + (i % 9)}-1${i % 10} 09:13:11`,
        lastMdfcnDt: `2026-0${1 + (i % 9)}-2${i % 10} 17:02:45`,
      }),
    );
  }

  const work24: Work24Item[] = [];
  for (let i = 0; i < counts.work24; i += 1) {
    const program = pick(random, WORK24_PROGRAMS);
    const center = pick(random, WORK24_CENTERS);
    const start = dateAfter(base, Math.floor(i / 3));
    work24.push({
      orgNm: center,
      pgmNm: program.name,
      pgmSubNm: `${pick(random, program.sub)} 제${1 + i}기`,
      pgmTarget: program.target,
      pgmStdt: start,
      pgmEndt: dateAfter(base, Math.floor(i / 3) + pick(random, [0, 2, 4, 9])),
      operationTime: pick(random, ['10:00~17:00', '14:00~17:00', '09:30~12:30', ' ']),
      openTimeClcd: pick(random, ['1', '2']),
      openTime: pick(random, ['10:00', '14:00', '09:30']),
      openPlcCont: `${center} ${pick(random, ['3층 집단상담실', '2층 교육장', '1층 취업지원실'])}`,
    });
  }
  return { gov24List, gov24Detail, youth, work24 };
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

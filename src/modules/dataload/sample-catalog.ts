/**
 * The Korean material generated sample records are composed from: programmes, services and
 * employment-centre sessions as the three APIs describe them. Two words never appear here, on
 * purpose: 월세 (only the five hand-written rent records have it, and search tests expect exactly
 * them for "청년 월세 지원") and 장학금 (so "대학생 장학금" has no relevant answer in the sample).
 */

/** Age bounds as 온통청년 sends them (strings; `0`/`0` for none). */
export interface AgeProfile {
  min: string;
  max: string;
}

/** An 온통청년 policy topic; local policies prefix it with their 시군구 or 시도. */
export interface YouthTopic {
  name: string;
  category: string;
  mclsf: string;
  keywords: string;
  purpose: string;
  support: string;
  target: string;
  documents: string;
  ages: readonly AgeProfile[];
}

const YOUTH_AGES: readonly AgeProfile[] = [
  { min: '19', max: '34' }, { min: '19', max: '39' }, { min: '18', max: '34' }, { min: '18', max: '39' }, { min: '15', max: '39' },
];

export const YOUTH_TOPICS: readonly YouthTopic[] = [
  { name: '청년 면접수당 지원', category: '일자리', mclsf: '취업', keywords: '면접,구직,현금지원', purpose: '구직 청년의 면접 비용 부담을 덜어 줍니다.', support: '면접 1회당 5만원, 연 최대 6회 지급', target: '미취업 청년', documents: '신분증 사본, 면접 참여 확인서', ages: YOUTH_AGES },
  { name: '구직활동 지원금', category: '일자리', mclsf: '취업', keywords: '구직,현금지원', purpose: '청년의 구직활동을 응원하는 현금성 지원입니다.', support: '월 50만원씩 6개월간 구직활동비 지원', target: '졸업 후 2년 이내 미취업 청년', documents: '구직활동계획서, 졸업증명서', ages: [{ min: '18', max: '34' }, { min: '19', max: '34' }] },
  { name: '청년 창업 사업화 지원', category: '일자리', mclsf: '창업', keywords: '창업,사업화,멘토링', purpose: '초기 창업자의 사업화 자금을 지원합니다.', support: '사업화 자금 최대 3천만원, 창업 교육 및 멘토링', target: '창업 3년 이내 청년 창업자', documents: '사업계획서, 사업자등록증', ages: [{ min: '19', max: '39' }] },
  { name: '중소기업 청년 근속 장려금', category: '일자리', mclsf: '재직자', keywords: '근속,중소기업,장려금', purpose: '중소기업에 다니는 청년의 장기 근속을 돕습니다.', support: '근속 6개월마다 장려금 100만원 지급', target: '중소기업 정규직 재직 청년', documents: '재직증명서, 근로계약서', ages: YOUTH_AGES },
  { name: '청년 일경험 인턴십', category: '일자리', mclsf: '취업', keywords: '인턴,일경험', purpose: '지역 기업과 공공기관에서 일 경험을 쌓도록 돕습니다.', support: '3개월 인턴 근무, 월 210만원 급여 지원', target: '미취업 청년', documents: '참여신청서, 최종학력증명서', ages: [{ min: '18', max: '39' }] },
  { name: '청년 창업공간 입주 지원', category: '일자리', mclsf: '창업', keywords: '창업공간,사무실', purpose: '예비·초기 창업 청년에게 사무 공간을 제공합니다.', support: '창업 공간 최대 2년 무상 입주, 회의실·장비 이용', target: '예비 창업자 및 창업 3년 이내 청년', documents: '입주신청서, 사업계획서', ages: [{ min: '19', max: '39' }] },
  { name: '청년 취업 컨설팅', category: '일자리', mclsf: '취업', keywords: '컨설팅,이력서,자기소개서', purpose: '1:1 맞춤 컨설팅으로 취업 준비를 돕습니다.', support: '이력서·자기소개서 첨삭과 모의면접 등 1:1 컨설팅 5회', target: '구직 중인 청년', documents: '참여신청서', ages: YOUTH_AGES },
  { name: '지역정착 청년 취업 지원금', category: '일자리', mclsf: '취업', keywords: '지역정착,지원금', purpose: '지역 기업에 취업한 청년의 정착을 돕습니다.', support: '지역 중소기업 취업 시 정착지원금 월 30만원, 최대 24개월', target: '관내 기업에 취업한 청년', documents: '재직증명서, 주민등록초본', ages: [{ min: '18', max: '39' }, { min: '19', max: '39' }] },
  { name: '청년 자격증 응시료 지원', category: '교육', mclsf: '역량강화', keywords: '자격증,응시료', purpose: '청년의 자격증 취득 비용을 지원합니다.', support: '국가기술자격 응시료 연 최대 30만원 환급', target: '취업 준비 중인 청년', documents: '응시료 영수증, 합격증 사본', ages: YOUTH_AGES },
  { name: '청년 어학시험 응시료 지원', category: '교육', mclsf: '역량강화', keywords: '어학,토익,응시료', purpose: '어학 성적이 필요한 구직 청년을 돕습니다.', support: '토익·오픽 등 어학시험 응시료 연 2회 지원', target: '미취업 청년', documents: '성적표, 응시료 영수증', ages: YOUTH_AGES },
  { name: '디지털 인재 양성 교육', category: '교육', mclsf: '미래역량', keywords: 'SW,AI,코딩', purpose: 'SW·AI 분야 실무 교육을 제공합니다.', support: '6개월 무료 교육과 훈련장려금 월 30만원', target: '만 34세 이하 구직자', documents: '수강신청서', ages: [{ min: '15', max: '34' }] },
  { name: '청년 금융교육 및 재무상담', category: '교육', mclsf: '역량강화', keywords: '금융교육,재무설계', purpose: '사회초년생의 재무 설계를 돕습니다.', support: '금융교육 4회와 1:1 재무상담', target: '사회초년생 청년', documents: '참여신청서', ages: YOUTH_AGES },
  { name: '청년 직무역량 아카데미', category: '교육', mclsf: '역량강화', keywords: '직무교육,아카데미', purpose: '현장 실무자가 가르치는 직무 교육을 제공합니다.', support: '직무별 8주 교육, 수료 시 기업 연계 면접', target: '취업 준비 청년', documents: '수강신청서, 자기소개서', ages: YOUTH_AGES },
  { name: '청년 전세보증금 이자 지원', category: '주거', mclsf: '주택 및 거주지', keywords: '전세,대출이자,주거', purpose: '전세 대출 이자 부담을 줄여 줍니다.', support: '임차보증금 대출 이자 연 2% 이내 지원', target: '무주택 청년 세대주', documents: '임대차계약서, 대출 실행 확인서', ages: [{ min: '19', max: '39' }] },
  { name: '청년 이사비 지원', category: '주거', mclsf: '주택 및 거주지', keywords: '이사,중개보수', purpose: '이사에 드는 부동산 중개보수와 이사비를 지원합니다.', support: '중개보수 및 이사비 실비 최대 40만원', target: '무주택 청년', documents: '임대차계약서, 이사비 영수증', ages: [{ min: '19', max: '39' }, { min: '19', max: '34' }] },
  { name: '청년 임차보증금 반환보증 보증료 지원', category: '주거', mclsf: '주택 및 거주지', keywords: '전세사기,보증료', purpose: '전세사기 피해를 막기 위한 보증료를 지원합니다.', support: '보증료 전액(최대 30만원) 환급', target: '임차인 청년', documents: '보증서, 납부 영수증', ages: [{ min: '19', max: '39' }] },
  { name: '신혼부부 전세자금 대출이자 지원', category: '주거', mclsf: '주택 및 거주지', keywords: '신혼부부,전세,이자', purpose: '신혼부부의 전세 대출 이자를 지원합니다.', support: '전세자금 대출 이자 연 최대 150만원', target: '혼인 7년 이내 무주택 신혼부부', documents: '혼인관계증명서, 임대차계약서', ages: [{ min: '19', max: '39' }] },
  { name: '청년 마음건강 바우처', category: '복지문화', mclsf: '건강', keywords: '심리상담,마음건강', purpose: '심리상담 서비스를 지원합니다.', support: '전문 심리상담 10회 바우처 제공', target: '우울·불안 등 정서적 어려움이 있는 청년', documents: '신청서', ages: [{ min: '19', max: '34' }, { min: '0', max: '0' }] },
  { name: '청년 문화예술패스', category: '복지문화', mclsf: '문화활동', keywords: '공연,전시,문화', purpose: '공연·전시 관람을 지원합니다.', support: '연 15만원 문화예술 관람 포인트 지급', target: '만 19세 청년', documents: '없음', ages: [{ min: '19', max: '19' }] },
  { name: '청년 자산형성 통장', category: '복지문화', mclsf: '금융', keywords: '저축,자산형성', purpose: '저축하는 청년의 자산 형성을 돕습니다.', support: '본인 저축액 월 10만원에 지원금 월 10만원 매칭', target: '일하는 저소득 청년', documents: '소득증빙서류, 통장 사본', ages: [{ min: '18', max: '39' }, { min: '19', max: '34' }] },
  { name: '청년 대중교통비 지원', category: '복지문화', mclsf: '교통', keywords: '교통비,환급', purpose: '통근·통학 교통비 부담을 줄입니다.', support: '대중교통 이용 금액의 20% 환급, 연 최대 24만원', target: '관내 거주 청년', documents: '교통카드 등록 확인서', ages: YOUTH_AGES },
  { name: '청년 건강검진 지원', category: '복지문화', mclsf: '건강', keywords: '건강검진', purpose: '국가검진 대상이 아닌 청년의 건강검진을 지원합니다.', support: '기본 건강검진 항목 무료 검진 1회', target: '국가건강검진 대상이 아닌 청년', documents: '신분증', ages: [{ min: '20', max: '34' }] },
  { name: '청년 운전면허 취득 지원', category: '복지문화', mclsf: '교통', keywords: '운전면허,취업준비', purpose: '취업에 필요한 운전면허 취득 비용을 지원합니다.', support: '운전면허 학원비 최대 50만원', target: '미취업 청년', documents: '수강료 영수증, 면허증 사본', ages: [{ min: '18', max: '34' }] },
  { name: '청년 부채 상담 및 채무조정 지원', category: '복지문화', mclsf: '금융', keywords: '채무조정,신용회복', purpose: '빚 때문에 어려운 청년의 재기를 돕습니다.', support: '신용·부채 1:1 상담과 채무조정 비용 지원', target: '채무 문제를 겪는 청년', documents: '상담신청서', ages: [{ min: '19', max: '39' }] },
  { name: '청년정책 참여단', category: '참여권리', mclsf: '정책참여', keywords: '정책참여,청년위원', purpose: '청년이 직접 정책을 제안하고 평가합니다.', support: '활동비 지급 및 정책 제안 기회 제공', target: '관내 거주 또는 활동 청년', documents: '참여신청서', ages: [{ min: '19', max: '39' }, { min: '15', max: '39' }] },
  { name: '청년 노동권익 상담', category: '참여권리', mclsf: '권익보호', keywords: '노동상담,임금체불', purpose: '임금체불·부당해고 상담을 지원합니다.', support: '노무사 무료 상담 및 권리구제 대리', target: '일하는 청년', documents: '상담신청서', ages: [{ min: '0', max: '0' }, { min: '15', max: '39' }] },
  { name: '청년 동아리 활동 지원', category: '참여권리', mclsf: '정책참여', keywords: '동아리,커뮤니티', purpose: '청년 모임과 동아리 활동을 지원합니다.', support: '동아리당 활동비 최대 200만원', target: '관내 청년 5인 이상 모임', documents: '활동계획서, 구성원 명단', ages: [{ min: '19', max: '39' }] },
  { name: '청년공간 대관 지원', category: '참여권리', mclsf: '청년공간', keywords: '청년공간,대관,스터디룸', purpose: '청년센터의 회의실과 스터디룸을 빌려 줍니다.', support: '청년공간 회의실·스터디룸 무료 대관', target: '관내 청년', documents: '대관신청서', ages: [{ min: '0', max: '0' }, { min: '19', max: '39' }] },
];

/** A 정부24 support condition row's flags: JA code → true. */
export type ConditionProfile = Readonly<Record<string, true>>;

/** A 정부24 service, with the support conditions its `/supportConditions` row carries. */
export interface Gov24Service {
  name: string;
  field: string;
  purpose: string;
  content: string;
  target: string;
  /** JA0110/JA0111; null where the row leaves them out. */
  ages: readonly [number | null, number | null];
  flags: ConditionProfile;
  /** A period this kind of service is always given (e.g. a rolling deadline after a birth). */
  period?: string;
}

const Y = (...codes: string[]): ConditionProfile => Object.fromEntries(codes.map((code) => [code, true] as const));

/** Central services, listed once each with their ministry. */
export const GOV24_NATIONAL: readonly (Gov24Service & { organization: string })[] = [
  { name: '아동수당', organization: '보건복지부', field: '보육·교육', purpose: '아동 양육에 드는 경제적 부담을 덜어 줍니다.', content: '○ 만 8세 미만 아동에게 월 10만원 지급', target: '만 8세 미만 아동', ages: [0, 7], flags: Y('JA0410', 'JA0322'), period: '출생일로부터 60일 이내 신청 시 출생월부터 소급 지급' },
  { name: '첫만남이용권', organization: '보건복지부', field: '보육·교육', purpose: '출생 초기 양육 부담을 줄입니다.', content: '○ 출생아 1인당 200만원 바우처 지급\r\n○ 둘째 이상 300만원', target: '출생 신고된 아동', ages: [null, null], flags: Y('JA0303'), period: '출생일로부터 1년 이내' },
  { name: '부모급여', organization: '보건복지부', field: '보육·교육', purpose: '영아기 양육을 지원합니다.', content: '○ 0세 월 100만원, 1세 월 50만원 지급', target: '만 2세 미만 아동을 양육하는 부모', ages: [null, null], flags: Y('JA0303'), period: '출생일로부터 60일 이내' },
  { name: '에너지바우처', organization: '산업통상자원부', field: '생활안정', purpose: '취약계층의 냉난방비를 지원합니다.', content: '○ 가구원 수에 따라 연 30만원 내외 지원', target: '기초생활수급 가구 중 노인·장애인 등 포함 가구', ages: [null, null], flags: Y('JA0201', 'JA0328') },
  { name: '국가건강검진', organization: '보건복지부', field: '보건·의료', purpose: '질병을 조기에 발견합니다.', content: '○ 일반건강검진 및 암검진 비용 지원', target: '지역가입자 세대주 및 직장가입자', ages: [20, null], flags: Y('JA0322'), period: '연중' },
  { name: '난임부부 시술비 지원', organization: '보건복지부', field: '보건·의료', purpose: '난임 부부의 시술비 부담을 덜어 줍니다.', content: '○ 체외수정·인공수정 시술비 회당 최대 110만원', target: '난임 진단을 받은 부부', ages: [null, null], flags: Y('JA0301') },
  { name: '통합문화이용권', organization: '문화체육관광부', field: '문화·환경', purpose: '문화 소외계층의 문화생활을 지원합니다.', content: '○ 1인당 연 13만원 문화누리카드 지급', target: '만 6세 이상 기초생활수급자 및 차상위계층', ages: [6, null], flags: Y('JA0201', 'JA0202') },
  { name: '청년농업인 영농정착 지원', organization: '농림축산식품부', field: '농림축산어업', purpose: '청년 농업인의 초기 정착을 돕습니다.', content: '○ 영농정착지원금 월 최대 110만원, 3년간', target: '만 18세 이상 40세 미만 독립경영 3년 이하 농업인', ages: [18, 39], flags: Y('JA0313') },
  { name: '주거급여', organization: '국토교통부', field: '주거·자립', purpose: '저소득층의 주거비 부담을 덜어 줍니다.', content: '○ 임차가구: 기준임대료 범위에서 실제 임차료 지원\r\n○ 자가가구: 주택 수선 지원', target: '기준 중위소득 48% 이하 가구', ages: [null, null], flags: Y('JA0201') },
  { name: '자립준비청년 자립수당', organization: '보건복지부', field: '주거·자립', purpose: '보호가 끝난 청년의 자립을 돕습니다.', content: '○ 자립수당 월 50만원, 보호 종료 후 5년간', target: '아동복지시설 등 보호 종료 청년', ages: [18, 29], flags: Y('JA0322') },
  { name: '근로장려금', organization: '기획재정부', field: '생활안정', purpose: '일하는 저소득 가구의 소득을 지원합니다.', content: '○ 가구 유형별 연 최대 330만원 지급', target: '총소득 기준 이하의 근로·사업소득 가구', ages: [null, null], flags: Y('JA0326', 'JA0201', 'JA0202') },
  { name: '장애인연금', organization: '보건복지부', field: '생활안정', purpose: '중증장애인의 생활 안정을 돕습니다.', content: '○ 기초급여 월 최대 34만원과 부가급여 지급', target: '만 18세 이상 중증장애인 중 소득인정액 기준 이하', ages: [18, null], flags: Y('JA0328', 'JA0201', 'JA0202') },
  { name: '한부모가족 아동양육비', organization: '여성가족부', field: '생활안정', purpose: '한부모가족의 아이 양육을 돕습니다.', content: '○ 자녀 1인당 월 23만원 지급', target: '기준 중위소득 63% 이하 한부모가족', ages: [null, null], flags: Y('JA0403', 'JA0201', 'JA0202') },
  { name: '다문화가족 방문교육', organization: '여성가족부', field: '보육·교육', purpose: '다문화가족의 한국어와 자녀 양육을 돕습니다.', content: '○ 한국어교육, 부모교육, 자녀생활지원 방문 서비스', target: '결혼이민자 및 다문화가족 자녀', ages: [null, null], flags: Y('JA0401') },
  { name: '북한이탈주민 정착금', organization: '통일부', field: '생활안정', purpose: '북한이탈주민의 초기 정착을 돕습니다.', content: '○ 1인 세대 기준 기본금 1,000만원 등 정착금 지급', target: '보호 결정을 받은 북한이탈주민', ages: [null, null], flags: Y('JA0402') },
  { name: '희망리턴패키지', organization: '중소벤처기업부', field: '고용·창업', purpose: '폐업하는 소상공인의 재기를 돕습니다.', content: '○ 점포 철거비 최대 400만원\r\n○ 재취업·재창업 교육과 전직장려수당', target: '폐업 예정 또는 폐업한 소상공인', ages: [null, null], flags: Y('JA1103') },
  { name: '긴급복지 생계지원', organization: '보건복지부', field: '생활안정', purpose: '위기 상황에 처한 가구의 생계를 돕습니다.', content: '○ 4인 가구 기준 월 183만원 생계비 지원\r\n○ 최대 6개월', target: '갑작스러운 위기 사유로 생계유지가 곤란한 가구', ages: [null, null], flags: Y('JA0201', 'JA0202', 'JA0203') },
  { name: '산모·신생아 건강관리 지원', organization: '보건복지부', field: '보건·의료', purpose: '출산 가정에 건강관리사를 파견합니다.', content: '○ 출산 후 5~25일 건강관리사 방문 서비스', target: '기준 중위소득 150% 이하 출산 가정', ages: [null, null], flags: Y('JA0302', 'JA0303'), period: '출산 예정일 40일 전부터 출산일로부터 30일 이내' },
];

/** Services local governments run, composed per 시군구 or 시도 (`강남구 출산장려금`). */
export const GOV24_LOCAL: readonly Gov24Service[] = [
  { name: '출산장려금', field: '보육·교육', purpose: '출산 가정을 축하하고 양육을 돕습니다.', content: '○ 첫째 100만원, 둘째 200만원, 셋째 이상 500만원', target: '신생아 출생 신고를 한 관내 가정', ages: [null, null], flags: Y('JA0303') },
  { name: '저소득층 긴급 생계비 지원', field: '생활안정', purpose: '갑작스러운 위기에 처한 주민의 생계를 돕습니다.', content: '○ 가구원 수에 따라 월 70만~180만원, 최대 3개월', target: '위기 사유가 발생한 저소득 가구', ages: [null, null], flags: Y('JA0201', 'JA0202') },
  { name: '노인 일자리 지원사업', field: '고용·창업', purpose: '어르신의 사회활동과 소득을 돕습니다.', content: '○ 공익활동 월 29만원, 월 30시간', target: '만 65세 이상 기초연금 수급자', ages: [65, null], flags: Y('JA0327') },
  { name: '장애인 활동지원 추가 지원', field: '보건·의료', purpose: '장애인의 일상생활을 돕는 활동지원 시간을 늘립니다.', content: '○ 국비 활동지원 외 월 최대 100시간 추가', target: '장애인 활동지원 수급자', ages: [6, 64], flags: Y('JA0328') },
  { name: '소상공인 경영안정자금 이차보전', field: '고용·창업', purpose: '소상공인의 대출 이자 부담을 덜어 줍니다.', content: '○ 경영안정자금 대출 이자 연 2% 보전, 최대 3년', target: '관내 사업장을 운영하는 소상공인', ages: [null, null], flags: Y('JA1102', 'JA1201', 'JA1202', 'JA1299') },
  { name: '청년 창업 지원금', field: '고용·창업', purpose: '관내에서 창업하는 청년의 초기 비용을 지원합니다.', content: '○ 창업 초기비용 최대 1,000만원\r\n○ 창업 교육 이수 필수', target: '관내 거주 예비창업 청년', ages: [19, 39], flags: Y('JA1101') },
  { name: '다자녀가정 생활 지원', field: '생활안정', purpose: '세 자녀 이상 가정의 생활비 부담을 덜어 줍니다.', content: '○ 상하수도 요금 감면 및 공영주차장 50% 할인', target: '관내 거주 다자녀가정', ages: [null, null], flags: Y('JA0411') },
  { name: '농업인 영농자재 지원', field: '농림축산어업', purpose: '농가의 영농자재 구입비를 지원합니다.', content: '○ 비료·농약 등 영농자재 구입비 농가당 최대 50만원', target: '관내 농업경영체 등록 농업인', ages: [null, null], flags: Y('JA0313') },
  { name: '어르신 교통비 지원', field: '생활안정', purpose: '어르신의 이동 부담을 덜어 줍니다.', content: '○ 분기별 교통비 3만원 충전', target: '관내 거주 만 70세 이상 어르신', ages: [70, null], flags: Y('JA0322') },
  { name: '산후조리비 지원', field: '보건·의료', purpose: '산모의 산후조리 비용을 지원합니다.', content: '○ 출생아 1인당 산후조리비 50만원 지역화폐 지급', target: '관내 출산 가정 산모', ages: [null, null], flags: Y('JA0302', 'JA0303'), period: '출산일로부터 1년 이내' },
  { name: '1인가구 안심홈 지원', field: '행정·안전', purpose: '혼자 사는 주민의 주거 안전을 돕습니다.', content: '○ 현관 CCTV, 문열림 센서 등 안심장비 설치', target: '관내 1인가구', ages: [null, null], flags: Y('JA0404', 'JA0102') },
  { name: '국가유공자 보훈명예수당', field: '생활안정', purpose: '국가유공자의 희생과 공헌에 보답합니다.', content: '○ 보훈명예수당 월 10만원', target: '관내 거주 국가보훈대상자', ages: [null, null], flags: Y('JA0329') },
  { name: '다문화가족 정착 지원', field: '보육·교육', purpose: '결혼이민자의 지역 정착을 돕습니다.', content: '○ 한국어 교실, 통번역 서비스, 자녀 학습 지원', target: '관내 다문화가족', ages: [null, null], flags: Y('JA0401') },
  { name: '한부모가족 생활안정 지원', field: '생활안정', purpose: '한부모가족의 생활 안정을 돕습니다.', content: '○ 가구당 연 60만원 생활안정금 지급', target: '관내 저소득 한부모가족', ages: [null, null], flags: Y('JA0403', 'JA0201') },
  { name: '중소기업 청년 채용 지원', field: '고용·창업', purpose: '청년을 정규직으로 채용한 중소기업을 지원합니다.', content: '○ 청년 1인 채용 시 인건비 월 100만원, 최대 1년', target: '관내 중소기업', ages: [null, null], flags: Y('JA2101', 'JA2201', 'JA2203', 'JA2299') },
  { name: '무주택 청년 전세 대출이자 지원', field: '주거·자립', purpose: '청년의 전세 대출 이자 부담을 덜어 줍니다.', content: '○ 전세 대출 이자 연 최대 100만원 지원', target: '관내 거주 무주택 청년', ages: [19, 39], flags: Y('JA0412', 'JA0404', 'JA0203', 'JA0204') },
  { name: '구직자 면접 정장 대여', field: '고용·창업', purpose: '면접을 앞둔 구직자에게 정장을 빌려 줍니다.', content: '○ 면접 정장 무료 대여 연 3회', target: '관내 거주 구직자', ages: [18, 39], flags: Y('JA0327') },
  { name: '고등학생 교복 구입비 지원', field: '보육·교육', purpose: '교복 구입 부담을 덜어 줍니다.', content: '○ 신입생 1인당 교복 구입비 30만원', target: '관내 고등학교 신입생', ages: [null, null], flags: Y('JA0319') },
  { name: '초등학생 입학 축하금', field: '보육·교육', purpose: '초등학교 입학을 축하하고 준비물 비용을 돕습니다.', content: '○ 입학생 1인당 20만원 지급', target: '관내 초등학교 입학생', ages: [null, null], flags: Y('JA0317') },
  { name: '여성 창업 교육 지원', field: '고용·창업', purpose: '창업을 준비하는 여성에게 교육과 상담을 제공합니다.', content: '○ 창업 교육 40시간과 1:1 창업 컨설팅', target: '관내 예비창업 여성', ages: [null, null], flags: Y('JA0102', 'JA1101') },
];

/** A 고용센터 programme of the 217L01 API. */
export interface Work24Programme {
  name: string;
  sub: readonly string[];
  target: string;
}

export const WORK24_CENTRES: readonly string[] = [
  '서울강남고용센터', '서울관악고용센터', '서울마포고용센터', '서울서부고용센터', '부산고용센터', '부산북부고용센터', '대구고용센터',
  '인천고용센터', '광주고용센터', '대전고용센터', '울산고용센터', '수원고용센터', '성남고용센터', '고양고용센터', '춘천고용센터',
  '청주고용센터', '천안고용센터', '전주고용센터', '목포고용센터', '포항고용센터', '구미고용센터', '창원고용센터', '제주고용센터',
];

export const WORK24_PROGRAMMES: readonly Work24Programme[] = [
  { name: '청년 취업역량 강화 프로그램', sub: ['직무탐색 과정', '이력서·자기소개서 클리닉', '면접 스킬업'], target: '만 18세~34세 청년' },
  { name: '성취 프로그램', sub: ['취업 자신감 향상', '구직기술 향상'], target: '만 15~34세 미취업 청년' },
  { name: '취업희망 프로그램', sub: ['진로설계 집단상담', '구직 동기 향상'], target: '구직등록한 실업자' },
  { name: '중장년 재도약 프로그램', sub: ['생애경력설계', '재취업 전략 수립'], target: '만 40세 이상 구직자' },
  { name: '행복내일 프로그램', sub: ['인생 2막 설계', '재취업 준비반'], target: '만 50세 이상 구직자' },
  { name: '여성 경력이음 프로그램', sub: ['경력단절 여성 직업탐색', '재취업 준비반'], target: '경력단절 여성' },
  { name: '구직자 취업역량 강화(집단상담)', sub: ['성취 프로그램', '행복 취업 프로그램'], target: '실업급여 수급자 및 구직자' },
  { name: '온라인 채용 면접 대비 특강', sub: ['AI 면접 체험', '화상 면접 실전'], target: '구직자 누구나' },
  { name: '청년 직무 탐색 워크숍', sub: ['IT 직무 탐색', '사무·행정 직무 탐색'], target: '만 15~34세 청년(군 복무자는 최대 만 39세)' },
  { name: '취약계층 취업지원 프로그램', sub: ['취업 의욕 향상', '직업 적응 훈련'], target: '기초생활수급자 등 취업취약계층' },
];

/** `openTimeClcd` (1 오전, 2 오후) with a 12-hour `openTime`, and the running hours beside it. */
export const WORK24_TIMES: readonly { code: '1' | '2'; time: string; hours: string }[] = [
  { code: '1', time: '09:30', hours: '09:30~12:30' },
  { code: '1', time: '10:00', hours: '10:00~16:00' },
  { code: '1', time: '11:00', hours: '11:00~13:00' },
  { code: '2', time: '01:30', hours: '13:30~16:30' },
  { code: '2', time: '02:00', hours: '14:00~17:00' },
  { code: '2', time: '12:30', hours: '12:30~15:30' },
];

/**
 * The labelled query set of `npm run bench:search`, written for the bundled sample data
 * (fixtures/public-apis, reference day 2026-09-15). Each query says what the person wants and
 * which programmes answer it, by title: an exact title (string) or a family of titles (RegExp).
 * A programme is relevant when its title matches AND the person is eligible by the query's own
 * age, region and status (the definition: a 45-year-old is not helped by a 19–34 rent
 * programme). Several listings of one programme (same title and place) count once.
 *
 * Kinds: `name` (an exact programme name), `topic` (what people type into a search box),
 * `paraphrase` (other words than the titles use: the lexical embedder is expected to miss some),
 * `filtered` (age / region / status), `none` (nothing in the data answers it; a quarter or more).
 */
export interface LabelledQuery {
  q: string;
  age?: number;
  region?: string;
  status?: 'open';
  kind: 'name' | 'topic' | 'paraphrase' | 'filtered' | 'none';
  /** What the person asks for, when the query alone does not say it. */
  intent?: string;
  /** Titles that answer it; empty for `none` (and for filtered queries nobody eligible matches). */
  relevant: readonly (string | RegExp)[];
}

export const LABELLED_QUERIES: readonly LabelledQuery[] = [
  // Exact programme names: the programme itself must come first.
  { kind: 'name', q: '청년도약계좌', relevant: ['청년도약계좌'] },
  { kind: 'name', q: '국민취업지원제도', relevant: ['국민취업지원제도'] },
  { kind: 'name', q: '국민내일배움카드', relevant: ['국민내일배움카드'] },
  { kind: 'name', q: '청년월세 한시 특별지원', relevant: ['청년월세 한시 특별지원', '청년월세 특별지원'] },
  { kind: 'name', q: '아동수당', relevant: ['아동수당'] },
  { kind: 'name', q: '에너지바우처', relevant: ['에너지바우처'] },
  { kind: 'name', q: '첫만남이용권', relevant: ['첫만남이용권'] },
  { kind: 'name', q: '희망리턴패키지', relevant: ['희망리턴패키지'] },
  { kind: 'name', q: '서울시 청년월세지원', relevant: ['서울시 청년월세지원'] },
  { kind: 'name', q: '부모급여', relevant: ['부모급여'] },
  { kind: 'name', q: '근로장려금', relevant: ['근로장려금'] },
  { kind: 'name', q: '주거급여', relevant: ['주거급여'] },
  { kind: 'name', q: '청년 문화예술패스', relevant: [/문화예술패스/] },
  { kind: 'name', q: '난임부부 시술비 지원', relevant: ['난임부부 시술비 지원'] },

  // Topics, as typed into a search box.
  { kind: 'topic', q: '청년 월세 지원', relevant: [/월세/] },
  { kind: 'topic', q: '구직활동 지원금', relevant: [/구직활동 지원금/] },
  { kind: 'topic', q: '면접수당', relevant: [/면접수당/] },
  { kind: 'topic', q: '자격증 응시료', relevant: [/자격증 응시료/] },
  { kind: 'topic', q: '어학시험 응시료 지원', relevant: [/어학시험 응시료/] },
  { kind: 'topic', q: '청년 전세보증금 이자 지원', relevant: [/전세보증금 이자|청년 전세 대출이자/] },
  { kind: 'topic', q: '청년 건강검진', relevant: [/청년 건강검진/] },
  { kind: 'topic', q: '마음건강 바우처', relevant: [/마음건강/] },
  { kind: 'topic', q: '산후조리비', relevant: [/산후조리비/] },
  { kind: 'topic', q: '출산장려금', relevant: [/출산장려금/] },
  { kind: 'topic', q: '운전면허 취득 지원', relevant: [/운전면허/] },
  { kind: 'topic', q: '청년 창업 지원금', relevant: [/청년 창업|창업공간/] },
  { kind: 'topic', q: '이사비 지원', relevant: [/이사비/] },
  { kind: 'topic', q: '교통비 지원', relevant: [/교통비/] },
  { kind: 'topic', q: '교복 구입비', relevant: [/교복/] },
  { kind: 'topic', q: '노인 일자리', relevant: [/노인 일자리/] },

  // Paraphrases: the words differ from the titles'.
  { kind: 'paraphrase', q: '월세 부담을 덜어 주는 정책', relevant: [/월세/] },
  { kind: 'paraphrase', q: '면접 볼 때 정장 빌려주는 곳', relevant: [/면접 정장/] },
  { kind: 'paraphrase', q: '빚 때문에 힘들어요 채무조정', relevant: [/채무조정/] },
  { kind: 'paraphrase', q: '1:1 취업 상담 받고 싶어요', relevant: [/취업 컨설팅/] },
  { kind: 'paraphrase', q: '아이 낳으면 받는 돈', intent: 'money for a birth', relevant: [/출산장려금|첫만남이용권|부모급여/] },
  { kind: 'paraphrase', q: '집세 지원', intent: 'rent (집세 is 월세 in other words)', relevant: [/월세/] },
  { kind: 'paraphrase', q: '저축하면 돈 보태주는 통장', relevant: [/자산형성 통장|청년도약계좌/] },

  // Age, region and status.
  { kind: 'filtered', q: '청년 월세 지원', region: '서울', relevant: [/월세/] },
  { kind: 'filtered', q: '구직활동 지원금', region: '서울 용산구', relevant: [/구직활동 지원금/] },
  { kind: 'filtered', q: '면접수당', age: 25, region: '경기', relevant: [/면접수당/] },
  { kind: 'filtered', q: '청년 건강검진', age: 30, region: '서울 송파구', relevant: [/청년 건강검진/] },
  { kind: 'filtered', q: '자격증 응시료', region: '대구', status: 'open', relevant: [/자격증 응시료/] },
  { kind: 'filtered', q: '출산장려금', region: '서울 서초구', relevant: [/출산장려금/] },
  { kind: 'filtered', q: '전세보증금 이자 지원', age: 25, region: '인천 남동구', relevant: [/전세보증금 이자|청년 전세 대출이자/] },

  // Nothing in the data answers these: the right answer is an empty list.
  { kind: 'none', q: '대학생 장학금', relevant: [] },
  { kind: 'none', q: '반려동물', relevant: [] },
  { kind: 'none', q: 'zzzz', relevant: [] },
  { kind: 'none', q: 'zzzz', region: '서울', relevant: [] },
  { kind: 'none', q: '자동차 보험료', relevant: [] },
  { kind: 'none', q: '해외 유학 지원', relevant: [] },
  { kind: 'none', q: '골프 레슨', relevant: [] },
  { kind: 'none', q: '비트코인 투자', relevant: [] },
  { kind: 'none', q: '결혼식장 대관', relevant: [] },
  { kind: 'none', q: '중고차 구매 보조금', relevant: [] },
  { kind: 'none', q: 'asdf qwer', relevant: [] },
  { kind: 'none', q: '스키장 시즌권', relevant: [] },
  { kind: 'none', q: '청년 월세 지원', age: 45, intent: 'every rent programme is for 19–39', relevant: [] },
  { kind: 'none', q: '노인 일자리', age: 30, intent: 'senior jobs are for 65+', relevant: [] },
  { kind: 'none', q: '면접 정장 대여', age: 50, intent: 'the suit loans are for 18–39', relevant: [] },
];

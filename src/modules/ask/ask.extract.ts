import { parseRegion, SIDO_LIST, type Region } from '../../utils/regions.ts';

/**
 * Reads the search filters a person states in a Korean question ("서울 사는 27살인데 월세 지원 받을
 * 수 있어?" → age 27, region 서울) and what is left to search for. Pure functions, no I/O: the
 * phrasings it knows are listed in test/ask/extract.test.ts.
 */
export interface ExtractedQuestion {
  /** 만 나이 stated in the question (`27살`, `만 27세`, `스물일곱`, `99년생`). */
  age: number | undefined;
  /** The place stated (`서울`, `부산 해운대구`, `강남구`, `수원에 사는`). */
  region: Region | undefined;
  /** "지금 신청 가능한", "모집 중인": only what one can apply to today. */
  openNow: boolean;
  /** The question without the filter phrases and filler words: what to search for (may be empty). */
  topic: string;
  /** Which part of a programme a follow-up asks about (`그거 신청 방법은?` → applyMethod). */
  aspect: Aspect | undefined;
  /** A pointer back at the previous answer (`그거`, `첫 번째`, `2번`). */
  refersBack: boolean;
  /** `첫 번째`, `2번` → 0, 1: which of the previous answer's programmes. */
  ordinal: number | undefined;
}

/** The parts of a programme a follow-up may ask about, each a field of the stored document. */
export const ASPECTS = {
  applyMethod: { label: '신청 방법', pattern: /신청\s*(?:방법|절차|하는\s*법|어떻게)|어떻게\s*(?:신청|지원|접수)|(?:신청|접수)\s*(?:은|는)?\s*어디/ },
  documents: { label: '구비서류', pattern: /서류|준비물|제출/ },
  contact: { label: '문의처', pattern: /문의|연락처|전화|담당/ },
  period: { label: '신청 기간', pattern: /기간|언제|마감|까지/ },
  target: { label: '지원 대상', pattern: /대상|자격|조건|누가|받을\s*수\s*있는\s*사람/ },
  content: { label: '지원 내용', pattern: /내용|얼마|금액|혜택|뭘\s*주|무엇을\s*주|지원\s*금액/ },
} as const;
export type Aspect = keyof typeof ASPECTS;

const TENS: Readonly<Record<string, number>> = { 열: 10, 스물: 20, 스무: 20, 서른: 30, 마흔: 40, 쉰: 50, 예순: 60 };
const UNITS: Readonly<Record<string, number>> = { 한: 1, 두: 2, 세: 3, 네: 4, 다섯: 5, 여섯: 6, 일곱: 7, 여덟: 8, 아홉: 9 };
const NATIVE_AGE = new RegExp(`(${Object.keys(TENS).join('|')})(${Object.keys(UNITS).join('|')})?\\s*살`);
// A number of years that belongs to someone else (`3살 아이`, `7살 딸`) is not the asker's age.
const NOT_MINE = /^\s*(?:짜리\s*)?(?:아이|아기|애기|애|자녀|딸|아들|동생|조카|손주|아동)/;
const DIGIT_AGE = /(?:만\s*)?(\d{1,3})\s*(?:세|살)(?!대)/g;
const BIRTH_YEAR = /(\d{4}|\d{2})\s*년\s*생/;
const AGE_IS = /나이(?:는|가)?\s*(?:만\s*)?(\d{1,3})(?!\s*(?:년|월|일|만원|원))/;

/** The asker's 만 나이 in the question, and the text it was read from. */
function ageIn(question: string, now: Date): { age: number; span: string } | undefined {
  for (const match of question.matchAll(DIGIT_AGE)) {
    const after = question.slice(match.index + match[0].length);
    if (NOT_MINE.test(after)) continue;
    const age = Number(match[1]);
    if (age <= 120) return { age, span: match[0] };
  }
  const native = NATIVE_AGE.exec(question);
  if (native && !NOT_MINE.test(question.slice(native.index + native[0].length))) {
    return { age: (TENS[native[1] ?? ''] ?? 0) + (UNITS[native[2] ?? ''] ?? 0), span: native[0] };
  }
  const birth = BIRTH_YEAR.exec(question);
  if (birth?.[1]) {
    const year = now.getUTCFullYear();
    let born = Number(birth[1]);
    // Two digits: this century unless that would be in the future (`99년생` → 1999, `03년생` → 2003).
    if (birth[1].length === 2) born += born + 2000 > year ? 1900 : 2000;
    // The age reached this year: the birthday may not have come yet, and a programme's 만 나이 bound
    // is usually checked on the application day, so this is the age that day would be at most.
    const age = year - born;
    if (age >= 0 && age <= 120) return { age, span: birth[0] };
  }
  const stated = AGE_IS.exec(question);
  if (stated?.[1] && Number(stated[1]) <= 120) return { age: Number(stated[1]), span: stated[0] };
  return undefined;
}

/** What may follow a place name in a question: particles and "live in" words. */
const PLACE_TAIL = /^(?:특별시|광역시|특별자치시|특별자치도|도|시)?(?:에서|에|의|쪽|지역|사는|살고|살아|거주|시민|구민|군민|도민|사람|청년|은|는|이|가|도|이고|이며|인데|[,.?!]|$)/;
/** After a 시군구 stem alone, only a locative: `예산이 남은` is money, `예산에 사는` a place. */
const STEM_TAIL = /^(?:에서|에|쪽|지역|사는|살고|살아|거주|시민|구민|군민|[,.?!])/;
/** Words that make a bare place name something else: `경기 침체` is the economy. */
const NOT_PLACE_NEXT = /^(?:침체|불황|회복|부양|일정|결과|중계|관람|도중|악화|둔화|부진|호황)/;
/** The next word that makes a bare stem a place: `창원 청년`, `강남 사는`. */
const PLACE_NEXT = /^(?:사는|살고|살아|거주|청년|주민|시민|구민|군민|지역)/;

interface PlaceName {
  name: string;
  region: Region;
  /** `short`: a 시도's short name (a word on its own too); `stem`: a 시군구 without 시/군/구. */
  kind: 'full' | 'short' | 'stem';
}

/** Every 시도 and 시군구 name people write, longest first. Stems unique in the country only. */
const PLACES: readonly PlaceName[] = (() => {
  const places: PlaceName[] = [];
  const stems = new Map<string, Region[]>();
  for (const sido of SIDO_LIST) {
    for (const name of [sido.name, ...sido.aliases]) places.push({ name, region: { sido: sido.short, sigungu: null }, kind: 'full' });
    places.push({ name: sido.short, region: { sido: sido.short, sigungu: null }, kind: 'short' });
    for (const entry of sido.sigungu) {
      const region = { sido: sido.short, sigungu: entry.name };
      places.push({ name: entry.name, region, kind: 'full' });
      const stem = entry.name.slice(0, -1);
      if (stem.length >= 2) stems.set(stem, [...(stems.get(stem) ?? []), region]);
    }
  }
  const sidoShorts = new Set(SIDO_LIST.map((sido) => sido.short));
  for (const [stem, regions] of stems) {
    const [only] = regions;
    if (regions.length === 1 && only && !sidoShorts.has(stem)) places.push({ name: stem, region: only, kind: 'stem' });
  }
  return places.sort((a, b) => b.name.length - a.name.length);
})();

/** A 시군구 name (full or stem) of `sido` at the start of `text`. */
function sigunguAt(sido: string, text: string): { sigungu: string; length: number } | undefined {
  const entries = SIDO_LIST.find((entry) => entry.short === sido)?.sigungu ?? [];
  for (const entry of [...entries].sort((a, b) => b.name.length - a.name.length)) {
    if (text.startsWith(entry.name)) return { sigungu: entry.name, length: entry.name.length };
  }
  for (const entry of entries) {
    const stem = entry.name.slice(0, -1);
    if (stem.length >= 2 && text.startsWith(stem) && PLACE_TAIL.test(text.slice(stem.length))) return { sigungu: entry.name, length: stem.length };
  }
  return undefined;
}

function isPlaceHere(place: PlaceName, tail: string, next: string): boolean {
  if (place.kind === 'full') return true;
  if (place.kind === 'short') return PLACE_TAIL.test(tail) && !(tail === '' && NOT_PLACE_NEXT.test(next));
  return STEM_TAIL.test(tail) || (tail === '' && PLACE_NEXT.test(next));
}

/** The place named in the question: a 시도 (and a 시군구 of it right after), or a 시군구 alone. */
function regionIn(question: string): { region: Region; spans: string[] } | undefined {
  const words = question.split(/\s+/).filter((word) => word.length > 0);
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (word.startsWith('전국')) return { region: { sido: null, sigungu: null }, spans: [word] };
    const next = words[index + 1] ?? '';
    const place = PLACES.find((candidate) => word.startsWith(candidate.name) && isPlaceHere(candidate, word.slice(candidate.name.length), next));
    if (!place) continue;
    const spans = [word];
    let region = place.region;
    if (place.region.sido && !place.region.sigungu) {
      // `서울강남구`, `서울 강남구에`, `경기도 수원시`.
      const rest = word.slice(place.name.length).replace(/^(?:특별시|광역시|특별자치시|특별자치도|도|시)/, '');
      const inWord = rest ? sigunguAt(place.region.sido, rest) : undefined;
      const inNext = !inWord && next ? sigunguAt(place.region.sido, next) : undefined;
      if (inWord) region = { sido: place.region.sido, sigungu: inWord.sigungu };
      else if (inNext) {
        region = { sido: place.region.sido, sigungu: inNext.sigungu };
        spans.push(next);
      }
    }
    return { region, spans };
  }
  return undefined;
}

const OPEN_NOW = /(?:지금|현재|당장|오늘)\s*(?:바로\s*)?(?:신청|지원|접수|받을\s*수|받을수)|(?:신청|접수|지원)\s*(?:이\s*)?(?:가능\S*|할\s*수\s*있\S*|할수\s*있\S*|받는\s*중)|(?:모집|접수|신청)\s*(?:중|하는\s*중)(?:인|이|$|\s)|마감\s*(?:안\s*된|전인|되지\s*않은)/;

const REFERS_BACK = /그거|그것|그건|그게|그걸|그\s*정책|그\s*중|그중|거기|이거|이것|위에|위의|방금|앞에서|말한|말씀하신|첫\s*번째|두\s*번째|세\s*번째|네\s*번째|다섯\s*번째|\d\s*번(?!\s*째?\s*(?:버스|출구))/;
const ORDINALS: readonly [RegExp, number][] = [
  [/첫\s*번째|1\s*번/, 0],
  [/두\s*번째|2\s*번/, 1],
  [/세\s*번째|3\s*번/, 2],
  [/네\s*번째|4\s*번/, 3],
  [/다섯\s*번째|5\s*번/, 4],
];

/**
 * Words of a question that say nothing about the topic: the asker, "live", "can I get", question
 * endings. The search would count an unknown one as a missing term and find less.
 */
const FILLER = new Set(
  `저 제가 저는 나 나는 내가 우리 저희 혹시 좀 그냥 진짜 정말 지금 현재 당장 오늘 요즘 사는 살고 살아요 있는데 있어요 거주 거주하는 거주중 거주중인데 사는데 사람 주민
   인데 인데요 이에요 예요 입니다 이고 받을 받을수 받을 수 있어 있어요 있나요 있을까요 있는지 있는 없나요 없을까요 알려줘 알려주세요 알려 주세요
   추천 추천해줘 추천해 주세요 뭐가 뭐 무엇이 어떤 어떤게 무슨 거 것 게 있 수 해줘 주세요 궁금해요 궁금합니다 가능 가능한 가능해 가능할까요 가능한가요
   신청 신청할 접수 모집 중 중인 하는 할 해당 대상 되나요 될까요 돼요 되는 청년인데 청년이에요 학생인데 만 나이 세 살 년생 그거 그것 그건 그게
   그걸 그 이거 이것 위에 위의 방금 앞에서 말한 번째 번 은 는 이 가 을 를 에 의 도 요`.split(/\s+/),
);

/** Ending particles stripped from a word before the filler check (`월세는` → `월세`). */
const PARTICLE = /(?:은|는|이|가|을|를|에|에서|도|요|이요|인가요|인데|이랑|랑|하고|으로|로)$/;

function topicOf(question: string, spans: readonly string[], refersBack: boolean): string {
  let rest = question;
  for (const span of spans) rest = rest.replace(span, ' ');
  rest = rest.replace(OPEN_NOW, ' ');
  // In a follow-up the aspect words are the question about the previous answer, not a new topic.
  if (refersBack) for (const { pattern } of Object.values(ASPECTS)) rest = rest.replace(pattern, ' ');
  rest = rest.replace(REFERS_BACK, ' ');
  const words = rest
    .replace(/[?!.,~…·'"“”‘’()[\]]/g, ' ')
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .filter((word) => !FILLER.has(word) && !FILLER.has(word.replace(PARTICLE, '')) && !/^\d+(?:살|세)?$/.test(word));
  return words.join(' ');
}

/** The filters, follow-up markers and search words of one question. `now` dates `99년생`. */
export function extractQuestion(question: string, now: Date = new Date()): ExtractedQuestion {
  const text = question.normalize('NFC').trim();
  const age = ageIn(text, now);
  const place = regionIn(text);
  const openNow = OPEN_NOW.test(text);
  const aspect = (Object.keys(ASPECTS) as Aspect[]).find((key) => ASPECTS[key].pattern.test(text));
  const refersBack = REFERS_BACK.test(text);
  const ordinal = refersBack ? ORDINALS.find(([pattern]) => pattern.test(text))?.[1] : undefined;
  const spans = [...(age ? [age.span] : []), ...(place?.spans ?? [])];
  return { age: age?.age, region: place?.region, openNow, topic: topicOf(text, spans, refersBack), aspect, refersBack, ordinal };
}

/** A profile's region as stored or sent (`서울`, `서울 강남구`); undefined when it names none. */
export function profileRegion(text: string | undefined): Region | undefined {
  return text ? parseRegion(text) : undefined;
}

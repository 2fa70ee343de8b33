/**
 * Korean administrative regions as a hierarchy: 전국 → 시도 (17) → 시군구 (226 autonomous ones, plus
 * 제주's two administrative cities and 인천's three districts of July 2026). Pure data and lookups,
 * shared by collection (dataload), search (policies), the profile (accounts) and question parsing
 * (ask): it lives in `src/utils` so none of them has to import another module to use it.
 *
 * Codes are the first five digits of the 법정동코드 (the `zipCd` 온통청년 sends): two digits of
 * 시도, three of 시군구. 강원 (42 → 51, 2023) and 전북 (45 → 52, 2024) changed their 시도 code when
 * they became 특별자치도; the old prefixes are still read, with the same last three digits.
 */

/** A region: `sido` is the short key (`서울`), `null` meaning 전국; `sigungu` is a full name (`강남구`). */
export interface Region {
  sido: string | null;
  sigungu: string | null;
}

export interface SigunguEntry {
  /** Five-digit 법정동 code; `null` where none is known here yet (인천's 2026 districts). */
  code: string | null;
  /** Full name as written in addresses: `강남구`, `수원시`, `달성군`. */
  name: string;
}

export interface SidoEntry {
  /** Two-digit 법정동 code. */
  code: string;
  /** Former codes still found in data (강원 42, 전북 45). */
  legacyCodes: readonly string[];
  /** Official name: `서울특별시`. */
  name: string;
  /** The short key used everywhere else: `서울`. */
  short: string;
  /** Other names people and sources write: `서울시`, `강원도`, `전라북도`. */
  aliases: readonly string[];
  sigungu: readonly SigunguEntry[];
}

export const NATIONWIDE: Region = Object.freeze({ sido: null, sigungu: null });

/** `"11110:종로구 11140:중구"` → entries; `-` stands for "no code known". */
function table(spec: string): SigunguEntry[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((pair) => {
      const [code = '', name = ''] = pair.split(':');
      return { code: code === '-' ? null : code, name };
    });
}

/** The 17 시도 in the order statistics use, each with every 시군구 (checked per 시도 in the tests). */
export const SIDO_LIST: readonly SidoEntry[] = [
  {
    code: '11', legacyCodes: [], name: '서울특별시', short: '서울', aliases: ['서울시'],
    sigungu: table(`
      11110:종로구 11140:중구 11170:용산구 11200:성동구 11215:광진구 11230:동대문구 11260:중랑구 11290:성북구
      11305:강북구 11320:도봉구 11350:노원구 11380:은평구 11410:서대문구 11440:마포구 11470:양천구 11500:강서구
      11530:구로구 11545:금천구 11560:영등포구 11590:동작구 11620:관악구 11650:서초구 11680:강남구 11710:송파구
      11740:강동구`),
  },
  {
    code: '26', legacyCodes: [], name: '부산광역시', short: '부산', aliases: ['부산시'],
    sigungu: table(`
      26110:중구 26140:서구 26170:동구 26200:영도구 26230:부산진구 26260:동래구 26290:남구 26320:북구
      26350:해운대구 26380:사하구 26410:금정구 26440:강서구 26470:연제구 26500:수영구 26530:사상구 26710:기장군`),
  },
  {
    code: '27', legacyCodes: [], name: '대구광역시', short: '대구', aliases: ['대구시'],
    // 군위군 moved from 경북 (47720) to 대구 in July 2023.
    sigungu: table(`
      27110:중구 27140:동구 27170:서구 27200:남구 27230:북구 27260:수성구 27290:달서구 27710:달성군 27720:군위군`),
  },
  {
    code: '28', legacyCodes: [], name: '인천광역시', short: '인천', aliases: ['인천시'],
    // From 2026-07-01 중구 and 동구 become 제물포구 and 영종구, and 검단구 splits from 서구; sources
    // will use both sets of names for a while, so both are known (the new ones without a code here).
    sigungu: table(`
      28110:중구 28140:동구 28177:미추홀구 28185:연수구 28200:남동구 28237:부평구 28245:계양구 28260:서구
      28710:강화군 28720:옹진군 -:제물포구 -:영종구 -:검단구`),
  },
  {
    code: '29', legacyCodes: [], name: '광주광역시', short: '광주', aliases: [],
    // No `광주시` alias: that is 경기도 광주시.
    sigungu: table(`29110:동구 29140:서구 29155:남구 29170:북구 29200:광산구`),
  },
  {
    code: '30', legacyCodes: [], name: '대전광역시', short: '대전', aliases: ['대전시'],
    sigungu: table(`30110:동구 30140:중구 30170:서구 30200:유성구 30230:대덕구`),
  },
  {
    code: '31', legacyCodes: [], name: '울산광역시', short: '울산', aliases: ['울산시'],
    sigungu: table(`31110:중구 31140:남구 31170:동구 31200:북구 31710:울주군`),
  },
  // 세종 is single-tier: it has no 시군구.
  { code: '36', legacyCodes: [], name: '세종특별자치시', short: '세종', aliases: ['세종시'], sigungu: [] },
  {
    code: '41', legacyCodes: [], name: '경기도', short: '경기', aliases: [],
    sigungu: table(`
      41110:수원시 41130:성남시 41150:의정부시 41170:안양시 41190:부천시 41210:광명시 41220:평택시 41250:동두천시
      41270:안산시 41280:고양시 41290:과천시 41310:구리시 41360:남양주시 41370:오산시 41390:시흥시 41410:군포시
      41430:의왕시 41450:하남시 41460:용인시 41480:파주시 41500:이천시 41550:안성시 41570:김포시 41590:화성시
      41610:광주시 41630:양주시 41650:포천시 41670:여주시 41800:연천군 41820:가평군 41830:양평군`),
  },
  {
    code: '51', legacyCodes: ['42'], name: '강원특별자치도', short: '강원', aliases: ['강원도'],
    sigungu: table(`
      51110:춘천시 51130:원주시 51150:강릉시 51170:동해시 51190:태백시 51210:속초시 51230:삼척시 51720:홍천군
      51730:횡성군 51750:영월군 51760:평창군 51770:정선군 51780:철원군 51790:화천군 51800:양구군 51810:인제군
      51820:고성군 51830:양양군`),
  },
  {
    code: '43', legacyCodes: [], name: '충청북도', short: '충북', aliases: [],
    sigungu: table(`
      43110:청주시 43130:충주시 43150:제천시 43720:보은군 43730:옥천군 43740:영동군 43745:증평군 43750:진천군
      43760:괴산군 43770:음성군 43800:단양군`),
  },
  {
    code: '44', legacyCodes: [], name: '충청남도', short: '충남', aliases: [],
    sigungu: table(`
      44130:천안시 44150:공주시 44180:보령시 44200:아산시 44210:서산시 44230:논산시 44250:계룡시 44270:당진시
      44710:금산군 44760:부여군 44770:서천군 44790:청양군 44800:홍성군 44810:예산군 44825:태안군`),
  },
  {
    code: '52', legacyCodes: ['45'], name: '전북특별자치도', short: '전북', aliases: ['전라북도'],
    sigungu: table(`
      52110:전주시 52130:군산시 52140:익산시 52180:정읍시 52190:남원시 52210:김제시 52710:완주군 52720:진안군
      52730:무주군 52740:장수군 52750:임실군 52770:순창군 52790:고창군 52800:부안군`),
  },
  {
    code: '46', legacyCodes: [], name: '전라남도', short: '전남', aliases: [],
    sigungu: table(`
      46110:목포시 46130:여수시 46150:순천시 46170:나주시 46230:광양시 46710:담양군 46720:곡성군 46730:구례군
      46770:고흥군 46780:보성군 46790:화순군 46800:장흥군 46810:강진군 46820:해남군 46830:영암군 46840:무안군
      46860:함평군 46870:영광군 46880:장성군 46890:완도군 46900:진도군 46910:신안군`),
  },
  {
    code: '47', legacyCodes: [], name: '경상북도', short: '경북', aliases: [],
    sigungu: table(`
      47110:포항시 47130:경주시 47150:김천시 47170:안동시 47190:구미시 47210:영주시 47230:영천시 47250:상주시
      47280:문경시 47290:경산시 47730:의성군 47750:청송군 47760:영양군 47770:영덕군 47820:청도군 47830:고령군
      47840:성주군 47850:칠곡군 47900:예천군 47920:봉화군 47930:울진군 47940:울릉군`),
  },
  {
    code: '48', legacyCodes: [], name: '경상남도', short: '경남', aliases: [],
    sigungu: table(`
      48120:창원시 48170:진주시 48220:통영시 48240:사천시 48250:김해시 48270:밀양시 48310:거제시 48330:양산시
      48720:의령군 48730:함안군 48740:창녕군 48820:고성군 48840:남해군 48850:하동군 48860:산청군 48870:함양군
      48880:거창군 48890:합천군`),
  },
  {
    code: '50', legacyCodes: [], name: '제주특별자치도', short: '제주', aliases: [],
    // Administrative cities, not autonomous ones, but sources and people name them like any 시.
    sigungu: table(`50110:제주시 50130:서귀포시`),
  },
];

const BY_SHORT = new Map(SIDO_LIST.map((sido) => [sido.short, sido]));
const BY_CODE = new Map(SIDO_LIST.flatMap((sido) => [sido.code, ...sido.legacyCodes].map((code) => [code, sido] as const)));
/** Every name of a 시도, longest first so `광주광역시` wins over `광주`. */
const SIDO_NAMES: readonly (readonly [string, SidoEntry])[] = SIDO_LIST.flatMap((sido) =>
  [sido.name, ...sido.aliases, sido.short].map((name) => [name, sido] as const),
).sort((a, b) => b[0].length - a[0].length);
const SIGUNGU_BY_CODE = new Map(
  SIDO_LIST.flatMap((sido) =>
    sido.sigungu.flatMap((entry) => {
      if (!entry.code) return [];
      const suffix = entry.code.slice(2);
      return [sido.code, ...sido.legacyCodes].map((prefix) => [`${prefix}${suffix}`, { sido: sido.short, sigungu: entry.name }] as const);
    }),
  ),
);

/** `강남구` → `강남`; one-letter stems (`중`, `서`) are too ambiguous to use. */
function stemOf(name: string): string | undefined {
  const stem = name.slice(0, -1);
  return stem.length >= 2 ? stem : undefined;
}

interface NameHit {
  name: string;
  /** A stem (`강남` of 강남구) counts only before an institution word: `강남고용센터`, not `강남역`. */
  isStem: boolean;
  region: Region;
}

/** What may follow a 시군구 stem in an institution's name (`창원고용센터`, `수원지청`, `김해시청`). */
const AFTER_STEM = /^(?:시|군|구|청|고용|지청|센터|일자리)/;

function namesAt(token: string, hit: NameHit): boolean {
  if (!token.startsWith(hit.name)) return false;
  return !hit.isStem || AFTER_STEM.test(token.slice(hit.name.length));
}

function byLengthDesc(a: NameHit, b: NameHit): number {
  return b.name.length - a.name.length;
}

/** Full names and stems that name exactly one 시군구 in the whole country (`강남구`, `창원`). */
const UNIQUE_SIGUNGU: readonly NameHit[] = (() => {
  const seen = new Map<string, NameHit[]>();
  for (const sido of SIDO_LIST) {
    for (const entry of sido.sigungu) {
      const region = { sido: sido.short, sigungu: entry.name };
      const stem = stemOf(entry.name);
      for (const hit of [{ name: entry.name, isStem: false, region }, ...(stem ? [{ name: stem, isStem: true, region }] : [])]) {
        seen.set(hit.name, [...(seen.get(hit.name) ?? []), hit]);
      }
    }
  }
  // A stem equal to a 시도 short name (경기 광주시 → 광주) must not shadow the 시도.
  return [...seen]
    .filter(([name, hits]) => hits.length === 1 && !BY_SHORT.has(name))
    .map(([, hits]) => hits[0] as NameHit)
    .sort(byLengthDesc);
})();

/** The names of a 시도's 시군구 (full names and the stems unique within it), longest first. */
const SIGUNGU_NAMES_IN: ReadonlyMap<string, readonly NameHit[]> = new Map(
  SIDO_LIST.map((sido) => {
    const counts = new Map<string, number>();
    for (const entry of sido.sigungu) {
      const stem = stemOf(entry.name);
      if (stem) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    }
    const hits: NameHit[] = [];
    for (const entry of sido.sigungu) {
      const region = { sido: sido.short, sigungu: entry.name };
      hits.push({ name: entry.name, isStem: false, region });
      const stem = stemOf(entry.name);
      if (stem && counts.get(stem) === 1) hits.push({ name: stem, isStem: true, region });
    }
    return [sido.short, hits.sort(byLengthDesc)] as const;
  }),
);

/** The 시도 named exactly by `text` (`서울`, `서울특별시`, `강원도`) or by its code (`11`, `42`). */
export function findSido(text: string): SidoEntry | undefined {
  const trimmed = text.trim();
  return SIDO_NAMES.find(([name]) => name === trimmed)?.[1] ?? BY_CODE.get(trimmed);
}

/** The 시도 of a short key (`서울`); undefined for `전국` or an unknown key. */
export function sidoOf(short: string): SidoEntry | undefined {
  return BY_SHORT.get(short);
}

/**
 * The region of one 법정동 code: `11680` → 서울 강남구, `41000` or `41` → 경기 (whole), a 10-digit
 * code by its first five digits. A 일반구 code (`41135`, 성남시 분당구) resolves to its city (`41130`).
 * Undefined when the 시도 is unknown.
 */
export function regionOfCode(code: string): Region | undefined {
  const digits = code.trim();
  if (!/^\d{2}(?:\d{3}(?:\d{5})?)?$/.test(digits)) return undefined;
  const sido = BY_CODE.get(digits.slice(0, 2));
  if (!sido) return undefined;
  const five = digits.slice(0, 5);
  const whole = { sido: sido.short, sigungu: null };
  if (five.length === 2 || five.endsWith('000')) return whole;
  // An unknown 시군구 code of a known 시도 (세종's 36110, a district created after this table) is
  // read as the whole 시도: a wider match, never a wrong place.
  return SIGUNGU_BY_CODE.get(five) ?? SIGUNGU_BY_CODE.get(`${five.slice(0, 4)}0`) ?? whole;
}

/**
 * The region a list of codes covers (온통청년 `zipCd`, comma-separated): one 시군구 → it; several
 * 시군구 of one 시도 → the whole 시도; several 시도 → 전국 (a policy of a few 시도 is rare, and a
 * wider match beats hiding it). Undefined when no code is known.
 */
export function regionOfCodes(codes: string | readonly string[]): Region | undefined {
  const list = typeof codes === 'string' ? codes.split(',') : codes;
  const regions = list.map((code) => regionOfCode(code)).filter((region): region is Region => region !== undefined);
  const first = regions[0];
  if (!first) return undefined;
  if (regions.some((region) => region.sido !== first.sido)) return NATIONWIDE;
  if (first.sigungu && regions.every((region) => region.sigungu === first.sigungu)) return first;
  return { sido: first.sido, sigungu: null };
}

/** The 시군구 of `sido` named at the start of one of `tokens`, if any. */
function sigunguIn(sido: string, tokens: readonly string[]): string | null {
  const names = SIGUNGU_NAMES_IN.get(sido) ?? [];
  for (const token of tokens) {
    const hit = names.find((candidate) => namesAt(token, candidate));
    if (hit) return hit.region.sigungu;
  }
  return null;
}

/**
 * The region an institution or address names (`서울특별시 강남구`, `경기도 수원시청`,
 * `서울강남고용센터`, `창원고용센터`): a 시도 at the start, then a 시군구 of it; without a 시도, a 시군구
 * whose name or stem is unique in the country at the start. Anything else is 전국 (`보건복지부`).
 * Only for names: free text (`예산 소진 시까지` starts with the stem of 예산군) would mislead it.
 */
export function regionInText(text: string): Region {
  const trimmed = text.trim();
  if (trimmed.startsWith('전국')) return NATIONWIDE;
  const sidoHit = SIDO_NAMES.find(([name]) => trimmed.startsWith(name));
  if (sidoHit) {
    const [name, sido] = sidoHit;
    const tokens = trimmed.slice(name.length).split(/[\s,·()]+/).filter((token) => token.length > 0);
    return { sido: sido.short, sigungu: sigunguIn(sido.short, tokens) };
  }
  const firstToken = trimmed.split(/[\s,·()]+/)[0] ?? '';
  return UNIQUE_SIGUNGU.find((hit) => namesAt(firstToken, hit))?.region ?? NATIONWIDE;
}

/**
 * A region as a person types it in a query or profile: `전국`, `서울`, `서울특별시`, `서울 강남구`,
 * `경기 성남시 분당구` (the 일반구 is read as its city), or a 시군구 alone when its name is unique
 * (`강남구`, `수원시`). Undefined when it names no region or an ambiguous one (`중구`).
 */
export function parseRegion(text: string): Region | undefined {
  const tokens = text.trim().split(/\s+/).filter((token) => token.length > 0);
  const [first, second, third, ...rest] = tokens;
  if (!first || rest.length > 0) return undefined;
  if (first === '전국') return tokens.length === 1 ? NATIONWIDE : undefined;
  const sido = findSido(first);
  if (!sido) {
    if (second) return undefined;
    return UNIQUE_SIGUNGU.find((hit) => !hit.isStem && hit.name === first)?.region;
  }
  if (!second) return { sido: sido.short, sigungu: null };
  const names = SIGUNGU_NAMES_IN.get(sido.short) ?? [];
  const hit = names.find(({ name }) => name === second);
  if (!hit) return undefined;
  if (third !== undefined && !(hit.region.sigungu?.endsWith('시') && /구$/.test(third))) return undefined;
  return hit.region;
}

/**
 * Whether a document for `doc` concerns a person asking about `query`: a 전국 document always; a
 * document of the same 시도 when it covers the whole 시도, or when the query names no 시군구, or names
 * the same one. A query for 전국 itself asks for nationwide documents only.
 * `서울 강남구` matches 전국, 서울 and 서울 강남구; not 서울 마포구, not 부산.
 */
export function regionMatches(doc: Region, query: Region): boolean {
  if (doc.sido === null) return true;
  if (query.sido === null || doc.sido !== query.sido) return false;
  if (query.sigungu === null || doc.sigungu === null) return true;
  return doc.sigungu === query.sigungu;
}

/** The display name: `서울특별시 강남구`, `경기도`, `전국`. */
export function regionLabel(region: Region): string {
  if (region.sido === null) return '전국';
  const name = BY_SHORT.get(region.sido)?.name ?? region.sido;
  return region.sigungu ? `${name} ${region.sigungu}` : name;
}

/** Short keys of every 시도, in order, for forms (`전국` is not among them). */
export const SIDO_KEYS: readonly string[] = SIDO_LIST.map((sido) => sido.short);

/** The 시군구 names of a 시도 key, for a second select in forms; empty for 세종 or an unknown key. */
export function sigunguNames(sido: string): readonly string[] {
  return BY_SHORT.get(sido)?.sigungu.map((entry) => entry.name) ?? [];
}

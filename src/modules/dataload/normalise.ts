import { createHash } from 'node:crypto';
import { SOURCE_INFO, type PolicyDocument } from './dataload.types.ts';

/**
 * A source value as clean text: numbers become strings, the APIs' blank `" "` becomes empty,
 * `\r\n` becomes `\n`, and runs of blank lines and spaces shrink.
 */
export function clean(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A `||`-joined multi-value as a list of clean values. */
export function splitMulti(value: unknown): string[] {
  return clean(value)
    .split('||')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** `20260701` → `2026-07-01`; anything else is returned cleaned. */
export function formatYmd(value: unknown): string {
  const text = clean(value);
  const match = /^(\d{4})(\d{2})(\d{2})/.exec(text);
  return match ? `${match[1] ?? ''}-${match[2] ?? ''}-${match[3] ?? ''}` : text;
}

/** `20201217142613` or `2026-09-08 09:13:11` → `2020-12-17` (the day is what people read). */
export function formatDate(value: unknown): string {
  const text = clean(value);
  const compact = /^(\d{4})(\d{2})(\d{2})\d{0,6}$/.exec(text);
  if (compact) return `${compact[1] ?? ''}-${compact[2] ?? ''}-${compact[3] ?? ''}`;
  const dashed = /^(\d{4}-\d{2}-\d{2})/.exec(text);
  return dashed ? (dashed[1] ?? '') : '';
}

const REGIONS: readonly (readonly [string, readonly string[]])[] = [
  ['서울', ['서울특별시', '서울']],
  ['부산', ['부산광역시', '부산']],
  ['대구', ['대구광역시', '대구']],
  ['인천', ['인천광역시', '인천']],
  ['광주', ['광주광역시', '광주']],
  ['대전', ['대전광역시', '대전']],
  ['울산', ['울산광역시', '울산']],
  ['세종', ['세종특별자치시', '세종']],
  ['경기', ['경기도', '경기', '수원', '성남', '고양', '용인', '부천', '안산', '안양', '의정부', '화성', '평택']],
  ['강원', ['강원특별자치도', '강원도', '강원', '춘천', '원주', '강릉']],
  ['충북', ['충청북도', '충북', '청주', '충주']],
  ['충남', ['충청남도', '충남', '천안', '아산', '보령']],
  ['전북', ['전북특별자치도', '전라북도', '전북', '전주', '익산', '군산']],
  ['전남', ['전라남도', '전남', '목포', '여수', '순천']],
  ['경북', ['경상북도', '경북', '포항', '구미', '경주', '안동']],
  ['경남', ['경상남도', '경남', '창원', '김해', '진주', '양산', '통영']],
  ['제주', ['제주특별자치도', '제주']],
];

/** The short region keys filters accept, `전국` first. */
export const REGION_KEYS: readonly string[] = ['전국', ...REGIONS.map(([key]) => key)];

/** The region key a text names at its start (`서울특별시 강남구` → `서울`); `전국` when none. */
export function regionKeyOf(text: string): string {
  const trimmed = text.trim();
  for (const [key, names] of REGIONS) {
    if (names.some((name) => trimmed.startsWith(name))) return key;
  }
  return '전국';
}

/** Legal-dong sido codes (first two digits of a 5-digit sigungu code) → region key. */
const SIDO_CODES: Readonly<Record<string, string>> = {
  '11': '서울', '26': '부산', '27': '대구', '28': '인천', '29': '광주', '30': '대전', '31': '울산', '36': '세종',
  '41': '경기', '42': '강원', '51': '강원', '43': '충북', '44': '충남', '45': '전북', '52': '전북', '46': '전남',
  '47': '경북', '48': '경남', '50': '제주',
};

/** Region of a comma list of sigungu codes: one sido → that sido; several → 전국. */
export function regionKeyOfZipCodes(zipCodes: string): string {
  const sidos = new Set(
    zipCodes
      .split(',')
      .map((code) => SIDO_CODES[code.trim().slice(0, 2)])
      .filter((key): key is string => key !== undefined),
  );
  if (sidos.size === 1) return [...sidos][0] ?? '전국';
  return '전국';
}

/** Full region name of a key, for display (`서울` → `서울특별시`). */
export function regionName(key: string): string {
  return REGIONS.find(([candidate]) => candidate === key)?.[1][0] ?? '전국';
}

/**
 * The text that is embedded: labelled Korean lines, as the original service built them (정책명,
 * 정책 내용, 지원 대상, 분야, 지역, 기간, 신청방법, 문의처, 링크, 구비서류), empty fields left out.
 */
export function documentText(doc: PolicyDocument): string {
  const lines: [string, string][] = [
    ['정책명', doc.title],
    ['출처', SOURCE_INFO[doc.source].label],
    ['분야', doc.category],
    ['지역', doc.region],
    ['정책 요약', doc.summary],
    ['지원 대상', doc.target],
    ['정책 내용', doc.content],
    ['기간', doc.period],
    ['신청방법', doc.applyMethod],
    ['구비서류', doc.documents],
    ['운영기관', doc.organization],
    ['문의처', doc.contact],
    ['링크', doc.url],
  ];
  return lines
    .filter(([, value]) => value.length > 0)
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}

const HASHED_FIELDS: readonly (keyof PolicyDocument)[] = [
  'id', 'title', 'summary', 'target', 'content', 'region', 'regionKey', 'category', 'period', 'applyMethod',
  'documents', 'contact', 'organization', 'url', 'updatedAt',
];

/** A hash of everything stored about a document: equal hashes mean nothing to re-embed or rewrite. */
export function contentHash(doc: PolicyDocument): string {
  const hash = createHash('sha256');
  for (const field of HASHED_FIELDS) {
    hash.update(field);
    hash.update('\u0000');
    hash.update(doc[field]);
    hash.update('\u0001');
  }
  return hash.digest('hex').slice(0, 32);
}

/** Joins non-empty parts with a separator. */
export function joinParts(parts: readonly string[], separator = '\n'): string {
  return parts.filter((part) => part.length > 0).join(separator);
}

/** The top level of a category (`주거 > 전월세 및 주거급여 지원` → `주거`), which filters match. */
export function categoryKeyOf(category: string): string {
  return category.split('>')[0]?.trim() ?? '';
}

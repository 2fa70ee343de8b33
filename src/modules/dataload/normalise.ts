import { createHash } from 'node:crypto';
import { findSido, regionInText, regionLabel, SIDO_KEYS, type Region } from '../../utils/regions.ts';
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

/** The short region keys filters accept, `전국` first. */
export const REGION_KEYS: readonly string[] = ['전국', ...SIDO_KEYS];

/** The region key a name gives at its start (`서울특별시 강남구` → `서울`, `창원고용센터` → `경남`); `전국` when none. */
export function regionKeyOf(text: string): string {
  return findSido(text)?.short ?? regionInText(text).sido ?? '전국';
}

/** The region fields of a document: display label, filter key, and the hierarchy. */
export function regionFields(region: Region): Pick<PolicyDocument, 'region' | 'regionKey' | 'regionSido' | 'regionSigungu'> {
  return {
    region: regionLabel(region),
    regionKey: region.sido ?? '전국',
    regionSido: region.sido,
    regionSigungu: region.sigungu,
  };
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

const HASHED_FIELDS = [
  'id', 'title', 'summary', 'target', 'content', 'region', 'regionKey', 'category', 'period', 'applyMethod',
  'documents', 'contact', 'organization', 'url', 'updatedAt',
] as const satisfies readonly (keyof PolicyDocument)[];

/** The structured fields, hashed as canonical JSON: a new condition flag or parsed date is a change too. */
const STRUCTURED_FIELDS = [
  'regionSido', 'regionSigungu', 'ageMin', 'ageMax', 'applyStart', 'applyEnd', 'periodKind', 'conditions',
] as const satisfies readonly (keyof PolicyDocument)[];

/** A hash of everything stored about a document: equal hashes mean nothing to re-embed or rewrite. */
export function contentHash(doc: PolicyDocument): string {
  const hash = createHash('sha256');
  for (const field of HASHED_FIELDS) {
    hash.update(field);
    hash.update('\u0000');
    hash.update(doc[field]);
    hash.update('\u0001');
  }
  hash.update(JSON.stringify(STRUCTURED_FIELDS.map((field) => doc[field])));
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

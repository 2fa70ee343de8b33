import { PERIOD_KINDS, type PeriodKind } from '../../utils/application-period.ts';
import type { Region } from '../../utils/regions.ts';
import type { VectorFilter, VectorMetadata } from '../../vector/index.ts';
import { conditionKeys, isSourceName, type PolicyDocument, type SourceName } from '../dataload/index.ts';
import type { RankableDocument } from './policies.ranking.ts';

/** Stored for an unknown lower age bound: `ageMin <= age` holds for every age. */
export const AGE_MIN_UNKNOWN = 0;
/** Stored for an unknown upper age bound: `ageMax >= age` holds for every age. */
export const AGE_MAX_UNKNOWN = 999;
/** Stored for a period without a first day (`applyStartDay <= today` always holds). */
export const START_DAY_UNKNOWN = 0;
/** Stored for a period without a last day (`applyEndDay >= today` always holds). */
export const END_DAY_UNKNOWN = 99_991_231;

/**
 * The collection metadata key PolicyIndex sets to a fresh token after every write, delete or
 * rebuild: web processes compare it to decide when to rebuild their keyword index.
 */
export const CATALOGUE_VERSION_KEY = 'ainfo:catalogue';

/** `2026-07-01` → 20260701, a number Chroma's `$lte`/`$gte` can compare. */
export function dayNumber(isoDay: string | null, unknown: number): number {
  return isoDay ? Number(isoDay.replaceAll('-', '')) : unknown;
}

/**
 * The eligibility and period fields as flat Chroma metadata (no nulls, no nesting), in a form a
 * `where` filter can use directly: unknown bounds are stored as values every query passes, so
 * `{ ageMin: { $lte: age }, ageMax: { $gte: age } }` keeps documents whose ages are unknown.
 * The whole document (with its nulls) stays in the stored JSON.
 */
export function searchMetadataOf(doc: PolicyDocument): Record<string, string | number> {
  return {
    regionSido: doc.regionSido ?? '',
    regionSigungu: doc.regionSigungu ?? '',
    ageMin: doc.ageMin ?? AGE_MIN_UNKNOWN,
    ageMax: doc.ageMax ?? AGE_MAX_UNKNOWN,
    applyStart: doc.applyStart ?? '',
    applyEnd: doc.applyEnd ?? '',
    applyStartDay: dayNumber(doc.applyStart, START_DAY_UNKNOWN),
    applyEndDay: dayNumber(doc.applyEnd, END_DAY_UNKNOWN),
    periodKind: doc.periodKind,
    organization: doc.organization,
    conditions: doc.conditions ? conditionKeys(doc.conditions).join(',') : '',
  };
}

/** What search keeps in memory of each stored document: enough to rank, filter and show it. */
export interface CatalogueEntry extends RankableDocument {
  source: SourceName;
  region: string;
  category: string;
  categoryKey: string;
  period: string;
  url: string;
}

const text = (value: VectorMetadata[string] | undefined): string => (typeof value === 'string' ? value : '');
const orNull = (value: string): string | null => (value === '' ? null : value);

/** A bound stored as a number, with its "unknown" value (and a missing key, from older loads) read as null. */
function bound(value: VectorMetadata[string] | undefined, unknown: number): number | null {
  return typeof value === 'number' && value !== unknown ? value : null;
}

/**
 * The stored metadata of a document read back (the inverse of `searchMetadataOf` plus the display
 * fields PolicyIndex stores). A document stored before the structured fields existed reads as
 * 전국, ages and period unknown, until the next load rewrites it. Undefined for a foreign source.
 */
export function entryOf(id: string, metadata: VectorMetadata): CatalogueEntry | undefined {
  const source = text(metadata.source);
  if (!isSourceName(source)) return undefined;
  const periodKind = text(metadata.periodKind);
  return {
    id,
    source,
    title: text(metadata.title),
    summary: text(metadata.summary),
    organization: text(metadata.organization),
    region: text(metadata.region),
    regionSido: orNull(text(metadata.regionSido)),
    regionSigungu: orNull(text(metadata.regionSigungu)),
    ageMin: bound(metadata.ageMin, AGE_MIN_UNKNOWN),
    ageMax: bound(metadata.ageMax, AGE_MAX_UNKNOWN),
    applyStart: orNull(text(metadata.applyStart)),
    applyEnd: orNull(text(metadata.applyEnd)),
    periodKind: (PERIOD_KINDS as readonly string[]).includes(periodKind) ? (periodKind as PeriodKind) : 'unknown',
    category: text(metadata.category),
    categoryKey: text(metadata.categoryKey),
    period: text(metadata.period),
    url: text(metadata.url),
  };
}

/** The filters of a search as Chroma can apply them. */
export interface StoreFilters {
  source?: SourceName;
  category?: string;
  region?: Region;
  age?: number;
  /** Only what may be open on this Seoul day (`2026-09-15`). */
  openOn?: string;
}

/**
 * The `where` of a search: exact for source, category, region and age; for `openOn`, a superset
 * (annual windows cannot be compared as numbers), which search narrows with `applicationStatus`.
 */
export function whereOf(filters: StoreFilters): { filter: VectorFilter; anyOf: VectorFilter[] } {
  const filter: VectorFilter = {};
  const anyOf: VectorFilter[] = [];
  if (filters.source) filter.source = filters.source;
  if (filters.category) filter.categoryKey = filters.category;
  if (filters.region) {
    const { sido, sigungu } = filters.region;
    filter.regionSido = sido === null ? '' : ['', sido];
    if (sigungu !== null) filter.regionSigungu = ['', sigungu];
  }
  if (filters.age !== undefined) {
    filter.ageMin = { lte: filters.age };
    filter.ageMax = { gte: filters.age };
  }
  if (filters.openOn) {
    const today = dayNumber(filters.openOn, 0);
    anyOf.push(
      { periodKind: ['always', 'annual'] },
      { periodKind: ['dates', 'untilBudget'], applyStartDay: { lte: today }, applyEndDay: { gte: today } },
    );
  }
  return { filter, anyOf };
}

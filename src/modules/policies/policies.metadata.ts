import { conditionKeys, type PolicyDocument } from '../dataload/index.ts';

/** Stored for an unknown lower age bound: `ageMin <= age` holds for every age. */
export const AGE_MIN_UNKNOWN = 0;
/** Stored for an unknown upper age bound: `ageMax >= age` holds for every age. */
export const AGE_MAX_UNKNOWN = 999;
/** Stored for a period without a first day (`applyStartDay <= today` always holds). */
export const START_DAY_UNKNOWN = 0;
/** Stored for a period without a last day (`applyEndDay >= today` always holds). */
export const END_DAY_UNKNOWN = 99_991_231;

/** `2026-07-01` → 20260701, a number Chroma's `$lte`/`$gte` can compare. */
function dayNumber(isoDay: string | null, unknown: number): number {
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

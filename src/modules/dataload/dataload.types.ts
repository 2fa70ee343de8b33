import type { PeriodKind } from '../../utils/application-period.ts';
import type { SupportConditions } from './eligibility.ts';

/** The three public data sources, by the names the CLI and the ids use. */
export const SOURCE_NAMES = ['work24', 'youth', 'gov24'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export function isSourceName(value: string): value is SourceName {
  return (SOURCE_NAMES as readonly string[]).includes(value);
}

/** Korean labels and the environment variable of each source, for messages. */
export const SOURCE_INFO: Readonly<Record<SourceName, { label: string; keyVariable: string }>> = {
  work24: { label: '고용24', keyVariable: 'WORK24_API_KEY' },
  youth: { label: '온통청년', keyVariable: 'YOUTH_POLICY_API_KEY' },
  gov24: { label: '정부24', keyVariable: 'GOV24_API_KEY' },
};

/**
 * One policy or programme, whatever source it came from. Missing text is an empty string; missing
 * structured values are null (never a guess).
 */
export interface PolicyDocument {
  /** `source:nativeId`, e.g. `gov24:000000465790`, `youth:20260806005400213322`. */
  id: string;
  source: SourceName;
  nativeId: string;
  title: string;
  summary: string;
  target: string;
  content: string;
  /** Where it applies, as written by the source (`서울특별시 강남구`, `전국`). */
  region: string;
  /** Short region key for filters: `서울`, `경기`, …, or `전국`. */
  regionKey: string;
  /** The 시도 as a short key (`서울`), or null for 전국 (see `src/utils/regions.ts`). */
  regionSido: string | null;
  /** The 시군구 (`강남구`, `수원시`), or null when the document covers its whole 시도 or 전국. */
  regionSigungu: string | null;
  /** Youngest age (만) the programme takes, when the source states one. */
  ageMin: number | null;
  /** Oldest age (만) the programme takes, when the source states one. */
  ageMax: number | null;
  category: string;
  /** When to apply or when it runs, as text (`상시신청`, `2026-07-01 ~ 2026-08-14`). */
  period: string;
  /** First day to apply (ISO, Asia/Seoul), parsed from the period; null when not stated. */
  applyStart: string | null;
  /** Last day to apply (ISO, inclusive); null when not stated. */
  applyEnd: string | null;
  /** How the period reads; `applicationStatus(doc, now)` turns it into open/closed at query time. */
  periodKind: PeriodKind;
  /** 정부24 support conditions (JA codes) as named flags; null for other sources or no row. */
  conditions: SupportConditions | null;
  applyMethod: string;
  /** Documents to submit (구비서류). */
  documents: string;
  contact: string;
  organization: string;
  url: string;
  /** ISO date (YYYY-MM-DD) or instant of the source's last change; empty when unknown. */
  updatedAt: string;
}

/** Progress of one load run, reported as it goes. */
export interface LoadProgress {
  source: SourceName;
  phase: 'fetching' | 'deleting' | 'reembedding' | 'done';
  page: number;
  pages: number | undefined;
  fetched: number;
  total: number | undefined;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

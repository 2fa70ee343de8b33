import { z } from 'zod';
import { PERIOD_KINDS } from '../../utils/application-period.ts';
import { INCOME_BANDS, SOURCE_NAMES, SUPPORT_CONDITION_CODES } from '../dataload/index.ts';

/** 정부24 support conditions as named flags (docs/dataload.md lists the JA code of each). */
const supportConditionsSchema = z.object({
  ...Object.fromEntries(SUPPORT_CONDITION_CODES.map(({ flag }) => [flag, z.boolean()])),
  incomeBands: z.array(z.enum(INCOME_BANDS)),
});

export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, '검색어(q)를 입력하세요').max(200),
  source: z.enum(SOURCE_NAMES).optional(),
  region: z.string().trim().max(20).optional(),
  category: z.string().trim().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
  offset: z.coerce.number().int().min(0).max(190).default(0),
});

export const searchItemSchema = z.object({
  id: z.string(),
  source: z.enum(SOURCE_NAMES),
  sourceLabel: z.string(),
  title: z.string(),
  summary: z.string(),
  region: z.string(),
  category: z.string(),
  period: z.string(),
  url: z.string(),
  score: z.number(),
});

export const searchResponseSchema = z.object({
  items: z.array(searchItemSchema),
  limit: z.number(),
  offset: z.number(),
});

export const policyIdSchema = z.object({ id: z.string().min(3).max(120) });

export const policyDocumentSchema = z.object({
  id: z.string(),
  source: z.enum(SOURCE_NAMES),
  nativeId: z.string(),
  title: z.string(),
  summary: z.string(),
  target: z.string(),
  content: z.string(),
  region: z.string(),
  regionKey: z.string(),
  // Optional: documents stored before these fields existed lack them until the next load rewrites them.
  regionSido: z.string().nullish(),
  regionSigungu: z.string().nullish(),
  ageMin: z.number().int().nullish(),
  ageMax: z.number().int().nullish(),
  category: z.string(),
  period: z.string(),
  applyStart: z.string().nullish(),
  applyEnd: z.string().nullish(),
  periodKind: z.enum(PERIOD_KINDS).optional(),
  conditions: supportConditionsSchema.nullish(),
  applyMethod: z.string(),
  documents: z.string(),
  contact: z.string(),
  organization: z.string(),
  url: z.string(),
  updatedAt: z.string(),
});

/** The page's query: everything optional, so an empty form shows the start page, not an error. */
export const searchPageQuerySchema = z.object({
  q: z.string().trim().max(200).default(''),
  source: z.enum(SOURCE_NAMES).or(z.literal('')).optional(),
  region: z.string().trim().max(20).optional(),
  offset: z.coerce.number().int().min(0).max(190).default(0),
});

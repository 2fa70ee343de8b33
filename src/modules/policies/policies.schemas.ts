import { z } from 'zod';
import { APPLICATION_STATUSES, PERIOD_KINDS } from '../../utils/application-period.ts';
import { INCOME_BANDS, SOURCE_NAMES, SUPPORT_CONDITION_CODES } from '../dataload/index.ts';
import { MAX_SEARCH_WINDOW, SEARCH_LIMITS, SEARCH_STATUSES } from './policies.service.ts';

/** 정부24 support conditions as named flags (docs/dataload.md lists the JA code of each). */
const supportConditionsSchema = z.object({
  ...Object.fromEntries(SUPPORT_CONDITION_CODES.map(({ flag }) => [flag, z.boolean()])),
  incomeBands: z.array(z.enum(INCOME_BANDS)),
});

const AGE_MESSAGE = `나이(age)는 0부터 ${SEARCH_LIMITS.maxAge} 사이의 정수로 입력하세요`;

/** An empty parameter (`age=`, as a form sends it) is no parameter. */
const blankAsMissing = (value: unknown): unknown => (value === '' ? undefined : value);

export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, '검색어(q)를 입력하세요').max(SEARCH_LIMITS.qMaxLength),
  source: z.enum(SOURCE_NAMES).optional(),
  /** Parsed by the service with parseRegion; a 400 naming `region` when it names no region. */
  region: z.string().trim().max(40).optional(),
  category: z.string().trim().max(40).optional(),
  age: z.preprocess(
    blankAsMissing,
    z.coerce.number({ error: AGE_MESSAGE }).int({ error: AGE_MESSAGE }).min(0, { error: AGE_MESSAGE }).max(SEARCH_LIMITS.maxAge, { error: AGE_MESSAGE }).optional(),
  ),
  status: z.enum(SEARCH_STATUSES, { error: 'status는 any 또는 open입니다' }).default('any'),
  limit: z.coerce.number().int().min(1).max(SEARCH_LIMITS.maxLimit).default(10),
  offset: z.coerce.number().int().min(0).max(MAX_SEARCH_WINDOW - 1).default(0),
});

const searchSourceSchema = z.object({
  id: z.string(),
  source: z.enum(SOURCE_NAMES),
  sourceLabel: z.string(),
  title: z.string(),
  url: z.string(),
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
  status: z.enum(APPLICATION_STATUSES),
  applyStart: z.string().nullable(),
  applyEnd: z.string().nullable(),
  ageMin: z.number().int().nullable(),
  ageMax: z.number().int().nullable(),
  sources: z.array(searchSourceSchema).optional(),
});

export const searchResponseSchema = z.object({
  items: z.array(searchItemSchema),
  limit: z.number(),
  offset: z.number(),
  total: z.number(),
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

/**
 * The page's query: everything optional and kept as typed, so an empty form shows the start page
 * and a bad value is explained on the page rather than answered with JSON. `region` is the old
 * single field (links from before the 시도/시군구 pair); `sigungu` values are `시도 시군구`.
 */
export const searchPageQuerySchema = z.object({
  q: z.string().trim().max(SEARCH_LIMITS.qMaxLength).default(''),
  source: z.enum(SOURCE_NAMES).or(z.literal('')).optional(),
  region: z.string().trim().max(40).optional(),
  sido: z.string().trim().max(20).optional(),
  sigungu: z.string().trim().max(40).optional(),
  age: z.string().trim().max(10).optional(),
  status: z.enum(SEARCH_STATUSES).or(z.literal('')).optional(),
  offset: z.coerce.number().int().min(0).max(MAX_SEARCH_WINDOW - 1).default(0),
});

import type { PageView } from '../../http/pages/layout.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { errorBodySchema } from '../../http/errors.ts';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import { parseRegion, regionLabel, sidoOf, type Region } from '../../utils/regions.ts';
import { pageViewer, type ViewerProfile } from '../../http/auth.ts';
import { viewerFrame } from '../../http/pages/viewer-frame.ts';
import { ageFromBirthYear } from '../accounts/index.ts';
import { detailPage, messagePage, searchPage, type PageFilters } from './policies.page.ts';
import {
  policyDocumentSchema,
  policyIdSchema,
  searchPageQuerySchema,
  searchQuerySchema,
  searchResponseSchema,
} from './policies.schemas.ts';
import { POLICIES, SEARCH_LIMITS, type SearchResult } from './policies.service.ts';

const PAGE_SIZE = 10;

const AGE_PATTERN = /^\d{1,3}$/;

/**
 * The page's filters checked the way the form sends them: 만 나이 as typed, the 시도 select, and the
 * 시군구 select whose values are `시도 시군구` (so the pair is checked here, not trusted). A bad
 * value becomes a Korean message on the page; the filters keep what the person chose.
 */
function readPageFilters(query: z.infer<typeof searchPageQuerySchema>): { filters: PageFilters; region: Region | undefined; age: number | undefined; error: string | undefined } {
  const ageText = query.age ?? '';
  const age = AGE_PATTERN.test(ageText) && Number(ageText) <= SEARCH_LIMITS.maxAge ? Number(ageText) : undefined;
  let error = ageText !== '' && age === undefined ? `나이는 0부터 ${SEARCH_LIMITS.maxAge} 사이의 숫자로 입력해 주세요.` : undefined;
  const chosenSido = query.sido ? sidoOf(query.sido) : undefined;
  let region: Region | undefined;
  if (query.sigungu) {
    region = parseRegion(query.sigungu);
    if (!region?.sigungu) {
      error ??= `시군구 “${query.sigungu}”을(를) 찾을 수 없습니다. 목록에서 골라 주세요.`;
      region = undefined;
    } else if (chosenSido && chosenSido.short !== region.sido) {
      error ??= `${region.sigungu}은(는) ${chosenSido.name}에 속하지 않습니다. 시도와 시군구를 다시 골라 주세요.`;
      region = undefined;
    }
  } else if (query.sido) {
    if (chosenSido) region = { sido: chosenSido.short, sigungu: null };
    else error ??= `시도 “${query.sido}”을(를) 찾을 수 없습니다. 목록에서 골라 주세요.`;
  } else if (query.region) {
    region = parseRegion(query.region);
    if (!region) error ??= `지역 “${query.region}”을(를) 찾을 수 없습니다. 시도와 시군구를 목록에서 골라 주세요.`;
  }
  const filters: PageFilters = {
    q: query.q,
    source: query.source === '' ? undefined : query.source,
    sido: region?.sido ?? chosenSido?.short,
    sigungu: region?.sigungu ?? undefined,
    age: ageText,
    openOnly: query.status === 'open',
  };
  return { filters, region, age, error };
}

/**
 * The signed-in person's age (from the birth year) and region as the page's filters, when the URL
 * names none of its own (a submitted form always does, so a choice, even "none", wins); with the
 * words the page shows for what was filled.
 */
function profileDefaults(
  query: z.infer<typeof searchPageQuerySchema>,
  profile: ViewerProfile,
): { query: Partial<z.infer<typeof searchPageQuerySchema>>; label: string } | undefined {
  if (query.age !== undefined || query.sido !== undefined || query.sigungu !== undefined || query.region !== undefined) return undefined;
  const filled: Partial<z.infer<typeof searchPageQuerySchema>> = {};
  const words: string[] = [];
  if (profile.birthYear !== null) {
    const age = ageFromBirthYear(profile.birthYear);
    filled.age = String(age);
    words.push(`나이 만 ${age}세`);
  }
  if (profile.regionSido) {
    filled.sido = profile.regionSido;
    if (profile.regionSigungu) filled.sigungu = `${profile.regionSido} ${profile.regionSigungu}`;
    words.push(`지역 ${regionLabel({ sido: profile.regionSido, sigungu: profile.regionSigungu })}`);
  }
  return words.length > 0 ? { query: filled, label: words.join(', ') } : undefined;
}

/** Policy search: the JSON API under /api/policies and the public page /policies. */
export default defineRoutes(POLICIES, (app, policies) => {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/api/policies/search',
    {
      schema: {
        tags: ['policies'],
        summary: 'Search collected policies (정부24, 온통청년, 고용24): hybrid vector + keyword ranking, a relevance floor, eligibility, region and status filters, near-duplicates merged',
        querystring: searchQuerySchema,
        response: { 200: searchResponseSchema, 400: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request) => policies.search(request.query),
  );

  typed.get(
    '/api/policies/:id',
    {
      schema: {
        tags: ['policies'],
        summary: 'One collected policy document (id `source:nativeId`)',
        params: policyIdSchema,
        response: { 200: policyDocumentSchema, 404: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request) => policies.get(request.params.id),
  );

  typed.get(
    '/policies',
    { schema: { hide: true, querystring: searchPageQuerySchema } },
    async (request, reply) => {
      const { q, offset } = request.query;
      const viewer = await pageViewer(request);
      request.pageFrame = viewerFrame(viewer);
      const defaults = viewer ? profileDefaults(request.query, viewer.profile) : undefined;
      const read = readPageFilters({ ...request.query, ...defaults?.query });
      let result: SearchResult | undefined;
      let error = read.error;
      let status = error ? 400 : 200;
      if (q !== '' && !error) {
        try {
          result = await policies.search({
            q,
            ...(read.filters.source ? { source: read.filters.source } : {}),
            ...(read.region ? { region: read.region } : {}),
            ...(read.age !== undefined ? { age: read.age } : {}),
            status: read.filters.openOnly ? 'open' : 'any',
            limit: PAGE_SIZE,
            offset,
          });
        } catch (failure) {
          if (!(failure instanceof AppError)) throw failure;
          status = failure.status;
          error = failure.message;
        }
      }
      // Without a session, a public page without tokens or personal data: caches may keep it (apart from signed-in browsers').
      reply.header('vary', 'cookie');
      return reply.page(searchPage({ ...read.filters, fromProfile: defaults?.label, offset, limit: PAGE_SIZE, result, error }), {
        status,
        cacheable: !viewer,
      });
    },
  );

  typed.get('/policies/:id', { schema: { hide: true, params: policyIdSchema } }, async (request, reply) => {
    let page: PageView;
    let status = 200;
    try {
      const doc = await policies.get(request.params.id);
      page = detailPage(doc, policies.statusOf(doc));
    } catch (failure) {
      if (!(failure instanceof AppError)) throw failure;
      status = failure.status;
      page = messagePage(status === 404 ? '정책을 찾을 수 없습니다' : '잠시 후 다시 시도해 주세요', failure.message);
    }
    return reply.page(page, { status, cacheable: true });
  });
});

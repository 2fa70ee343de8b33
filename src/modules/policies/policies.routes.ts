import type { PageView } from '../../http/pages/layout.ts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { errorBodySchema } from '../../http/errors.ts';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import { detailPage, messagePage, searchPage } from './policies.page.ts';
import {
  policyDocumentSchema,
  policyIdSchema,
  searchPageQuerySchema,
  searchQuerySchema,
  searchResponseSchema,
} from './policies.schemas.ts';
import { POLICIES, type SearchItem } from './policies.service.ts';

const PAGE_SIZE = 10;

/** Policy search: the JSON API under /api/policies and the public page /policies. */
export default defineRoutes(POLICIES, (app, policies) => {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/api/policies/search',
    {
      schema: {
        tags: ['policies'],
        summary: 'Search collected policies (정부24, 온통청년, 고용24) by meaning, with metadata filters',
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
      const source = request.query.source === '' ? undefined : request.query.source;
      const region = request.query.region === '' ? undefined : request.query.region;
      let items: SearchItem[] | undefined;
      let error: string | undefined;
      let status = 200;
      if (q !== '') {
        try {
          items = (await policies.search({ q, source, region, limit: PAGE_SIZE, offset })).items;
        } catch (failure) {
          if (!(failure instanceof AppError)) throw failure;
          status = failure.status;
          error = failure.message;
        }
      }
      // A public page without tokens or personal data: caches may keep it.
      return reply.page(searchPage({ q, source, region, regions: policies.regions, offset, limit: PAGE_SIZE, items, error }), {
        status,
        cacheable: true,
      });
    },
  );

  typed.get('/policies/:id', { schema: { hide: true, params: policyIdSchema } }, async (request, reply) => {
    let page: PageView;
    let status = 200;
    try {
      page = detailPage(await policies.get(request.params.id));
    } catch (failure) {
      if (!(failure instanceof AppError)) throw failure;
      status = failure.status;
      page = messagePage(status === 404 ? '정책을 찾을 수 없습니다' : '잠시 후 다시 시도해 주세요', failure.message);
    }
    return reply.page(page, { status, cacheable: true });
  });
});

import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { adminGuards } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { pageNumber, queryBoolean } from './admin.schemas.ts';
import { usersView } from './views/records.ts';

const USERS_PAGE_SIZE = 50;

/** Users with search and filters: accounts' one users list. */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'users');
  app.get(
    '/admin/users',
    {
      preValidation: guard.page,
      schema: { hide: true, querystring: z.object({ q: z.string().max(100).optional(), consent: queryBoolean, verified: queryBoolean, page: pageNumber }) },
    },
    async (request, reply) => {
      const { q, consent, verified, page } = request.query;
      const search = { ...(q ? { q } : {}), ...(consent !== undefined ? { consent } : {}), ...(verified !== undefined ? { verified } : {}) };
      const found = await admin.accounts.listUsers(search, page, USERS_PAGE_SIZE);
      return reply.page({ title: '사용자', body: usersView({ search, items: found.items, total: found.total, page, pageSize: USERS_PAGE_SIZE }) });
    },
  );
});

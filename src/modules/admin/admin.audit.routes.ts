import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { adminGuards } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { pageNumber } from './admin.schemas.ts';
import { auditView } from './views/records.ts';

const AUDIT_PAGE_SIZE = 50;

/** The audit log: every admin action, who and when. */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'audit');
  app.get(
    '/admin/audit',
    { preValidation: guard.page, schema: { hide: true, querystring: z.object({ page: pageNumber, action: z.string().max(40).optional() }) } },
    async (request, reply) => {
      const { page, action } = request.query;
      const found = await admin.sessions.auditLog({ limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE }, action ? { action } : {});
      return reply.page({ title: '감사 기록', body: auditView({ ...found, page, pageSize: AUDIT_PAGE_SIZE, ...(action ? { action } : {}) }) });
    },
  );
});

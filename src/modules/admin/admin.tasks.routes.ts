import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { adminGuards, csrfField, recordAction } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { csrfBody, flashQuery } from './admin.schemas.ts';
import { tasksView } from './views/operations.ts';

/** Task look-up by id (Celery's AsyncResult), recent failures, and retrying a failed task. */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'tasks');
  const operations = admin.operations;

  app.get(
    '/admin/tasks',
    { preValidation: guard.page, schema: { hide: true, querystring: flashQuery.extend({ id: z.string().trim().max(200).optional() }) } },
    async (request, reply) => {
      const { id, msg } = request.query;
      const [result, failures] = await Promise.all([id ? operations.task(id) : undefined, operations.recentFailures(10)]);
      return reply.page({
        title: '작업 조회',
        body: tasksView({ csrf: csrfField(request), recentFailures: failures, ...(id ? { id } : {}), ...(result ? { result } : {}), ...(msg ? { msg } : {}) }),
      });
    },
  );

  app.post(
    '/admin/tasks/:id/retry',
    { preValidation: guard.page, preHandler: guard.csrf, schema: { hide: true, params: z.object({ id: z.string().min(1).max(200) }), body: csrfBody } },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await operations.retryTask(id);
      if (outcome === 'retried') await recordAction(admin, request, { action: 'task.retry', target: `task:${id}` });
      const msg = outcome === 'retried' ? 'task-retried' : outcome === 'missing' ? 'task-missing' : 'task-not-failed';
      return reply.redirect(`/admin/tasks?id=${encodeURIComponent(id)}&msg=${msg}`, 303);
    },
  );
});

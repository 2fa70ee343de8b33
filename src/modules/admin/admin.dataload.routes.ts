import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { SOURCE_NAMES } from '../dataload/index.ts';
import { adminGuards, csrfField, recordAction } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { csrfBody, flashQuery } from './admin.schemas.ts';
import { dataloadView } from './views/operations.ts';

/** Public data: the runs of each source, and "collect now". */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'dataload');
  const dataload = admin.dataload;

  app.get('/admin/dataload', { preValidation: guard.page, schema: { hide: true, querystring: flashQuery } }, async (request, reply) => {
    const sources = await Promise.all(
      SOURCE_NAMES.map(async (source) => ({ source, sample: dataload.isSample(source), runs: await dataload.recentRuns(10, source) })),
    );
    return reply.page({
      title: '공공데이터',
      body: dataloadView({ sources, csrf: csrfField(request), ...(request.query.msg ? { msg: request.query.msg } : {}), ...(request.query.task ? { taskId: request.query.task } : {}) }),
    });
  });

  app.post(
    '/admin/dataload/:source/run',
    { preValidation: guard.page, preHandler: guard.csrf, schema: { hide: true, params: z.object({ source: z.enum(SOURCE_NAMES) }), body: csrfBody } },
    async (request, reply) => {
      const { source } = request.params;
      const ref = await dataload.requestRun(source);
      await recordAction(admin, request, { action: 'dataload.run', target: `source:${source}`, detail: { taskId: ref.id, task: ref.name } });
      return reply.redirect(`/admin/dataload?msg=collect-started&task=${encodeURIComponent(ref.id)}`, 303);
    },
  );
});

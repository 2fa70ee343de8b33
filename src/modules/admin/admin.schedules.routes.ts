import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import { adminGuards, csrfField, recordAction } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { csrfBody, flashQuery } from './admin.schemas.ts';
import { schedulesView } from './views/operations.ts';

/** The periodic schedule: next runs in Asia/Seoul, last runs, run now, pause and resume. */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'schedules');
  const operations = admin.operations;

  app.get('/admin/schedules', { preValidation: guard.page, schema: { hide: true, querystring: flashQuery } }, async (request, reply) => {
    const rows = await operations.schedules();
    return reply.page({
      title: '예약 작업',
      body: schedulesView({ rows, csrf: csrfField(request), ...(request.query.msg ? { msg: request.query.msg } : {}), ...(request.query.task ? { taskId: request.query.task } : {}) }),
    });
  });

  const scheduleParams = z.object({ id: z.string().min(1).max(200), action: z.enum(['run', 'pause', 'resume']) });
  app.post(
    '/admin/schedules/:id/:action',
    { preValidation: guard.page, preHandler: guard.csrf, schema: { hide: true, params: scheduleParams, body: csrfBody } },
    async (request, reply) => {
      const { id, action } = request.params;
      if (!operations.hasSchedule(id)) throw new AppError(404, 'SCHEDULE_NOT_FOUND', `예약 항목 "${id}"이 없습니다.`);
      if (action === 'run') {
        const ref = await operations.runSchedule(id);
        await recordAction(admin, request, { action: 'schedule.run', target: `schedule:${id}`, detail: { taskId: ref.id, task: ref.name } });
        return reply.redirect(`/admin/schedules?msg=schedule-run&task=${encodeURIComponent(ref.id)}`, 303);
      }
      if (action === 'pause') await operations.pauseSchedule(id);
      else await operations.resumeSchedule(id);
      await recordAction(admin, request, { action: `schedule.${action}`, target: `schedule:${id}` });
      return reply.redirect(`/admin/schedules?msg=${action === 'pause' ? 'schedule-paused' : 'schedule-resumed'}`, 303);
    },
  );
});

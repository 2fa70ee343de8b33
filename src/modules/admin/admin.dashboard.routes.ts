import { defineRoutes } from '../../http/routes.ts';
import { adminGuards } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { dashboardView } from './views/dashboard.ts';

const DASHBOARD_REFRESH_S = 10;

/** The dashboard: queues, workers, running tasks and recent failures, refreshed every few seconds. */
export default defineRoutes(ADMIN, (app, admin) => {
  const guard = adminGuards(admin, 'dashboard');
  app.get('/admin', { preValidation: guard.page, schema: { hide: true } }, async (_request, reply) => {
    const [data, dependencies, outbox] = await Promise.all([admin.operations.dashboard(), admin.dependencies(), admin.outboxBacklog()]);
    return reply.page({
      title: '대시보드',
      refreshSeconds: DASHBOARD_REFRESH_S,
      body: dashboardView({ ...data, dependencies, outbox, refreshSeconds: DASHBOARD_REFRESH_S, now: new Date() }),
    });
  });
});

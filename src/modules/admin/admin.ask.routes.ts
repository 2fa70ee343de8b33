import { defineRoutes } from '../../http/routes.ts';
import { adminGuards } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { askAttentionView } from './views/ask.ts';

const ATTENTION_ROWS = 100;

/** Ask AInfo's questions that found nothing or got a thumbs down: what the data lacks. */
export default defineRoutes(ADMIN, (app, admin) => {
  const guard = adminGuards(admin, 'ask');
  app.get('/admin/ask', { preValidation: guard.page, schema: { hide: true } }, async (_request, reply) =>
    reply.page({ title: '질문', body: askAttentionView(await admin.ask.attention(ATTENTION_ROWS)) }),
  );
});

import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { applyPageHeaders } from '../../http/pages/page.ts';
import { defineRoutes } from '../../http/routes.ts';
import { loadAdminSession, recordAction } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';

const BASE_PATH = '/admin/queues';

/** bull-board's React app sets inline styles and a `<base href>`; scripts stay same-origin only. */
const BOARD_CSP = { scripts: true, inlineStyles: true, ownBaseUrl: true };

/**
 * Mounts bull-board (the Flower of BullMQ) at /admin/queues behind the admin session. Its JSON
 * API is called by its own script with the session cookie; changes (retry, clean, promote …)
 * must come from our origin and are written to the audit log.
 */
export default defineRoutes(ADMIN, async (app, admin) => {
  const adapter = new FastifyAdapter();
  adapter.setBasePath(BASE_PATH);
  createBullBoard({
    queues: admin.operations.queues().map((queue) => new BullMQAdapter(queue)),
    serverAdapter: adapter,
    options: {
      uiConfig: { boardTitle: 'AInfo 작업 큐', locale: { lng: 'ko-KR' }, hideDocsLink: true, miscLinks: [{ text: '관리자 화면으로', url: '/admin' }] },
    },
  });

  await app.register(async (board) => {
    // Task data edited here is JSON kept in Redis, where any text may appear.
    board.addHook('onRoute', (route) => {
      route.config = { ...route.config, allowControlCharacters: true };
    });
    board.addHook('onRequest', async (request, reply) => {
      const isApi = request.url.startsWith(`${BASE_PATH}/api/`);
      if (!(await loadAdminSession(request, admin))) {
        if (isApi) return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: '로그인이 필요합니다.' } });
        return reply.redirect(`/admin/login?next=${encodeURIComponent(BASE_PATH)}`, 303);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        // SameSite=Lax already keeps the cookie off cross-site POSTs; refusing foreign origins covers the rest.
        const origin = request.headers.origin;
        const sameOrigin = origin === undefined || safeHost(origin) === request.headers.host;
        if (!sameOrigin) return reply.status(403).send({ error: { code: 'FORBIDDEN', message: '다른 출처의 요청은 받지 않습니다.' } });
      }
      return undefined;
    });
    board.addHook('onSend', async (request, reply, payload) => {
      const type = reply.getHeader('content-type');
      let body: unknown = payload;
      if (typeof type === 'string' && type.startsWith('text/html')) {
        applyPageHeaders(reply, { csp: BOARD_CSP, sameOriginReferrer: true });
        // The page must work offline and ask no third party: drop bull-board's Google Fonts link.
        if (typeof payload === 'string') body = payload.replace(/<link[^>]*fonts\.googleapis\.com[^>]*>/g, '');
      }
      // Recorded before the answer leaves, so the log never lags behind what the admin saw done.
      if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400 && request.admin) {
        await recordAction(admin, request, { action: 'queues.action', target: `${request.method} ${request.url.split('?')[0] ?? ''}` });
      }
      return body;
    });
    await board.register(adapter.registerPlugin(), { prefix: BASE_PATH });
  });
});

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

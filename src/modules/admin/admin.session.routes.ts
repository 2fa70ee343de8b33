import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { adminGuards, clearSessionCookie, loadAdminSession, recordAction, safeNext, setSessionCookie } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { csrfBody } from './admin.schemas.ts';
import { loginView } from './views/login.ts';

/** Signing in and out of the admin: a session login with a CSRF token from the first page on. */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'dashboard');

  const showLogin = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { status?: number; next?: string; email?: string; error?: string; info?: string } = {},
  ): Promise<FastifyReply> => {
    let csrf = request.adminSession?.userId === null ? request.adminSession.csrf : undefined;
    if (!csrf) {
      const started = await admin.sessions.startAnonymous();
      csrf = started.session.csrf;
      setSessionCookie(reply, admin, started.sessionId, admin.sessions.anonymousMaxAgeSeconds);
    }
    return reply.page(
      {
        title: '관리자 로그인',
        body: loginView({
          csrf,
          next: safeNext(options.next),
          ...(options.email ? { email: options.email } : {}),
          ...(options.error ? { error: options.error } : {}),
          ...(options.info ? { info: options.info } : {}),
        }),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get(
    '/admin/login',
    { preValidation: guard.open, schema: { hide: true, querystring: z.object({ next: z.string().max(500).optional(), msg: z.string().max(40).optional() }) } },
    async (request, reply) => {
      if (request.admin) return reply.redirect(safeNext(request.query.next), 303);
      return showLogin(request, reply, {
        ...(request.query.next ? { next: request.query.next } : {}),
        ...(request.query.msg === 'logged-out' ? { info: '로그아웃했습니다.' } : {}),
      });
    },
  );

  app.post(
    '/admin/login',
    {
      preValidation: guard.open,
      schema: {
        hide: true,
        body: csrfBody.extend({ email: z.string().max(254).default(''), password: z.string().max(256).default(''), next: z.string().max(500).optional() }),
      },
    },
    async (request, reply) => {
      const { email, password, next } = request.body;
      // A second tab's login form after signing in elsewhere: already done, keep the session.
      if (await loadAdminSession(request, admin)) return reply.redirect(safeNext(next), 303);
      const form = { email, ...(next ? { next } : {}) };
      if (request.adminSession?.userId !== null || !admin.sessions.csrfMatches(request.adminSession, request.body._csrf)) {
        request.adminSession = undefined;
        return showLogin(request, reply, { ...form, status: 403, error: '로그인 양식이 만료되었습니다. 다시 입력해 주세요.' });
      }
      const result = await admin.sessions.login({ email, password, ip: request.ip, ...(request.adminSessionId ? { previousSessionId: request.adminSessionId } : {}) });
      if (!result.ok) {
        if (result.reason === 'rate-limited') {
          return showLogin(request, reply, { ...form, status: 429, error: '로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.' });
        }
        await recordAction(admin, request, { action: 'login.refused', target: email.slice(0, 254), detail: { reason: result.reason } });
        return showLogin(request, reply, { ...form, status: 401, error: '관리자 계정의 이메일 또는 비밀번호가 올바르지 않습니다.' });
      }
      await admin.sessions.audit({ adminUserId: result.admin.id, adminEmail: result.admin.email, action: 'login', ip: request.ip });
      return setSessionCookie(reply, admin, result.sessionId, admin.sessions.sessionMaxAgeSeconds).redirect(safeNext(next), 303);
    },
  );

  app.post('/admin/logout', { preValidation: guard.page, preHandler: guard.csrf, schema: { hide: true, body: csrfBody } }, async (request, reply) => {
    if (request.adminSessionId) await admin.sessions.logout(request.adminSessionId);
    await recordAction(admin, request, { action: 'logout' });
    return clearSessionCookie(reply, admin).redirect('/admin/login?msg=logged-out', 303);
  });

  app.get('/admin/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin', 301));
});

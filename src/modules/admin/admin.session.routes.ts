import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import {
  adminGuards,
  clearLoginForm,
  clearSessionCookie,
  issueLoginForm,
  loadAdminSession,
  LOGIN_PAGE_PER_MINUTE,
  loginFormMatches,
  recordAction,
  safeNext,
  setSessionCookie,
} from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { csrfBody } from './admin.schemas.ts';
import { loginView } from './views/login.ts';

/**
 * Signing in and out of the admin: the login form's CSRF token lives in a signed cookie (no
 * server state before a login); a successful login starts the Redis session.
 */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'dashboard');

  const showLogin = (
    reply: FastifyReply,
    options: { status?: number; next?: string; email?: string; error?: string; info?: string } = {},
  ): FastifyReply => {
    const csrf = issueLoginForm(reply, admin);
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
    {
      preValidation: guard.open,
      // After the frame is set (preHandler), so a 429 comes as the login page's error page.
      config: { rateLimit: { max: LOGIN_PAGE_PER_MINUTE, timeWindow: 60_000, hook: 'preHandler' } },
      schema: { hide: true, querystring: z.object({ next: z.string().max(500).optional(), msg: z.string().max(40).optional() }) },
    },
    async (request, reply) => {
      if (request.admin) return reply.redirect(safeNext(request.query.next), 303);
      return showLogin(reply, {
        ...(request.query.next ? { next: request.query.next } : {}),
        ...(request.query.msg === 'logged-out' ? { info: '로그아웃했습니다.' } : {}),
      });
    },
  );

  app.post(
    '/admin/login',
    {
      preValidation: guard.open,
      // Per client IP like the API's auth routes; after the frame is set, so a 429 is the login page's error page.
      config: { rateLimit: { ...instance.authRateLimit.rateLimit, hook: 'preHandler' } },
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
      if (!loginFormMatches(request, admin, request.body._csrf)) {
        return showLogin(reply, { ...form, status: 403, error: '로그인 양식이 만료되었습니다. 다시 입력해 주세요.' });
      }
      const result = await admin.sessions.login({ email, password, ip: request.ip, ...(request.adminSessionId ? { previousSessionId: request.adminSessionId } : {}) });
      if (!result.ok) {
        if (result.reason === 'rate-limited') {
          return showLogin(reply, { ...form, status: 429, error: '로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.' });
        }
        await recordAction(admin, request, { action: 'login.refused', target: email.slice(0, 254), detail: { reason: result.reason } });
        return showLogin(reply, { ...form, status: 401, error: '관리자 계정의 이메일 또는 비밀번호가 올바르지 않습니다.' });
      }
      await admin.sessions.audit({ adminUserId: result.admin.id, adminEmail: result.admin.email, action: 'login', ip: request.ip });
      clearLoginForm(reply, admin);
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

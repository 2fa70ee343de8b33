import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PAGE_SESSION_COOKIE, pageSessionId, pageViewer, type PageViewer } from '../../http/auth.ts';
import { clearFormToken, formTokenMatches, issueFormToken, type FormTokenCookie } from '../../http/form-tokens.ts';
import { viewerFrame } from '../../http/pages/viewer-frame.ts';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import { sameSecret } from '../../utils/secrets.ts';
import { signupBody } from './accounts.schemas.ts';
import { ACCOUNTS } from './accounts.tasks.ts';
import {
  deleteConfirmView,
  deletedView,
  fieldMessages,
  homeView,
  loginView,
  ME_MESSAGES,
  meView,
  signupDoneView,
  signupView,
  staleFormView,
  type FieldMessages,
  type MeMessage,
  type ProfileValues,
} from './accounts.web.views.ts';

/** A signup or login form left open longer than this must be reloaded. */
const FORM_TTL_S = 60 * 60;

const csrfField = { _csrf: z.string().max(200).default('') };
const text = (max: number) => z.string().max(max).default('');

/** Where to go after login: a path of this site only (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/[A-Za-z0-9_\-./?=&%]*$/.test(next) || next.startsWith('//') || next.startsWith('/login')) return '/me';
  return next;
}

/**
 * The form's fields as the profile patch the service checks: empty means "not set", a 시군구
 * option carries its 시도 (`서울 강남구`), so choosing only the 시군구 is enough, and a 시도 chosen
 * apart from it must be the same.
 */
function profileInput(values: ProfileValues): { input: Record<string, unknown>; messages: FieldMessages } {
  const input: Record<string, unknown> = { name: values.name, situation: values.situation === '' ? null : values.situation };
  const year = values.birthYear.trim();
  input.birthYear = year === '' ? null : /^\d{1,4}$/.test(year) ? Number(year) : year;
  input.regionSido = values.sido === '' ? null : values.sido;
  input.regionSigungu = null;
  const messages: Record<string, string> = {};
  if (values.sigungu !== '') {
    const [sido = '', ...rest] = values.sigungu.split(' ');
    if (values.sido !== '' && values.sido !== sido) messages.regionSigungu = '시군구가 고른 시도에 속하지 않습니다. 시도와 시군구를 다시 골라 주세요.';
    input.regionSido = sido;
    input.regionSigungu = rest.join(' ');
  }
  return { input, messages };
}

/**
 * The people's pages, server-rendered, working without JavaScript: `/`, `/signup`, `/login`,
 * `/logout`, `/me` and its forms. A signed-in browser holds a page session (a signed HttpOnly
 * cookie for a server-side session); every form POST carries a CSRF token: the session's own
 * once signed in, before that one in a signed cookie (the admin login's mechanism).
 */
export default defineRoutes(ACCOUNTS, (instance, accounts) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  // After the frame is set (preValidation), so a 429 comes as a page.
  const limited = { rateLimit: { ...instance.authRateLimit.rateLimit, hook: 'preHandler' as const } };
  const cookieOptions = accounts.webSessionCookie;
  const formCookie = (path: '/login' | '/signup'): FormTokenCookie => ({
    name: `ainfo_form${path.replace('/', '_')}`,
    path,
    ttlSeconds: FORM_TTL_S,
    secure: cookieOptions.secure,
  });

  instance.addHook('preValidation', async (request) => {
    request.pageFrame = viewerFrame(await pageViewer(request));
  });

  const setSession = (reply: FastifyReply, sessionId: string): FastifyReply =>
    reply.setCookie(PAGE_SESSION_COOKIE, sessionId, {
      signed: true,
      path: '/',
      maxAge: cookieOptions.maxAgeSeconds,
      httpOnly: true,
      sameSite: 'lax',
      secure: cookieOptions.secure,
    });
  const clearSession = (reply: FastifyReply): FastifyReply =>
    reply.clearCookie(PAGE_SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieOptions.secure });

  /** The signed-in person of a /me page, or a redirect to the login that comes back here. */
  const signedIn = (request: FastifyRequest, reply: FastifyReply): PageViewer | undefined => {
    if (request.viewer) return request.viewer;
    void reply.redirect(`/login?next=${encodeURIComponent(safeNext(request.url))}`, 303);
    return undefined;
  };
  /** A signed-in form POST: the session's token must come as `_csrf`. */
  const checkedForm = (request: FastifyRequest, reply: FastifyReply, submitted: string): PageViewer | undefined => {
    const viewer = signedIn(request, reply);
    if (!viewer) return undefined;
    if (sameSecret(viewer.csrf, submitted)) return viewer;
    void reply.page(staleFormView(), { status: 403 });
    return undefined;
  };

  const showMe = async (
    reply: FastifyReply,
    viewer: PageViewer,
    options: { status?: number; message?: MeMessage; profile?: { values: ProfileValues; messages: FieldMessages }; password?: { messages: FieldMessages } } = {},
  ): Promise<FastifyReply> => {
    const me = await accounts.getMe(viewer.id);
    return reply.page(meView({ me, csrf: viewer.csrf, message: options.message, profile: options.profile, password: options.password }), {
      status: options.status ?? 200,
    });
  };

  app.get('/', { schema: { hide: true, querystring: z.object({ msg: z.string().max(40).optional() }) } }, async (request, reply) =>
    reply.page(
      homeView({
        signedInName: request.viewer?.name,
        info: request.query.msg === 'logged-out' ? '로그아웃했습니다.' : undefined,
      }),
    ),
  );

  // Signing up and in.

  const showSignup = (reply: FastifyReply, options: Omit<Parameters<typeof signupView>[0], 'csrf'> & { status?: number } = {}): FastifyReply =>
    reply.page(signupView({ ...options, csrf: issueFormToken(reply, formCookie('/signup')) }), { status: options.status ?? 200 });

  app.get('/signup', { config: limited, schema: { hide: true } }, async (request, reply) => {
    if (request.viewer) return reply.redirect('/me', 303);
    return showSignup(reply);
  });

  app.post(
    '/signup',
    {
      config: limited,
      schema: {
        hide: true,
        body: z.object({ ...csrfField, email: text(254), name: text(200), password: text(256), passwordConfirm: text(256), noticeConsent: z.literal('on').optional() }),
      },
    },
    async (request, reply) => {
      const { email, name, password, passwordConfirm } = request.body;
      const values = { email, name, noticeConsent: request.body.noticeConsent === 'on' };
      if (!formTokenMatches(request, formCookie('/signup'), request.body._csrf)) {
        return showSignup(reply, { values, status: 403, error: '가입 양식이 만료되었습니다. 다시 입력해 주세요.' });
      }
      const parsed = signupBody.safeParse({ email, name, password, noticeConsent: values.noticeConsent });
      const messages: Record<string, string> = parsed.success
        ? {}
        : Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? 'email'), issue.message]));
      if (password !== passwordConfirm) messages.passwordConfirm = '두 비밀번호가 같지 않습니다.';
      if (!parsed.success || Object.keys(messages).length > 0) return showSignup(reply, { values, messages, status: 400 });
      try {
        await accounts.signup(parsed.data);
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 400) throw error;
        return showSignup(reply, { values, messages: fieldMessages(error.fields), status: 400 });
      }
      clearFormToken(reply, formCookie('/signup'));
      return reply.page(signupDoneView(parsed.data.email));
    },
  );

  const showLogin = (reply: FastifyReply, options: Omit<Parameters<typeof loginView>[0], 'csrf'> & { status?: number }): FastifyReply =>
    reply.page(loginView({ ...options, csrf: issueFormToken(reply, formCookie('/login')) }), { status: options.status ?? 200 });

  app.get(
    '/login',
    { config: limited, schema: { hide: true, querystring: z.object({ next: z.string().max(500).optional(), msg: z.string().max(40).optional() }) } },
    async (request, reply) => {
      const next = safeNext(request.query.next);
      if (request.viewer) return reply.redirect(next, 303);
      return showLogin(reply, { next, ...(request.query.msg === 'logged-out' ? { info: '로그아웃했습니다.' } : {}) });
    },
  );

  app.post(
    '/login',
    { config: limited, schema: { hide: true, body: z.object({ ...csrfField, email: text(254), password: text(256), next: text(500) }) } },
    async (request, reply) => {
      const { email, password } = request.body;
      const next = safeNext(request.body.next);
      if (request.viewer) return reply.redirect(next, 303);
      if (!formTokenMatches(request, formCookie('/login'), request.body._csrf)) {
        return showLogin(reply, { next, email, status: 403, error: '로그인 양식이 만료되었습니다. 다시 입력해 주세요.' });
      }
      const result = await accounts.webLogin({ email, password, clientIp: request.ip, previousSessionId: pageSessionId(request) });
      if (!result.ok) {
        if (result.reason === 'rate-limited') return showLogin(reply, { next, email, status: 429, error: '로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.' });
        if (result.reason === 'not-verified') {
          return showLogin(reply, { next, email, status: 403, notVerified: true, error: '이메일 인증을 마친 뒤 로그인할 수 있습니다. 메일의 버튼을 눌러 주세요.' });
        }
        return showLogin(reply, { next, email, status: 401, error: '이메일 또는 비밀번호가 올바르지 않습니다.' });
      }
      clearFormToken(reply, formCookie('/login'));
      return setSession(reply, result.sessionId).redirect(next, 303);
    },
  );

  app.post('/logout', { schema: { hide: true, body: z.object(csrfField) } }, async (request, reply) => {
    const viewer = request.viewer;
    if (viewer && !sameSecret(viewer.csrf, request.body._csrf)) return reply.page(staleFormView(), { status: 403 });
    const sessionId = pageSessionId(request);
    if (sessionId) await accounts.endWebSession(sessionId);
    return clearSession(reply).redirect('/login?msg=logged-out', 303);
  });

  // The signed-in person's own page.

  app.get(
    '/me',
    { schema: { hide: true, querystring: z.object({ msg: z.string().max(40).optional() }) } },
    async (request, reply) => {
      const viewer = signedIn(request, reply);
      if (!viewer) return reply;
      const msg = request.query.msg;
      return showMe(reply, viewer, msg && msg in ME_MESSAGES ? { message: msg as MeMessage } : {});
    },
  );

  app.post(
    '/me/profile',
    {
      schema: {
        hide: true,
        body: z.object({ ...csrfField, name: text(200), birthYear: text(10), regionSido: text(20), regionSigungu: text(60), situation: text(40) }),
      },
    },
    async (request, reply) => {
      const viewer = checkedForm(request, reply, request.body._csrf);
      if (!viewer) return reply;
      const { name, birthYear, regionSido, regionSigungu, situation } = request.body;
      const values: ProfileValues = { name, birthYear, sido: regionSido, sigungu: regionSigungu, situation };
      const { input, messages } = profileInput(values);
      if (Object.keys(messages).length > 0) return showMe(reply, viewer, { status: 400, profile: { values, messages } });
      try {
        await accounts.updateMe(viewer.id, input);
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 400) throw error;
        return showMe(reply, viewer, { status: 400, profile: { values, messages: fieldMessages(error.fields) } });
      }
      return reply.redirect('/me?msg=profile-saved', 303);
    },
  );

  app.post(
    '/me/notices',
    { schema: { hide: true, body: z.object({ ...csrfField, noticeConsent: z.enum(['on', 'off']) }) } },
    async (request, reply) => {
      const viewer = checkedForm(request, reply, request.body._csrf);
      if (!viewer) return reply;
      const on = request.body.noticeConsent === 'on';
      await accounts.updateMe(viewer.id, { noticeConsent: on });
      return reply.redirect(`/me?msg=${on ? 'notices-on' : 'notices-off'}`, 303);
    },
  );

  app.post(
    '/me/password',
    { config: limited, schema: { hide: true, body: z.object({ ...csrfField, currentPassword: text(256), newPassword: text(256), newPasswordConfirm: text(256) }) } },
    async (request, reply) => {
      const viewer = checkedForm(request, reply, request.body._csrf);
      if (!viewer) return reply;
      const { currentPassword, newPassword, newPasswordConfirm } = request.body;
      if (newPassword !== newPasswordConfirm) {
        return showMe(reply, viewer, { status: 400, password: { messages: { newPasswordConfirm: '두 비밀번호가 같지 않습니다.' } } });
      }
      let sessionId: string;
      try {
        const user = await accounts.changePassword(viewer.id, { currentPassword, newPassword, clientIp: request.ip });
        // Every session ended with the change; this browser gets a new one.
        const previous = pageSessionId(request);
        if (previous) await accounts.endWebSession(previous);
        sessionId = await accounts.startWebSession(user);
      } catch (error) {
        if (!(error instanceof AppError) || (error.status !== 400 && error.status !== 429)) throw error;
        return showMe(reply, viewer, { status: error.status, password: { messages: error.fields ? fieldMessages(error.fields) : { currentPassword: error.message } } });
      }
      return setSession(reply, sessionId).redirect('/me?msg=password-changed', 303);
    },
  );

  app.get('/me/delete', { schema: { hide: true } }, async (request, reply) => {
    const viewer = signedIn(request, reply);
    if (!viewer) return reply;
    return reply.page(deleteConfirmView({ csrf: viewer.csrf, email: viewer.email }));
  });

  app.post(
    '/me/delete',
    { config: limited, schema: { hide: true, body: z.object({ ...csrfField, password: text(256), confirm: z.literal('yes').optional() }) } },
    async (request, reply) => {
      const viewer = checkedForm(request, reply, request.body._csrf);
      if (!viewer) return reply;
      const again = (status: number, messages: FieldMessages): FastifyReply =>
        reply.page(deleteConfirmView({ csrf: viewer.csrf, email: viewer.email, messages }), { status });
      if (request.body.confirm !== 'yes') return again(400, { confirm: '되돌릴 수 없다는 데 동의해 주셔야 삭제할 수 있습니다.' });
      try {
        await accounts.deleteAccount(viewer.id, { password: request.body.password, clientIp: request.ip });
      } catch (error) {
        if (!(error instanceof AppError) || ![400, 409, 429].includes(error.status)) throw error;
        return again(error.status, error.fields ? fieldMessages(error.fields) : { password: error.message });
      }
      const sessionId = pageSessionId(request);
      if (sessionId) await accounts.endWebSession(sessionId);
      request.pageFrame = viewerFrame(undefined);
      return clearSession(reply).page(deletedView());
    },
  );
});


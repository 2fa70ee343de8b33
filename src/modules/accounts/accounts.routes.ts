import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin, requireUser, requireUserOrSession, signedInUser } from '../../http/auth.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import {
  isTokenProblem,
  resendAcceptedPage,
  resetDonePage,
  resetFailedPage,
  resetFormPage,
  resetRequestedPage,
  resetRequestFormPage,
  verifiedPage,
  verifyConfirmPage,
  verifyFailedPage,
} from './accounts.pages.ts';
import { profilePatchSchema } from './accounts.profile.ts';
import {
  acceptedSchema,
  changePasswordBody,
  deleteAccountBody,
  emailBody,
  loginBody,
  meSchema,
  publicUserSchema,
  refreshBody,
  resetConfirmBody,
  sessionSchema,
  signupAcceptedSchema,
  signupBody,
  tokenBody,
  userList,
  usersQuery,
} from './accounts.schemas.ts';
import { ACCOUNTS } from './accounts.tasks.ts';

const RESEND_ACCEPTED = '가입되어 있고 아직 인증하지 않은 주소라면 인증 메일을 보냅니다.';
const RESET_ACCEPTED = '가입된 주소라면 비밀번호 재설정 메일을 보냅니다.';

const pageQuery = z.object({ token: z.string().max(200).optional() });

/** A page opened from a mail: its token must not leak (no cache, no Referer, no script: reply.page's defaults). */
function sendPage(reply: FastifyReply, status: number, title: string, body: SafeHtml): FastifyReply {
  return reply.page({ title, body: html`<div class="card">${body}</div>`, noindex: true }, { status });
}

/**
 * Accounts: the JSON API under /api/accounts, the pages the mail links open, and the users list of
 * the admin API. Every route that takes a password, a token or an address is rate-limited per
 * client IP (AUTH_RATE_LIMIT_PER_MINUTE).
 */
export default defineRoutes(ACCOUNTS, (app, accounts) => {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const limited = app.authRateLimit;
  const tags = ['accounts'];

  typed.post(
    '/api/accounts/signup',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Sign up: 201 whether or not the address is taken (its owner is mailed instead); the verification mail is sent by a task',
        body: signupBody,
        response: { 201: signupAcceptedSchema, 400: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => reply.status(201).send(await accounts.signup(request.body)),
  );

  typed.post(
    '/api/accounts/verify-email',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Verify the e-mail address with the token from the mail',
        body: tokenBody,
        response: { 200: z.object({ verified: z.literal(true), user: publicUserSchema }), 400: errorBodySchema, 410: errorBodySchema },
      },
    },
    async (request) => ({ verified: true as const, user: await accounts.verifyEmail(request.body.token) }),
  );

  typed.post(
    '/api/accounts/verify-email/resend',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Send the verification mail again (202 whatever the address)',
        body: emailBody,
        response: { 202: acceptedSchema, 400: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      await accounts.resendVerification(request.body.email);
      return reply.status(202).send({ status: 'accepted' as const, message: RESEND_ACCEPTED });
    },
  );

  typed.post(
    '/api/accounts/login',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Log in: a short-lived access token (JWT) and a rotating refresh token',
        body: loginBody,
        response: { 200: sessionSchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request) => accounts.login(request.body.email, request.body.password, request.ip),
  );

  typed.post(
    '/api/accounts/token/refresh',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Trade a refresh token for a new access + refresh token (the old one dies)',
        body: refreshBody,
        response: { 200: sessionSchema, 401: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request) => accounts.refresh(request.body.refreshToken),
  );

  typed.post(
    '/api/accounts/logout',
    {
      config: limited,
      schema: { tags, summary: 'End the session of this refresh token', body: refreshBody, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await accounts.logout(request.body.refreshToken);
      return reply.status(204).send(null);
    },
  );

  typed.post(
    '/api/accounts/logout-all',
    {
      preHandler: requireUser,
      schema: { tags, summary: 'End every session of the signed-in user', security: [{ bearer: [] }], response: { 204: z.null(), 401: errorBodySchema } },
    },
    async (request, reply) => {
      await accounts.logoutEverywhere(signedInUser(request).id);
      return reply.status(204).send(null);
    },
  );

  // The signed-in person, with a bearer token or the page session (whose changes need X-CSRF-Token).
  const me = { tags, security: [{ bearer: [] as string[] }] };

  typed.get(
    '/api/accounts/me',
    {
      preHandler: requireUserOrSession,
      schema: { ...me, summary: 'The signed-in person: account and profile', response: { 200: meSchema, 401: errorBodySchema } },
    },
    async (request) => accounts.getMe(signedInUser(request).id),
  );

  typed.patch(
    '/api/accounts/me',
    {
      preHandler: requireUserOrSession,
      schema: {
        ...me,
        summary: 'Change the name, profile (birth year, region 시도/시군구, situation) or notice consent; only the fields given, null empties one',
        body: profilePatchSchema,
        response: { 200: meSchema, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema },
      },
    },
    async (request) => accounts.updateMe(signedInUser(request).id, request.body),
  );

  typed.post(
    '/api/accounts/me/password',
    {
      config: limited,
      preHandler: requireUserOrSession,
      schema: {
        ...me,
        summary: 'Change the password (the current one proves it is you); every session ends, log in again',
        body: changePasswordBody,
        response: { 200: z.object({ status: z.literal('password-changed') }), 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request) => {
      await accounts.changePassword(signedInUser(request).id, { ...request.body, clientIp: request.ip });
      return { status: 'password-changed' as const };
    },
  );

  typed.delete(
    '/api/accounts/me',
    {
      config: limited,
      preHandler: requireUserOrSession,
      schema: {
        ...me,
        summary: 'Delete the account (the password proves it is you): personal data, sessions and pending notice deliveries go',
        body: deleteAccountBody,
        response: { 204: z.null(), 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 409: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      await accounts.deleteAccount(signedInUser(request).id, { password: request.body.password, clientIp: request.ip });
      return reply.status(204).send(null);
    },
  );

  typed.post(
    '/api/accounts/password-reset',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Mail a password-reset link (202 whatever the address)',
        body: emailBody,
        response: { 202: acceptedSchema, 400: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(request.body.email);
      return reply.status(202).send({ status: 'accepted' as const, message: RESET_ACCEPTED });
    },
  );

  typed.post(
    '/api/accounts/password-reset/confirm',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Set a new password with the reset token; every session ends',
        body: resetConfirmBody,
        response: { 200: z.object({ status: z.literal('password-changed') }), 400: errorBodySchema, 410: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request) => {
      await accounts.confirmPasswordReset(request.body.token, request.body.newPassword);
      return { status: 'password-changed' as const };
    },
  );

  // Pages opened from the mails: plain HTML forms, no script, so they work everywhere.

  typed.get(
    '/accounts/verify-email',
    { config: limited, schema: { hide: true, querystring: pageQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      const problem = await accounts.inspectToken(token, 'verify-email');
      if (problem) return sendPage(reply, problem === 'TOKEN_INVALID' ? 400 : 410, '이메일 인증', verifyFailedPage(problem));
      return sendPage(reply, 200, '이메일 인증', verifyConfirmPage(token));
    },
  );

  typed.post(
    '/accounts/verify-email',
    { config: limited, schema: { hide: true, body: z.object({ token: z.string().max(200) }) } },
    async (request, reply) => {
      const outcome = await accounts.verifyEmail(request.body.token).then(
        (user) => ({ user }),
        (error: unknown) => {
          if (error instanceof AppError && isTokenProblem(error.code)) return { problem: error.code, status: error.status };
          throw error;
        },
      );
      if ('problem' in outcome) return sendPage(reply, outcome.status, '이메일 인증', verifyFailedPage(outcome.problem));
      return sendPage(reply, 200, '이메일 인증 완료', verifiedPage(outcome.user.name));
    },
  );

  typed.post(
    '/accounts/verify-email/resend',
    { config: limited, schema: { hide: true, body: z.object({ email: z.string().max(254) }) } },
    async (request, reply) => {
      const parsed = emailBody.safeParse(request.body);
      if (parsed.success) await accounts.resendVerification(parsed.data.email);
      return sendPage(reply, 202, '인증 메일 다시 받기', resendAcceptedPage());
    },
  );

  typed.get(
    '/accounts/password-reset',
    { config: limited, schema: { hide: true, querystring: pageQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      const problem = await accounts.inspectToken(token, 'reset-password');
      if (problem) return sendPage(reply, problem === 'TOKEN_INVALID' ? 400 : 410, '비밀번호 재설정', resetFailedPage(problem));
      return sendPage(reply, 200, '비밀번호 재설정', resetFormPage(token));
    },
  );

  typed.post(
    '/accounts/password-reset',
    {
      config: limited,
      schema: {
        hide: true,
        body: z.object({ token: z.string().max(200), newPassword: z.string().max(256), newPasswordConfirm: z.string().max(256) }),
      },
    },
    async (request, reply) => {
      const { token, newPassword, newPasswordConfirm } = request.body;
      if (newPassword !== newPasswordConfirm) {
        return sendPage(reply, 400, '비밀번호 재설정', resetFormPage(token, '두 비밀번호가 같지 않습니다.'));
      }
      const failure = await accounts.confirmPasswordReset(token, newPassword).then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof AppError && (isTokenProblem(error.code) || error.code === 'WEAK_PASSWORD')) return error;
          throw error;
        },
      );
      if (!failure) return sendPage(reply, 200, '비밀번호 변경 완료', resetDonePage());
      if (isTokenProblem(failure.code)) return sendPage(reply, failure.status, '비밀번호 재설정', resetFailedPage(failure.code));
      return sendPage(reply, 400, '비밀번호 재설정', resetFormPage(token, failure.message));
    },
  );

  typed.get('/accounts/password-reset/request', { config: limited, schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, 200, '비밀번호 재설정', resetRequestFormPage()),
  );

  typed.post(
    '/accounts/password-reset/request',
    { config: limited, schema: { hide: true, body: z.object({ email: z.string().max(254) }) } },
    async (request, reply) => {
      const parsed = emailBody.safeParse(request.body);
      if (parsed.success) await accounts.requestPasswordReset(parsed.data.email);
      return sendPage(reply, 202, '비밀번호 재설정', resetRequestedPage());
    },
  );

  typed.get(
    '/api/admin/users',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Users, newest first, searched by address or name and filtered by notice consent and e-mail verification: who receives notices',
        security: [{ bearer: [] }],
        querystring: usersQuery,
        response: { 200: userList, 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema },
      },
    },
    async (request) => {
      const { page, pageSize, q, consent, verified } = request.query;
      const result = await accounts.listUsers({ q, consent, verified }, page, pageSize);
      return {
        ...result,
        items: result.items.map((user) => ({
          id: user.publicId,
          email: user.email,
          name: user.name,
          noticeConsent: user.noticeConsent,
          emailVerified: user.emailVerifiedAt !== null,
          emailVerifiedAt: user.emailVerifiedAt ? user.emailVerifiedAt.toISOString() : null,
          isAdmin: user.isAdmin,
          createdAt: user.createdAt.toISOString(),
        })),
      };
    },
  );
});

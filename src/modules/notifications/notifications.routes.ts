import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireAdmin, signedInUser } from '../../http/auth.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import {
  createNoticeBody,
  noticeDetail,
  noticeIdParams,
  noticeList,
  noticeView,
  pageQuery,
  resumeAccepted,
  sendAccepted,
  unsubscribeBody,
  unsubscribed,
  unsubscribeFormBody,
  unsubscribeQuery,
} from './notifications.schemas.ts';
import { NOTIFICATIONS } from './notifications.tasks.ts';
import { invalidUnsubscribePage, unsubscribeConfirmPage, unsubscribedPage } from './notifications.templates.ts';

const adminErrors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/**
 * Admin notices under /api/admin (admins only), the one-click unsubscribe API and its
 * confirmation page (token only, no login).
 */
export default defineRoutes(NOTIFICATIONS, (instance, notifications) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const service = (): typeof notifications => notifications;

  // RFC 8058 one-click POSTs are form-encoded (or multipart); the token travels in the URL.
  if (!app.hasContentTypeParser('multipart/form-data')) {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16_384 }, (_request, _body, done) => {
      done(null, {});
    });
  }

  app.post(
    '/api/admin/notices',
    {
      preHandler: requireAdmin,
      // A notice's body is Markdown: its line breaks and tabs are content.
      config: { multilineFields: ['content'] },
      schema: {
        tags: ['notices'],
        summary: 'Write a notice (not sent yet)',
        security: [{ bearer: [] }],
        body: createNoticeBody,
        response: { 201: noticeView, ...adminErrors },
      },
    },
    async (request, reply) => {
      const notice = await service().createNotice(request.body, signedInUser(request).id);
      return reply.status(201).send(notice);
    },
  );

  app.get(
    '/api/admin/notices',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['notices'],
        summary: 'Notices, newest first, with delivery counts',
        security: [{ bearer: [] }],
        querystring: pageQuery,
        response: { 200: noticeList, ...adminErrors },
      },
    },
    (request) => service().listNotices(request.query.page, request.query.pageSize),
  );

  app.get(
    '/api/admin/notices/:id',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['notices'],
        summary: 'A notice with its deliveries: total, pending, sent, failed, and the failures with their SMTP reply',
        security: [{ bearer: [] }],
        params: noticeIdParams,
        response: { 200: noticeDetail, ...adminErrors },
      },
    },
    (request) => service().getNotice(request.params.id),
  );

  app.post(
    '/api/admin/notices/:id/send',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['notices'],
        summary: 'Send a notice to every consenting, verified user; sending it again starts nothing new',
        security: [{ bearer: [] }],
        params: noticeIdParams,
        response: { 202: sendAccepted, ...adminErrors },
      },
    },
    async (request, reply) => {
      const accepted = await service().requestSend(request.params.id, signedInUser(request));
      return reply.status(202).send(accepted);
    },
  );

  app.post(
    '/api/admin/notices/:id/resume',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['notices'],
        summary: "Re-enqueue the notice's pending deliveries (after an SMTP outage outlasted the retries)",
        security: [{ bearer: [] }],
        params: noticeIdParams,
        response: { 202: resumeAccepted, 409: errorBodySchema, ...adminErrors },
      },
    },
    async (request, reply) => {
      const accepted = await service().requestResume(request.params.id);
      return reply.status(202).send(accepted);
    },
  );

  app.post(
    '/api/notices/unsubscribe',
    {
      schema: {
        tags: ['notices'],
        summary: 'One-click unsubscribe (RFC 8058): turns notice consent off; token in the URL or the body, no login',
        querystring: unsubscribeQuery,
        body: unsubscribeBody,
        response: { 200: unsubscribed, 400: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request) => {
      const token = request.query.token ?? request.body?.token;
      if (!token) {
        throw new AppError(400, 'VALIDATION_FAILED', '수신 거부 토큰이 없습니다.', [{ field: 'token', message: 'required' }]);
      }
      await service().unsubscribe(token);
      return { unsubscribed: true as const };
    },
  );

  app.get(
    '/notices/unsubscribe',
    { schema: { hide: true, querystring: unsubscribeQuery } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      const info = await service().unsubscribeInfo(token);
      if (!info) return reply.page(invalidUnsubscribePage(), { status: 404 });
      return reply.page(unsubscribeConfirmPage({ token, email: info.email, alreadyOff: info.alreadyOff }));
    },
  );

  app.post(
    '/notices/unsubscribe',
    { schema: { hide: true, body: unsubscribeFormBody } },
    async (request, reply) => {
      const done = await service()
        .unsubscribe(request.body.token)
        .then(() => true)
        .catch((error: unknown) => {
          if (error instanceof AppError && error.status === 404) return false;
          throw error;
        });
      return done ? reply.page(unsubscribedPage()) : reply.page(invalidUnsubscribePage(), { status: 404 });
    },
  );
});

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { defineRoutes } from '../../http/routes.ts';
import { createNoticeBody } from '../notifications/index.ts';
import { adminGuards, csrfField, recordAction, signedInAdmin } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { csrfBody, flashQuery, idParams, noticeBody, pageNumber } from './admin.schemas.ts';
import { isSending, noticeDetailView, noticeFormView, noticeListView, sendConfirmView } from './views/notices.ts';

const NOTICES_PAGE_SIZE = 20;

/** Notices: write, edit a draft, send with a confirmation, follow the sending, resume. */
export default defineRoutes(ADMIN, (instance, admin) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const guard = adminGuards(admin, 'notices');
  const page = { preValidation: guard.page };
  const form = { preValidation: guard.page, preHandler: guard.csrf };
  const notifications = admin.notifications;

  /** A notice's body is Markdown: its line breaks and tabs are content. */
  const NOTICE_TEXT = { multilineFields: ['content'] };

  /** The form again, as it was filled in, with what is wrong with it (400). */
  const invalidForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    notice: { id: number; title: string; content: string },
    error: z.ZodError,
  ): FastifyReply =>
    reply.page(
      { title, body: noticeFormView({ csrf: csrfField(request), notice, errors: error.issues.map((issue) => issue.message) }) },
      { status: 400 },
    );

  app.get('/admin/notices', { ...page, schema: { hide: true, querystring: flashQuery.extend({ page: pageNumber }) } }, async (request, reply) => {
    const list = await notifications.listNotices(request.query.page, NOTICES_PAGE_SIZE);
    return reply.page({ title: '공지', body: noticeListView({ ...list, ...(request.query.msg ? { msg: request.query.msg } : {}) }) });
  });

  app.get('/admin/notices/new', { ...page, schema: { hide: true } }, (request, reply) =>
    reply.page({ title: '새 공지', body: noticeFormView({ csrf: csrfField(request) }) }),
  );

  app.post('/admin/notices', { ...form, config: NOTICE_TEXT, schema: { hide: true, body: noticeBody } }, async (request, reply) => {
    const parsed = createNoticeBody.safeParse({ title: request.body.title, content: request.body.content });
    if (!parsed.success) return invalidForm(request, reply, '새 공지', { id: 0, ...request.body }, parsed.error);
    const notice = await notifications.createNotice(parsed.data, request.admin?.id ?? null);
    await recordAction(admin, request, { action: 'notice.create', target: `notice:${notice.id}`, detail: { title: notice.title } });
    return reply.redirect(`/admin/notices/${notice.id}?msg=notice-created`, 303);
  });

  app.get('/admin/notices/:id', { ...page, schema: { hide: true, params: idParams, querystring: flashQuery } }, async (request, reply) => {
    const notice = await notifications.getNotice(request.params.id);
    return reply.page(
      { title: notice.title, body: noticeDetailView({ notice, csrf: csrfField(request), ...(request.query.msg ? { msg: request.query.msg } : {}) }) },
      { script: isSending(notice) },
    );
  });

  app.get('/admin/notices/:id/progress', { preValidation: guard.json, schema: { hide: true, params: idParams } }, async (request, reply) => {
    const notice = await notifications.getNotice(request.params.id);
    return reply.header('cache-control', 'no-store').send({ ...notice.deliveries, sending: isSending(notice), done: notice.sentAt !== null && !isSending(notice) });
  });

  app.get('/admin/notices/:id/edit', { ...page, schema: { hide: true, params: idParams } }, async (request, reply) => {
    const notice = await notifications.getNotice(request.params.id);
    if (notice.sentAt !== null) return reply.redirect(`/admin/notices/${notice.id}?msg=notice-locked`, 303);
    return reply.page({ title: '공지 고치기', body: noticeFormView({ csrf: csrfField(request), notice }) });
  });

  app.post('/admin/notices/:id/edit', { ...form, config: NOTICE_TEXT, schema: { hide: true, params: idParams, body: noticeBody } }, async (request, reply) => {
    const { id } = request.params;
    const parsed = createNoticeBody.safeParse({ title: request.body.title, content: request.body.content });
    if (!parsed.success) return invalidForm(request, reply, '공지 고치기', { id, ...request.body }, parsed.error);
    if ((await notifications.updateDraft(id, parsed.data)) === 'locked') return reply.redirect(`/admin/notices/${id}?msg=notice-locked`, 303);
    await recordAction(admin, request, { action: 'notice.update', target: `notice:${id}`, detail: { title: parsed.data.title } });
    return reply.redirect(`/admin/notices/${id}?msg=notice-updated`, 303);
  });

  app.get('/admin/notices/:id/send', { ...page, schema: { hide: true, params: idParams } }, async (request, reply) => {
    const notice = await notifications.getNotice(request.params.id);
    if (notice.sentAt !== null) return reply.redirect(`/admin/notices/${notice.id}?msg=notice-already`, 303);
    const { total } = await admin.accounts.listUsers({ consent: true, verified: true }, 1, 1);
    return reply.page({ title: '발송 확인', body: sendConfirmView({ notice, recipients: total, csrf: csrfField(request) }) });
  });

  app.post(
    '/admin/notices/:id/send',
    { ...form, schema: { hide: true, params: idParams, body: csrfBody.extend({ confirm: z.literal('yes') }) } },
    async (request, reply) => {
      const { id, name } = signedInAdmin(request);
      const noticeId = request.params.id;
      const accepted = await notifications.requestSend(noticeId, { id, name });
      await recordAction(admin, request, { action: 'notice.send', target: `notice:${noticeId}`, detail: { taskId: accepted.taskId, alreadyRequested: accepted.alreadyRequested } });
      return reply.redirect(`/admin/notices/${noticeId}?msg=${accepted.alreadyRequested ? 'notice-already' : 'notice-sending'}`, 303);
    },
  );

  app.post('/admin/notices/:id/resume', { ...form, schema: { hide: true, params: idParams, body: csrfBody } }, async (request, reply) => {
    const { id } = request.params;
    const accepted = await notifications.requestResume(id);
    await recordAction(admin, request, { action: 'notice.resume', target: `notice:${id}`, detail: { taskId: accepted.taskId, round: accepted.round } });
    return reply.redirect(`/admin/notices/${id}?msg=notice-resumed`, 303);
  });
});

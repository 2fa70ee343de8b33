import formbody from '@fastify/formbody';
import { CronExpressionParser } from 'cron-parser';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { renderPage } from '../../http/pages/layout.ts';
import { lastScheduleRuns, retryFailedTask, runScheduleNow } from '../../tasks/admin-ops.ts';
import { listScheduled, pauseSchedule, resumeSchedule } from '../../tasks/beat.ts';
import { activeTasks, queueStats, recentFailures, workersSeen } from '../../tasks/inspect.ts';
import { AppError } from '../../utils/errors.ts';
import { html } from '../../utils/html.ts';
import { LOAD_TASKS } from '../dataload/dataload.tasks.ts';
import { SOURCE_NAMES } from '../dataload/dataload.types.ts';
import { createNoticeBody } from '../notifications/notifications.schemas.ts';
import {
  adminServiceFor,
  applyPageHeaders,
  clientIp,
  csrfField,
  loadAdminSession,
  requireAdminJson,
  requireAdminPage,
  requireCsrf,
  safeNext,
  sendAdminPage,
  sessionCookie,
  type AdminSection,
} from './admin.http.ts';
import type { AuditEntry } from './admin.repository.ts';
import { registerQueuesBoard } from './queues-board.ts';
import { dashboardView } from './views/dashboard.ts';
import { loginView } from './views/login.ts';
import { isSending, noticeDetailView, noticeFormView, noticeListView, sendConfirmView } from './views/notices.ts';
import { dataloadView, schedulesView, tasksView, type ScheduleRow } from './views/operations.ts';
import { auditView, usersView } from './views/records.ts';

const DASHBOARD_REFRESH_S = 10;
const NOTICES_PAGE_SIZE = 20;
const USERS_PAGE_SIZE = 50;
const AUDIT_PAGE_SIZE = 50;

const flashQuery = z.object({ msg: z.string().max(40).optional(), task: z.string().max(200).optional() });
const idParams = z.object({ id: z.coerce.number().int().positive() });
const pageNumber = z.coerce.number().int().min(1).max(100_000).default(1);
const queryBoolean = z.enum(['true', 'false', '']).optional().transform((value) => (value === 'true' ? true : value === 'false' ? false : undefined));
const csrfBody = z.object({ _csrf: z.string().max(200).optional() });
const noticeBody = csrfBody.extend({ title: z.string().max(10_000).default(''), content: z.string().max(100_000).default('') });

const pageGuard = { preHandler: [requireAdminPage] };

function nextFromCron(cron: string, tz: string): string | undefined {
  try {
    return CronExpressionParser.parse(cron, { tz, currentDate: new Date() }).next().toISOString() ?? undefined;
  } catch {
    return undefined;
  }
}
const formGuard = { preHandler: [requireAdminPage, requireCsrf] };

/**
 * The server-rendered Korean admin under /admin: session login with CSRF tokens, dashboard,
 * notices, users, schedules, public data, tasks, the audit log, and bull-board at /admin/queues.
 */
const adminRoutes: FastifyPluginAsync = async (instance) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const ctx = app.ctx;
  const admin = adminServiceFor(ctx);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) applyPageHeaders(reply);
    return payload;
  });

  app.setErrorHandler(async (error: FastifyError | Error, request, reply) => {
    let status = 500;
    let message = '요청을 처리하지 못했습니다. 오류는 서버 로그에 남았습니다.';
    if (error instanceof AppError) {
      status = error.status;
      message = error.message;
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      message = `입력값이 올바르지 않습니다: ${error.validation.map((issue) => issue.instancePath || issue.message).join(', ')}`;
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      status = error.statusCode;
      message = error.message;
    } else {
      request.log.error({ err: error }, 'admin request failed');
    }
    if (request.url.split('?')[0]?.endsWith('/progress')) {
      return reply.status(status).send({ error: { code: status === 500 ? 'INTERNAL' : 'ERROR', message } });
    }
    return sendAdminPage(request, reply, {
      title: '오류',
      section: 'dashboard',
      status,
      body: html`<div class="card"><h1>${status === 404 ? '찾을 수 없습니다' : '요청을 처리할 수 없습니다'}</h1><p>${message}</p><p><a href="/admin">대시보드로</a></p></div>`,
    });
  });

  const record = (request: FastifyRequest, entry: Omit<AuditEntry, 'adminUserId' | 'adminEmail' | 'ip'>): Promise<void> =>
    admin.audit({ ...entry, adminUserId: request.admin?.id ?? null, adminEmail: request.admin?.email ?? null, ip: clientIp(request) });

  const notFound = (request: FastifyRequest, reply: FastifyReply, section: AdminSection, text: string): FastifyReply =>
    sendAdminPage(request, reply, {
      title: '찾을 수 없음',
      section,
      status: 404,
      body: html`<div class="card"><h1>찾을 수 없습니다</h1><p>${text}</p><p><a href="/admin">대시보드로</a></p></div>`,
    });

  // ── Login and logout ────────────────────────────────────────────────────────────────────────
  const showLogin = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { status?: number; next?: string; email?: string; error?: string; info?: string } = {},
  ): Promise<FastifyReply> => {
    let csrf = request.adminSession?.userId === null ? request.adminSession.csrf : undefined;
    if (!csrf) {
      const started = await admin.startAnonymous();
      csrf = started.session.csrf;
      reply.header('set-cookie', sessionCookie(ctx, started.sessionId, 30 * 60));
    }
    return reply
      .status(options.status ?? 200)
      .header('content-type', 'text/html; charset=utf-8')
      .send(
        renderPage({
          title: '관리자 로그인',
          body: loginView({
            csrf,
            next: safeNext(options.next),
            ...(options.email ? { email: options.email } : {}),
            ...(options.error ? { error: options.error } : {}),
            ...(options.info ? { info: options.info } : {}),
          }),
        }),
      );
  };

  app.get(
    '/admin/login',
    { schema: { hide: true, querystring: z.object({ next: z.string().max(500).optional(), msg: z.string().max(40).optional() }) } },
    async (request, reply) => {
      if (await loadAdminSession(request)) return reply.redirect(safeNext(request.query.next), 303);
      return showLogin(request, reply, {
        ...(request.query.next ? { next: request.query.next } : {}),
        ...(request.query.msg === 'logged-out' ? { info: '로그아웃했습니다.' } : {}),
      });
    },
  );

  app.post(
    '/admin/login',
    {
      schema: {
        hide: true,
        body: csrfBody.extend({ email: z.string().max(254).default(''), password: z.string().max(256).default(''), next: z.string().max(500).optional() }),
      },
    },
    async (request, reply) => {
      const { email, password, next } = request.body;
      // A second tab's login form after signing in elsewhere: already done, keep the session.
      if (await loadAdminSession(request)) return reply.redirect(safeNext(next), 303);
      const form = { email, ...(next ? { next } : {}) };
      if (request.adminSession?.userId !== null || !admin.csrfMatches(request.adminSession, request.body._csrf)) {
        request.adminSession = undefined;
        return showLogin(request, reply, { ...form, status: 403, error: '로그인 양식이 만료되었습니다. 다시 입력해 주세요.' });
      }
      const result = await admin.login({ email, password, ip: clientIp(request), ...(request.adminSessionId ? { previousSessionId: request.adminSessionId } : {}) });
      if (!result.ok) {
        if (result.reason === 'rate-limited') {
          return showLogin(request, reply, { ...form, status: 429, error: '로그인 시도가 너무 많습니다. 잠시 뒤에 다시 시도해 주세요.' });
        }
        await admin.audit({ adminUserId: null, adminEmail: null, action: 'login.refused', target: email.slice(0, 254), detail: { reason: result.reason }, ip: clientIp(request) });
        return showLogin(request, reply, { ...form, status: 401, error: '관리자 계정의 이메일 또는 비밀번호가 올바르지 않습니다.' });
      }
      await admin.audit({ adminUserId: result.admin.id, adminEmail: result.admin.email, action: 'login', ip: clientIp(request) });
      return reply.header('set-cookie', sessionCookie(ctx, result.sessionId, admin.sessionMaxAgeSeconds)).redirect(safeNext(next), 303);
    },
  );

  app.post('/admin/logout', { schema: { hide: true, body: csrfBody }, ...formGuard }, async (request, reply) => {
    if (request.adminSessionId) await admin.logout(request.adminSessionId);
    await record(request, { action: 'logout' });
    return reply.header('set-cookie', sessionCookie(ctx, '', 0)).redirect('/admin/login?msg=logged-out', 303);
  });

  // ── Dashboard ───────────────────────────────────────────────────────────────────────────────
  app.get('/admin', { schema: { hide: true }, ...pageGuard }, async (request, reply) => {
    const [stats, workers, failures, active] = await Promise.all([
      queueStats(ctx.broker),
      workersSeen(ctx.broker),
      recentFailures(ctx.broker, 10),
      activeTasks(ctx.broker, 20),
    ]);
    return sendAdminPage(request, reply, {
      title: '대시보드',
      section: 'dashboard',
      refreshSeconds: DASHBOARD_REFRESH_S,
      body: dashboardView({ stats, workers, failures, active, refreshSeconds: DASHBOARD_REFRESH_S, now: new Date() }),
    });
  });
  app.get('/admin/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin', 301));

  // ── Notices ─────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/admin/notices',
    { schema: { hide: true, querystring: flashQuery.extend({ page: pageNumber }) }, ...pageGuard },
    async (request, reply) => {
      const list = await ctx.notifications.listNotices(request.query.page, NOTICES_PAGE_SIZE);
      return sendAdminPage(request, reply, {
        title: '공지',
        section: 'notices',
        body: noticeListView({ ...list, ...(request.query.msg ? { msg: request.query.msg } : {}) }),
      });
    },
  );

  app.get('/admin/notices/new', { schema: { hide: true }, ...pageGuard }, (request, reply) =>
    sendAdminPage(request, reply, { title: '새 공지', section: 'notices', body: noticeFormView({ csrf: csrfField(request) }) }),
  );

  app.post('/admin/notices', { schema: { hide: true, body: noticeBody }, ...formGuard }, async (request, reply) => {
    const parsed = createNoticeBody.safeParse({ title: request.body.title, content: request.body.content });
    if (!parsed.success) {
      return sendAdminPage(request, reply, {
        title: '새 공지',
        section: 'notices',
        status: 400,
        body: noticeFormView({
          csrf: csrfField(request),
          notice: { id: 0, title: request.body.title, content: request.body.content },
          errors: parsed.error.issues.map((issue) => issue.message),
        }),
      });
    }
    const notice = await ctx.notifications.createNotice(parsed.data, request.admin?.id ?? null);
    await record(request, { action: 'notice.create', target: `notice:${notice.id}`, detail: { title: notice.title } });
    return reply.redirect(`/admin/notices/${notice.id}?msg=notice-created`, 303);
  });

  app.get(
    '/admin/notices/:id',
    { schema: { hide: true, params: idParams, querystring: flashQuery }, ...pageGuard },
    async (request, reply) => {
      const notice = await ctx.notifications.getNotice(request.params.id);
      return sendAdminPage(request, reply, {
        title: notice.title,
        section: 'notices',
        withScript: isSending(notice),
        body: noticeDetailView({ notice, csrf: csrfField(request), ...(request.query.msg ? { msg: request.query.msg } : {}) }),
      });
    },
  );

  app.get('/admin/notices/:id/progress', { schema: { hide: true, params: idParams }, preHandler: [requireAdminJson] }, async (request, reply) => {
    const notice = await ctx.notifications.getNotice(request.params.id);
    return reply.header('cache-control', 'no-store').send({ ...notice.deliveries, sending: isSending(notice), done: notice.sentAt !== null && !isSending(notice) });
  });

  app.get('/admin/notices/:id/edit', { schema: { hide: true, params: idParams }, ...pageGuard }, async (request, reply) => {
    const notice = await ctx.notifications.getNotice(request.params.id);
    if (notice.sentAt !== null) return reply.redirect(`/admin/notices/${notice.id}?msg=notice-locked`, 303);
    return sendAdminPage(request, reply, { title: '공지 고치기', section: 'notices', body: noticeFormView({ csrf: csrfField(request), notice }) });
  });

  app.post('/admin/notices/:id/edit', { schema: { hide: true, params: idParams, body: noticeBody }, ...formGuard }, async (request, reply) => {
    const { id } = request.params;
    const parsed = createNoticeBody.safeParse({ title: request.body.title, content: request.body.content });
    if (!parsed.success) {
      return sendAdminPage(request, reply, {
        title: '공지 고치기',
        section: 'notices',
        status: 400,
        body: noticeFormView({
          csrf: csrfField(request),
          notice: { id, title: request.body.title, content: request.body.content },
          errors: parsed.error.issues.map((issue) => issue.message),
        }),
      });
    }
    const outcome = await admin.repository.updateDraftNotice(id, parsed.data);
    if (outcome === 'missing') return notFound(request, reply, 'notices', `공지 ${id}번을 찾을 수 없습니다.`);
    if (outcome === 'sent') return reply.redirect(`/admin/notices/${id}?msg=notice-locked`, 303);
    await record(request, { action: 'notice.update', target: `notice:${id}`, detail: { title: parsed.data.title } });
    return reply.redirect(`/admin/notices/${id}?msg=notice-updated`, 303);
  });

  app.get('/admin/notices/:id/send', { schema: { hide: true, params: idParams }, ...pageGuard }, async (request, reply) => {
    const notice = await ctx.notifications.getNotice(request.params.id);
    if (notice.sentAt !== null) return reply.redirect(`/admin/notices/${notice.id}?msg=notice-already`, 303);
    const { total } = await ctx.notifications.listUsers({ consent: true, verified: true }, 1, 1);
    return sendAdminPage(request, reply, { title: '발송 확인', section: 'notices', body: sendConfirmView({ notice, recipients: total, csrf: csrfField(request) }) });
  });

  app.post(
    '/admin/notices/:id/send',
    { schema: { hide: true, params: idParams, body: csrfBody.extend({ confirm: z.literal('yes') }) }, ...formGuard },
    async (request, reply) => {
      const signedIn = request.admin;
      if (!signedIn) throw new AppError(401, 'UNAUTHORIZED', '로그인이 필요합니다.');
      const { id } = request.params;
      const accepted = await ctx.notifications.requestSend(id, { id: signedIn.id, name: signedIn.name });
      await record(request, { action: 'notice.send', target: `notice:${id}`, detail: { taskId: accepted.taskId, alreadyRequested: accepted.alreadyRequested } });
      return reply.redirect(`/admin/notices/${id}?msg=${accepted.alreadyRequested ? 'notice-already' : 'notice-sending'}`, 303);
    },
  );

  app.post('/admin/notices/:id/resume', { schema: { hide: true, params: idParams, body: csrfBody }, ...formGuard }, async (request, reply) => {
    const { id } = request.params;
    const accepted = await ctx.notifications.requestResume(id);
    await record(request, { action: 'notice.resume', target: `notice:${id}`, detail: { taskId: accepted.taskId, round: accepted.round } });
    return reply.redirect(`/admin/notices/${id}?msg=notice-resumed`, 303);
  });

  // ── Users ───────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/admin/users',
    { schema: { hide: true, querystring: z.object({ q: z.string().max(100).optional(), consent: queryBoolean, verified: queryBoolean, page: pageNumber }) }, ...pageGuard },
    async (request, reply) => {
      const { q, consent, verified, page } = request.query;
      const search = { ...(q ? { q } : {}), ...(consent !== undefined ? { consent } : {}), ...(verified !== undefined ? { verified } : {}) };
      const found = await ctx.notifications.listUsers(search, page, USERS_PAGE_SIZE);
      return sendAdminPage(request, reply, { title: '사용자', section: 'users', body: usersView({ search, items: found.items, total: found.total, page, pageSize: USERS_PAGE_SIZE }) });
    },
  );

  // ── Schedules ───────────────────────────────────────────────────────────────────────────────
  app.get('/admin/schedules', { schema: { hide: true, querystring: flashQuery }, ...pageGuard }, async (request, reply) => {
    const [entries, lastRuns] = await Promise.all([listScheduled(ctx.broker, ctx.registry), lastScheduleRuns(ctx.broker, ctx.registry)]);
    const rows: ScheduleRow[] = await Promise.all(
      entries.map(async (entry) => {
        const row: ScheduleRow = { ...entry };
        if (!entry.nextRunAt && !entry.paused) {
          const next = nextFromCron(entry.cron, entry.tz);
          if (next) row.cronNextRunAt = next;
        }
        const last = lastRuns.get(entry.id);
        if (!last) return row;
        const result = await ctx.results.get(last.taskId);
        return { ...row, lastRun: { ...last, state: result.state } };
      }),
    );
    return sendAdminPage(request, reply, {
      title: '예약 작업',
      section: 'schedules',
      body: schedulesView({ rows, csrf: csrfField(request), ...(request.query.msg ? { msg: request.query.msg } : {}), ...(request.query.task ? { taskId: request.query.task } : {}) }),
    });
  });

  const scheduleParams = z.object({ id: z.string().min(1).max(200), action: z.enum(['run', 'pause', 'resume']) });
  app.post('/admin/schedules/:id/:action', { schema: { hide: true, params: scheduleParams, body: csrfBody }, ...formGuard }, async (request, reply) => {
    const { id, action } = request.params;
    if (!ctx.registry.scheduleEntries().some((entry) => entry.id === id)) return notFound(request, reply, 'schedules', `예약 항목 "${id}"이 없습니다.`);
    if (action === 'run') {
      const ref = await runScheduleNow(ctx.broker, ctx.registry, id);
      await record(request, { action: 'schedule.run', target: `schedule:${id}`, detail: { taskId: ref.id, task: ref.name } });
      return reply.redirect(`/admin/schedules?msg=schedule-run&task=${encodeURIComponent(ref.id)}`, 303);
    }
    if (action === 'pause') await pauseSchedule(ctx.broker, ctx.registry, id);
    else await resumeSchedule(ctx.broker, ctx.registry, id);
    await record(request, { action: `schedule.${action}`, target: `schedule:${id}` });
    return reply.redirect(`/admin/schedules?msg=${action === 'pause' ? 'schedule-paused' : 'schedule-resumed'}`, 303);
  });

  // ── Public data ─────────────────────────────────────────────────────────────────────────────
  app.get('/admin/dataload', { schema: { hide: true, querystring: flashQuery }, ...pageGuard }, async (request, reply) => {
    const sources = await Promise.all(
      SOURCE_NAMES.map(async (source) => ({ source, sample: ctx.dataload.isSample(source), runs: await ctx.dataload.recentRuns(10, source) })),
    );
    return sendAdminPage(request, reply, {
      title: '공공데이터',
      section: 'dataload',
      body: dataloadView({ sources, csrf: csrfField(request), ...(request.query.msg ? { msg: request.query.msg } : {}), ...(request.query.task ? { taskId: request.query.task } : {}) }),
    });
  });

  app.post(
    '/admin/dataload/:source/run',
    { schema: { hide: true, params: z.object({ source: z.enum(SOURCE_NAMES) }), body: csrfBody }, ...formGuard },
    async (request, reply) => {
      const { source } = request.params;
      const ref = await ctx.broker.enqueue(LOAD_TASKS[source], {});
      await record(request, { action: 'dataload.run', target: `source:${source}`, detail: { taskId: ref.id, task: ref.name } });
      return reply.redirect(`/admin/dataload?msg=collect-started&task=${encodeURIComponent(ref.id)}`, 303);
    },
  );

  // ── Tasks ───────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/admin/tasks',
    { schema: { hide: true, querystring: flashQuery.extend({ id: z.string().trim().max(200).optional() }) }, ...pageGuard },
    async (request, reply) => {
      const { id, msg } = request.query;
      const [result, failures] = await Promise.all([id ? ctx.results.get(id) : undefined, recentFailures(ctx.broker, 10)]);
      return sendAdminPage(request, reply, {
        title: '작업 조회',
        section: 'tasks',
        body: tasksView({ csrf: csrfField(request), recentFailures: failures, ...(id ? { id } : {}), ...(result ? { result } : {}), ...(msg ? { msg } : {}) }),
      });
    },
  );

  app.post(
    '/admin/tasks/:id/retry',
    { schema: { hide: true, params: z.object({ id: z.string().min(1).max(200) }), body: csrfBody }, ...formGuard },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await retryFailedTask(ctx.broker, id);
      if (outcome === 'retried') await record(request, { action: 'task.retry', target: `task:${id}` });
      const msg = outcome === 'retried' ? 'task-retried' : outcome === 'missing' ? 'task-missing' : 'task-not-failed';
      return reply.redirect(`/admin/tasks?id=${encodeURIComponent(id)}&msg=${msg}`, 303);
    },
  );

  // ── Audit log ───────────────────────────────────────────────────────────────────────────────
  app.get(
    '/admin/audit',
    { schema: { hide: true, querystring: z.object({ page: pageNumber, action: z.string().max(40).optional() }) }, ...pageGuard },
    async (request, reply) => {
      const { page, action } = request.query;
      const found = await admin.repository.listAudit({ limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE }, action ? { action } : {});
      return sendAdminPage(request, reply, {
        title: '감사 기록',
        section: 'audit',
        body: auditView({ ...found, page, pageSize: AUDIT_PAGE_SIZE, ...(action ? { action } : {}) }),
      });
    },
  );

  await registerQueuesBoard(app, (request, entry) => record(request, entry));
};

export default adminRoutes;

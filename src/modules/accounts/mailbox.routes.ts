import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ADMIN_COOKIE, adminFromPage, requireAdmin } from '../../http/auth.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { MailboxRepository } from '../../mail/mailbox.ts';
import type { MailboxMessageRow } from '../../mail/mailbox.tables.ts';
import { AppError } from '../../utils/errors.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { authRateLimit, registerAccountHttpPlugins, sendPage } from './accounts.http.ts';

const messageSchema = z.object({
  id: z.number(),
  messageId: z.string(),
  kind: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  createdAt: z.string(),
});

function toMessage(row: MailboxMessageRow): z.infer<typeof messageSchema> {
  return {
    id: row.id,
    messageId: row.messageId,
    kind: row.kind,
    from: row.fromAddress,
    to: row.toAddress,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    createdAt: row.createdAt.toISOString(),
  };
}

const URL_IN_TEXT = /(https?:\/\/[^\s<>"']+)/g;

/** Plain text with its http(s) links clickable, everything escaped. */
function linkify(text: string): SafeHtml {
  return html`${text.split(URL_IN_TEXT).map((part, index) => (index % 2 === 1 ? html`<a href="${part}">${part}</a>` : part))}`;
}

const seoulTime = (date: Date): string => date.toLocaleString('ko-KR', { timeZone: 'Asia/Seoul' });

function loginForm(error?: string): SafeHtml {
  return html`<h1>개발용 메일함</h1>
<p>관리자 계정으로 로그인하세요. 계정이 없다면 서버를 멈춘 뒤 <code>npx ainfo createsuperuser --email 이메일 --password 비밀번호</code>로 만드세요.</p>
${error ? html`<p class="error">${error}</p>` : ''}
<form method="post" action="/admin/mailbox/login">
<label for="email">이메일</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">비밀번호</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">로그인</button>
</form>`;
}

/**
 * The dev mailbox: GET /api/admin/mailbox (bearer, admin) and the pages /admin/mailbox (admin, by
 * bearer or by the `ainfo_admin` cookie set by the small login form here, until the admin module
 * brings its own login).
 */
export default async function mailboxRoutes(app: FastifyInstance): Promise<void> {
  await registerAccountHttpPlugins(app);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const mailbox = new MailboxRepository(() => app.ctx.database);
  const isSmtp = app.ctx.mailer.kind === 'smtp';

  typed.get(
    '/api/admin/mailbox',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Mail captured by the dev mailbox (SMTP_URL unset), newest first',
        security: [{ bearer: [] }],
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          before: z.coerce.number().int().positive().optional(),
          to: z.string().max(254).optional(),
        }),
        response: {
          200: z.object({ mode: z.enum(['smtp', 'mailbox']), messages: z.array(messageSchema) }),
          401: errorBodySchema,
          403: errorBodySchema,
        },
      },
    },
    async (request) => {
      const { limit, before, to } = request.query;
      const rows = await mailbox.list({ limit, ...(before !== undefined ? { beforeId: before } : {}), ...(to ? { to } : {}) });
      return { mode: app.ctx.mailer.kind, messages: rows.map(toMessage) };
    },
  );

  typed.get(
    '/api/admin/mailbox/:id',
    {
      preHandler: requireAdmin,
      schema: {
        tags: ['admin'],
        summary: 'One message of the dev mailbox',
        security: [{ bearer: [] }],
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: messageSchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request) => {
      const row = await mailbox.get(request.params.id);
      if (!row) throw new AppError(404, 'NOT_FOUND', '메일을 찾을 수 없습니다.');
      return toMessage(row);
    },
  );

  const showLogin = (reply: FastifyReply, error?: string): FastifyReply => sendPage(reply, 401, '개발용 메일함', loginForm(error));

  typed.get(
    '/admin/mailbox',
    { schema: { hide: true, querystring: z.object({ to: z.string().max(254).optional() }) } },
    async (request, reply) => {
      if (!(await adminFromPage(request))) return showLogin(reply);
      const { to } = request.query;
      const rows = await mailbox.list({ limit: 100, ...(to ? { to } : {}) });
      return sendPage(
        reply,
        200,
        '개발용 메일함',
        html`<h1>개발용 메일함</h1>
${isSmtp
  ? html`<p class="muted">SMTP_URL이 설정되어 있어 메일은 SMTP 서버로 발송됩니다. 아래는 설정 전에 보관된 메일입니다.</p>`
  : html`<p class="muted">SMTP_URL이 설정되지 않아 발송되는 메일이 여기에 보관됩니다. 최근 100통을 보여 줍니다.</p>`}
<form method="get" action="/admin/mailbox"><label for="to">받는 사람으로 찾기</label><input id="to" name="to" type="email" value="${to ?? ''}"><button type="submit">찾기</button></form>
${rows.length === 0
  ? html`<p>보관된 메일이 없습니다.</p>`
  : html`<table><thead><tr><th>받은 시각</th><th>받는 사람</th><th>제목</th></tr></thead><tbody>
${rows.map((row) => html`<tr><td>${seoulTime(row.createdAt)}</td><td>${row.toAddress}</td><td><a href="/admin/mailbox/${row.id}">${row.subject}</a></td></tr>\n`)}
</tbody></table>`}
<form method="post" action="/admin/mailbox/logout"><button type="submit">로그아웃</button></form>`,
      );
    },
  );

  typed.get(
    '/admin/mailbox/:id',
    { schema: { hide: true, params: z.object({ id: z.coerce.number().int().positive() }) } },
    async (request, reply) => {
      if (!(await adminFromPage(request))) return showLogin(reply);
      const row = await mailbox.get(request.params.id);
      if (!row) return sendPage(reply, 404, '메일 없음', html`<h1>메일을 찾을 수 없습니다</h1><p><a href="/admin/mailbox">메일함으로</a></p>`);
      return sendPage(
        reply,
        200,
        row.subject,
        html`<p><a href="/admin/mailbox">← 메일함</a></p>
<h1>${row.subject}</h1>
<p class="muted">보낸 사람 ${row.fromAddress}<br>받는 사람 ${row.toAddress}<br>${seoulTime(row.createdAt)} · ${row.kind} · ${row.messageId}</p>
<h2>본문</h2>
<pre>${linkify(row.textBody)}</pre>
<h2>HTML 미리 보기</h2>
<iframe title="HTML 본문" sandbox srcdoc="${row.htmlBody}" style="width:100%;height:480px;border:1px solid #eee"></iframe>`,
      );
    },
  );

  typed.post(
    '/admin/mailbox/login',
    {
      config: authRateLimit(app),
      schema: { hide: true, body: z.object({ email: z.string().max(254), password: z.string().max(256) }) },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      let accessToken: string;
      try {
        ({ accessToken } = await app.ctx.accounts.login(email, password));
      } catch (error) {
        if (error instanceof AppError && error.status < 500) return showLogin(reply, error.message);
        throw error;
      }
      const user = await app.ctx.accounts.authenticate(accessToken);
      if (!user?.isAdmin) return showLogin(reply, '관리자 계정이 아닙니다.');
      return reply
        .header('set-cookie', adminCookie(request, accessToken, app.ctx.config.auth.accessTokenTtlSeconds))
        .redirect('/admin/mailbox', 303);
    },
  );

  typed.post('/admin/mailbox/logout', { schema: { hide: true } }, async (request, reply) => {
    return reply.header('set-cookie', adminCookie(request, '', 0)).redirect('/admin/mailbox', 303);
  });
}

function adminCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = request.server.ctx.config.http.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${ADMIN_COOKIE}=${encodeURIComponent(value)}; Path=/admin; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

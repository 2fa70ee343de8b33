import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin } from '../../http/auth.ts';
import { errorBodySchema } from '../../http/errors.ts';
import { applyPageHeaders } from '../../http/pages/page.ts';
import { defineRoutes } from '../../http/routes.ts';
import type { MailboxMessageRow } from '../../mail/index.ts';
import { AppError } from '../../utils/errors.ts';
import { html, linkifyText } from '../../utils/html.ts';
import { adminGuards } from './admin.http.ts';
import { ADMIN } from './admin.module.ts';
import { seoulTime } from './views/format.ts';

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


/**
 * The dev mailbox (the mail kept while SMTP_URL is unset): GET /api/admin/mailbox (bearer, admin)
 * for scripts and tests, and the pages /admin/mailbox behind the admin session (menu item 메일함).
 */
export default defineRoutes(ADMIN, (app, admin) => {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const mailbox = admin.mailbox.repository;
  const isSmtp = admin.mailbox.kind === 'smtp';
  const guard = adminGuards(admin, 'mailbox');

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
      return { mode: admin.mailbox.kind, messages: rows.map(toMessage) };
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

  typed.get(
    '/admin/mailbox',
    { preValidation: guard.page, schema: { hide: true, querystring: z.object({ to: z.string().max(254).optional() }) } },
    async (request, reply) => {
      const { to } = request.query;
      const rows = await mailbox.list({ limit: 100, ...(to ? { to } : {}) });
      return reply.page({
        title: '메일함',
        body: html`<h1>개발용 메일함</h1>
${isSmtp
  ? html`<p class="muted">SMTP_URL이 설정되어 있어 메일은 SMTP 서버로 발송됩니다. 아래는 설정 전에 보관된 메일입니다.</p>`
  : html`<p class="muted">SMTP_URL이 설정되지 않아 발송되는 메일이 발송 대신 여기에 보관됩니다. 최근 100통을 보여 줍니다.</p>`}
<form method="get" action="/admin/mailbox" class="filters">
<div><label for="to">받는 사람</label><input id="to" name="to" type="email" maxlength="254" value="${to ?? ''}"></div>
<div><button type="submit">찾기</button></div>
</form>
${rows.length === 0
  ? html`<p>보관된 메일이 없습니다.</p>`
  : html`<div class="table-wrap"><table><thead><tr><th>받은 시각</th><th>받는 사람</th><th>제목</th></tr></thead><tbody>
${rows.map((row) => html`<tr><td>${seoulTime(row.createdAt)}</td><td>${row.toAddress}</td><td><a href="/admin/mailbox/${row.id}">${row.subject}</a></td></tr>
`)}
</tbody></table></div>`}`,
      });
    },
  );

  typed.get(
    '/admin/mailbox/:id',
    { preValidation: guard.page, schema: { hide: true, params: z.object({ id: z.coerce.number().int().positive() }) } },
    async (request, reply) => {
      const row = await mailbox.get(request.params.id);
      if (!row) {
        return reply.page(
          { title: '메일 없음', body: html`<h1>메일을 찾을 수 없습니다</h1><p><a href="/admin/mailbox">메일함으로</a></p>` },
          { status: 404 },
        );
      }
      return reply.page({
        title: row.subject,
        body: html`<p><a href="/admin/mailbox">← 메일함</a></p>
<h1>${row.subject}</h1>
<p class="muted">보낸 사람 ${row.fromAddress}<br>받는 사람 ${row.toAddress}<br>${seoulTime(row.createdAt)} · ${row.kind} · ${row.messageId}</p>
<div class="card"><pre>${linkifyText(row.textBody)}</pre></div>
<p><a href="/admin/mailbox/${row.id}/html">HTML 본문 보기</a></p>`,
      });
    },
  );

  typed.get(
    '/admin/mailbox/:id/html',
    { preValidation: guard.page, schema: { hide: true, params: z.object({ id: z.coerce.number().int().positive() }) } },
    async (request, reply) => {
      const row = await mailbox.get(request.params.id);
      if (!row) throw new AppError(404, 'NOT_FOUND', '메일을 찾을 수 없습니다.');
      // The stored HTML of a mail, shown on its own: no script, no network, a unique origin (CSP sandbox).
      return applyPageHeaders(reply, { csp: { foreignHtml: true } }).send(row.htmlBody);
    },
  );
});

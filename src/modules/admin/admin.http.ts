import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { PAGE_CSP, renderPage, type NavLink } from '../../http/pages/layout.ts';
import { readCookie } from '../../http/auth.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { RedisRateCounter } from '../accounts/rate-counter.ts';
import { AdminRepository } from './admin.repository.ts';
import { AdminService, type AdminIdentity, type AdminSession } from './admin.service.ts';

/** The admin session cookie: HttpOnly, SameSite=Lax, Path=/admin, Secure when PUBLIC_URL is https. */
export const SESSION_COOKIE = 'ainfo_admin_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin session of the cookie (signed in or only carrying the login form's CSRF token). */
    adminSession?: AdminSession;
    adminSessionId?: string;
    /** The signed-in admin, checked against the database on this request. */
    admin?: AdminIdentity;
  }
}

const services = new WeakMap<AppContext, AdminService>();

/** One AdminService per app context (its repository and Redis connection are the context's). */
export function adminServiceFor(ctx: AppContext): AdminService {
  let service = services.get(ctx);
  if (!service) {
    service = new AdminService({
      repository: new AdminRepository(() => ctx.database),
      redis: ctx.broker.connection,
      prefix: ctx.config.tasks.prefix,
      rateCounter: new RedisRateCounter(ctx.broker.connection, ctx.config.tasks.prefix),
      loginsPerMinute: ctx.config.auth.rateLimitPerMinute,
      log: ctx.log,
    });
    services.set(ctx, service);
  }
  return service;
}

/**
 * Reads the session cookie and sets `request.adminSession` and `request.admin`. Also usable by
 * other modules' /admin pages (the dev mailbox) to accept the same sign-in.
 */
export async function loadAdminSession(request: FastifyRequest): Promise<AdminIdentity | undefined> {
  if (request.adminSession) return request.admin;
  const service = adminServiceFor(request.server.ctx);
  const sessionId = readCookie(request, SESSION_COOKIE);
  const session = await service.readSession(sessionId);
  if (!session || !sessionId) return undefined;
  request.adminSession = session;
  request.adminSessionId = sessionId;
  const admin = await service.adminOf(session);
  if (admin) request.admin = admin;
  return admin;
}

export function sessionCookie(ctx: AppContext, sessionId: string, maxAgeSeconds: number): string {
  const secure = ctx.config.http.publicUrl.startsWith('https:') ? '; Secure' : '';
  return `${SESSION_COOKIE}=${sessionId}; Path=/admin; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

/** Where to go after login: only paths of the admin itself (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/admin(\/[A-Za-z0-9_\-./?=&%]*)?$/.test(next) || next.includes('//')) return '/admin';
  return next;
}

/** Pages: an anonymous (or no longer admin) visitor is sent to the login page and comes back after. */
export async function requireAdminPage(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (await loadAdminSession(request)) return undefined;
  return reply.redirect(`/admin/login?next=${encodeURIComponent(safeNext(request.url))}`, 303);
}

/** JSON under /admin: 401 without a session, 403 for a session whose user is no longer an admin. */
export async function requireAdminJson(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (await loadAdminSession(request)) return undefined;
  const status = request.adminSession?.userId ? 403 : 401;
  return reply
    .status(status)
    .send({ error: { code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: status === 401 ? '로그인이 필요합니다.' : '관리자만 사용할 수 있습니다.' } });
}

/** Every form POST carries the session's synchronizer token as `_csrf`. */
export async function requireCsrf(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const body = request.body as Record<string, unknown> | undefined;
  const submitted = body?._csrf ?? request.headers['x-csrf-token'];
  if (adminServiceFor(request.server.ctx).csrfMatches(request.adminSession, submitted)) return undefined;
  return reply
    .status(403)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      renderPage({
        title: '요청 거부',
        body: html`<div class="card"><h1>요청을 처리할 수 없습니다</h1>
<p>보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.</p>
<p><a href="/admin">관리자 첫 화면으로</a></p></div>`,
      }),
    );
}

export function csrfField(request: FastifyRequest): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${request.adminSession?.csrf ?? ''}">`;
}

export type AdminSection = 'dashboard' | 'notices' | 'users' | 'schedules' | 'dataload' | 'tasks' | 'queues' | 'mailbox' | 'audit';

const SECTIONS: readonly { id: AdminSection; href: string; label: string }[] = [
  { id: 'dashboard', href: '/admin', label: '대시보드' },
  { id: 'notices', href: '/admin/notices', label: '공지' },
  { id: 'users', href: '/admin/users', label: '사용자' },
  { id: 'schedules', href: '/admin/schedules', label: '예약 작업' },
  { id: 'dataload', href: '/admin/dataload', label: '공공데이터' },
  { id: 'tasks', href: '/admin/tasks', label: '작업 조회' },
  { id: 'queues', href: '/admin/queues', label: '큐 대시보드' },
  { id: 'mailbox', href: '/admin/mailbox', label: '메일함' },
  { id: 'audit', href: '/admin/audit', label: '감사 기록' },
];

export interface AdminPage {
  title: string;
  section: AdminSection;
  body: SafeHtml;
  status?: number;
  refreshSeconds?: number;
  withScript?: boolean;
}

/**
 * Renders an admin page with the menu and the signed-in admin's logout button, with the strict
 * page headers set here too, so other modules' /admin pages (the dev mailbox) get them.
 */
export function sendAdminPage(request: FastifyRequest, reply: FastifyReply, page: AdminPage): FastifyReply {
  applyPageHeaders(reply);
  const nav: NavLink[] = SECTIONS.map((section) => ({ href: section.href, label: section.label, current: section.id === page.section }));
  const admin = request.admin;
  const headerExtra = admin
    ? html`<div class="who"><span>${admin.name} (${admin.email})</span>
<form class="inline" method="post" action="/admin/logout">${csrfField(request)}<button type="submit">로그아웃</button></form></div>`
    : undefined;
  return reply
    .status(page.status ?? 200)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      renderPage({
        title: page.title,
        body: page.body,
        nav,
        wide: true,
        ...(headerExtra ? { headerExtra } : {}),
        ...(page.refreshSeconds ? { refreshSeconds: page.refreshSeconds } : {}),
        ...(page.withScript ? { withScript: true } : {}),
      }),
    );
}

/** Headers of every HTML answer under /admin: strict CSP, never cached, never framed. */
export function applyPageHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', PAGE_CSP);
  reply.header('cache-control', 'no-store');
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
}

/** The client address for the audit log and the login rate limit. */
export function clientIp(request: FastifyRequest): string {
  return request.ip;
}

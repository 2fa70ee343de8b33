import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearFormToken, formTokenMatches, issueFormToken, type FormTokenCookie } from '../../http/form-tokens.ts';
import type { NavLink } from '../../http/pages/layout.ts';
import type { PageFrame } from '../../http/pages/page.ts';
import { errorBody } from '../../http/errors.ts';
import { AppError } from '../../utils/errors.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import type { Admin } from './admin.module.ts';
import type { AdminIdentity, AdminSession } from './admin.service.ts';

/** The admin session cookie: an opaque random id; HttpOnly, SameSite=Lax, Path=/admin, Secure when PUBLIC_URL is https. */
export const SESSION_COOKIE = 'ainfo_admin_session';

/**
 * The login form's CSRF state: `<token>.<issued at ms>`, signed with the key every web process
 * derives from the application secret, for /admin/login only. Nothing is stored on the server
 * before a successful login, so the page costs Redis nothing however often it is opened.
 */
export const LOGIN_COOKIE = 'ainfo_admin_login';
/** A login form left open longer than this must be reloaded. */
export const LOGIN_FORM_TTL_S = 30 * 60;
/** Views of the login page per client IP per minute (it is the one admin page open to anyone). */
export const LOGIN_PAGE_PER_MINUTE = 30;

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin session of the cookie. */
    adminSession?: AdminSession;
    adminSessionId?: string;
    /** The signed-in admin, checked against accounts on this request. */
    admin?: AdminIdentity;
  }
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

/**
 * Reads the session cookie once per request and sets `request.adminSession` and `request.admin`
 * (the admin, read fresh through accounts).
 */
export async function loadAdminSession(request: FastifyRequest, admin: Admin): Promise<AdminIdentity | undefined> {
  if (request.adminSession) return request.admin;
  const sessionId = request.cookies[SESSION_COOKIE];
  const session = await admin.sessions.readSession(sessionId);
  if (!session || !sessionId) return undefined;
  request.adminSession = session;
  request.adminSessionId = sessionId;
  const identity = await admin.sessions.adminOf(session);
  if (identity) request.admin = identity;
  return identity;
}

export function setSessionCookie(reply: FastifyReply, admin: Admin, sessionId: string, maxAgeSeconds: number): FastifyReply {
  return reply.setCookie(SESSION_COOKIE, sessionId, {
    path: '/admin',
    maxAge: maxAgeSeconds,
    httpOnly: true,
    sameSite: 'lax',
    secure: admin.secureCookies,
  });
}

export function clearSessionCookie(reply: FastifyReply, admin: Admin): FastifyReply {
  return reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'lax', secure: admin.secureCookies });
}

const loginFormCookie = (admin: Admin): FormTokenCookie => ({ name: LOGIN_COOKIE, path: '/admin/login', ttlSeconds: LOGIN_FORM_TTL_S, secure: admin.secureCookies });

/** Sets a new login form's cookie; returns the token its hidden `_csrf` field carries. */
export function issueLoginForm(reply: FastifyReply, admin: Admin): string {
  return issueFormToken(reply, loginFormCookie(admin));
}

/** Whether a submitted `_csrf` is the token of this browser's login form cookie: signature valid, not expired, equal. */
export function loginFormMatches(request: FastifyRequest, admin: Admin, submitted: unknown): boolean {
  return formTokenMatches(request, loginFormCookie(admin), submitted);
}

export function clearLoginForm(reply: FastifyReply, admin: Admin): FastifyReply {
  return clearFormToken(reply, loginFormCookie(admin));
}

/** Where to go after login: only paths of the admin itself (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/admin(\/[A-Za-z0-9_\-./?=&%]*)?$/.test(next) || next.includes('//')) return '/admin';
  return next;
}

export function csrfField(request: FastifyRequest): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${request.adminSession?.csrf ?? ''}">`;
}

/** The admin's frame around its pages and error pages: the menu, the signed-in admin and a logout form. */
function frameOf(request: FastifyRequest, section: AdminSection | undefined): PageFrame {
  if (!section) return { home: { href: '/admin', label: '대시보드로' } };
  const nav: NavLink[] = SECTIONS.map((item) => ({ href: item.href, label: item.label, current: item.id === section }));
  const admin = request.admin;
  return {
    nav,
    wide: true,
    home: { href: '/admin', label: '대시보드로' },
    ...(admin
      ? {
          headerExtra: html`<div class="who"><span>${admin.name} (${admin.email})</span>
<form class="inline" method="post" action="/admin/logout">${csrfField(request)}<button type="submit">로그아웃</button></form></div>`,
        }
      : {}),
  };
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** The hooks of one admin section's routes. */
export interface AdminGuards {
  /** preValidation of a page: the section's frame; an anonymous (or no longer admin) visitor goes to the login page and comes back after. */
  page: Hook;
  /** preHandler of a form POST: the session's synchronizer token must come as `_csrf` (or X-CSRF-Token). */
  csrf: Hook;
  /** preValidation of JSON under /admin: 401 without a session, 403 for a session whose user is no longer an admin. */
  json: Hook;
  /** preValidation of the login pages: a frame without the menu (errors as pages); nobody needs to be signed in. */
  open: Hook;
}

export function adminGuards(admin: Admin, section: AdminSection): AdminGuards {
  return {
    async page(request, reply) {
      const identity = await loadAdminSession(request, admin);
      request.pageFrame = frameOf(request, section);
      if (identity) return undefined;
      return reply.redirect(`/admin/login?next=${encodeURIComponent(safeNext(request.url))}`, 303);
    },
    async csrf(request, reply) {
      const body = request.body as Record<string, unknown> | undefined;
      const submitted = body?._csrf ?? request.headers['x-csrf-token'];
      if (admin.sessions.csrfMatches(request.adminSession, submitted)) return undefined;
      return reply.page(
        {
          title: '요청 거부',
          body: html`<div class="card"><h1>요청을 처리할 수 없습니다</h1>
<p>보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.</p>
<p><a href="/admin">관리자 첫 화면으로</a></p></div>`,
        },
        { status: 403 },
      );
    },
    async json(request, reply) {
      if (await loadAdminSession(request, admin)) return undefined;
      const status = request.adminSession?.userId ? 403 : 401;
      return reply
        .status(status)
        .send(errorBody(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', status === 401 ? '로그인이 필요합니다.' : '관리자만 사용할 수 있습니다.'));
    },
    async open(request) {
      await loadAdminSession(request, admin);
      request.pageFrame = frameOf(request, undefined);
      return undefined;
    },
  };
}

/** Records an action of the signed-in admin, with the client address. */
export function recordAction(
  admin: Admin,
  request: FastifyRequest,
  entry: { action: string; target?: string | null; detail?: Record<string, unknown> },
): Promise<void> {
  return admin.sessions.audit({ ...entry, adminUserId: request.admin?.id ?? null, adminEmail: request.admin?.email ?? null, ip: request.ip });
}

/** The admin a page guard let through (401 if a route forgot its guard). */
export function signedInAdmin(request: FastifyRequest): AdminIdentity {
  if (!request.admin) throw new AppError(401, 'UNAUTHORIZED', '로그인이 필요합니다.');
  return request.admin;
}

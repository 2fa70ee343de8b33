import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../utils/errors.ts';
import { sameSecret } from '../utils/secrets.ts';

/** The signed-in user as routes see it (`request.user`). */
export interface AuthUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
}

/** Who a bearer token belongs to (accounts provides it); undefined for anything but a live session. */
export type Authenticator = (accessToken: string) => Promise<AuthUser | undefined>;

/**
 * The pages' session cookie: an opaque random id, signed (@fastify/cookie), HttpOnly,
 * SameSite=Lax, Path=/, Secure when PUBLIC_URL is https. The session itself is server-side.
 */
export const PAGE_SESSION_COOKIE = 'ainfo_session';

/** What a signed-in person told about themselves (accounts' profile), for pages that use it as defaults. */
export interface ViewerProfile {
  birthYear: number | null;
  regionSido: string | null;
  regionSigungu: string | null;
  situation: string | null;
}

/** The person a page session belongs to, read fresh on this request. */
export interface PageViewer extends AuthUser {
  /** The session's synchronizer token: every form POST of a signed-in page carries it as `_csrf`. */
  csrf: string;
  profile: ViewerProfile;
}

/** Who a page session id belongs to (accounts provides it); undefined for anything but a live session. */
export type SessionReader = (sessionId: string) => Promise<PageViewer | undefined>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApp from the web composition root. */
    authenticator: Authenticator;
    /** Set by buildApp from the web composition root. */
    sessionReader: SessionReader;
  }
  interface FastifyRequest {
    /** Set by `requireUser` / `requireAdmin` (and `optionalUser`). */
    user?: AuthUser;
    /** The page session's person once `pageViewer` looked (null: looked, nobody). */
    viewer?: PageViewer | null;
  }
}

/** The signed-in person of the page session cookie, read once per request; undefined when none. */
export async function pageViewer(request: FastifyRequest): Promise<PageViewer | undefined> {
  if (request.viewer !== undefined) return request.viewer ?? undefined;
  const raw = request.cookies[PAGE_SESSION_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : undefined;
  const viewer = unsigned?.valid && unsigned.value ? await request.server.sessionReader(unsigned.value) : undefined;
  request.viewer = viewer ?? null;
  return viewer;
}

/** The session id of the page session cookie (signature checked), for logging out. */
export function pageSessionId(request: FastifyRequest): string | undefined {
  const raw = request.cookies[PAGE_SESSION_COOKIE];
  const unsigned = raw ? request.unsignCookie(raw) : undefined;
  return unsigned?.valid && unsigned.value ? unsigned.value : undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
  return match?.[1];
}

const unauthorized = (): AppError => new AppError(401, 'UNAUTHORIZED', '로그인이 필요합니다.');
const forbidden = (): AppError => new AppError(403, 'FORBIDDEN', '관리자만 사용할 수 있습니다.');

async function authenticate(request: FastifyRequest, token: string | undefined): Promise<AuthUser | undefined> {
  if (!token) return undefined;
  return request.server.authenticator(token);
}

/**
 * preHandler: a valid `Authorization: Bearer <access token>` of an existing, verified user whose
 * sessions were not revoked, or 401. Sets `request.user`.
 */
export async function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const user = await authenticate(request, bearerToken(request));
  if (!user) throw unauthorized();
  request.user = user;
}

/**
 * preHandler of the JSON routes a person uses from the browser too (/api/accounts/me): a bearer
 * token, or else the page session cookie. A cookie is sent by the browser on its own, so a
 * changing request on it must also carry the session's token in `X-CSRF-Token` (403 otherwise).
 */
export async function requireUserOrSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (bearerToken(request)) return requireUser(request, reply);
  const viewer = await pageViewer(request);
  if (!viewer) throw unauthorized();
  if (!SAFE_METHODS.has(request.method) && !sameSecret(viewer.csrf, request.headers['x-csrf-token'])) {
    throw new AppError(403, 'CSRF_TOKEN_INVALID', '보안 토큰(X-CSRF-Token)이 없거나 맞지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.');
  }
  request.user = viewer;
}

/** preHandler: as requireUser, then 403 unless the user is an admin. */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await requireUser(request, reply);
  if (!request.user?.isAdmin) throw forbidden();
}

/** preHandler: sets `request.user` when a valid bearer token is present; never refuses. */
export async function optionalUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const user = await authenticate(request, bearerToken(request));
  if (user) request.user = user;
}

/** The user a preHandler let through (401 if a route forgot its preHandler). */
export function signedInUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized();
  return request.user;
}

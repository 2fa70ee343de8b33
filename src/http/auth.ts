import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../utils/errors.ts';

/** The signed-in user as routes see it (`request.user`). */
export interface AuthUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
}

/** Who a bearer token belongs to (accounts provides it); undefined for anything but a live session. */
export type Authenticator = (accessToken: string) => Promise<AuthUser | undefined>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by buildApp from the web composition root. */
    authenticator: Authenticator;
  }
  interface FastifyRequest {
    /** Set by `requireUser` / `requireAdmin` (and `optionalUser`). */
    user?: AuthUser;
  }
}

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

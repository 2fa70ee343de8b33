import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../modules/accounts/accounts.service.ts';
import { AppError } from '../utils/errors.ts';

export type { AuthUser };

declare module 'fastify' {
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

/** One cookie's value from the Cookie header, without a cookie plugin (the admin session uses it). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

const unauthorized = (): AppError => new AppError(401, 'UNAUTHORIZED', '로그인이 필요합니다.');
const forbidden = (): AppError => new AppError(403, 'FORBIDDEN', '관리자만 사용할 수 있습니다.');

async function authenticate(request: FastifyRequest, token: string | undefined): Promise<AuthUser | undefined> {
  if (!token) return undefined;
  return request.server.ctx.accounts.authenticate(token);
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

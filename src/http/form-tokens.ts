import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret } from '../utils/secrets.ts';

/**
 * CSRF for the forms of someone not signed in yet (the admin's login, /login, /signup): the
 * token lives in a signed cookie (`<token>.<issued at ms>`, signed with the key every web process
 * derives from the application secret) and in the form's hidden `_csrf`. Nothing is stored on
 * the server, so the page costs Redis nothing however often it is opened.
 */
export interface FormTokenCookie {
  name: string;
  /** The form's path: the cookie goes back only there. */
  path: string;
  /** A form left open longer must be reloaded. */
  ttlSeconds: number;
  secure: boolean;
}

/** Sets a new form's cookie; returns the token its hidden `_csrf` field carries. */
export function issueFormToken(reply: FastifyReply, cookie: FormTokenCookie): string {
  const token = randomBytes(24).toString('base64url');
  reply.setCookie(cookie.name, `${token}.${Date.now()}`, {
    signed: true,
    path: cookie.path,
    maxAge: cookie.ttlSeconds,
    httpOnly: true,
    sameSite: 'lax',
    secure: cookie.secure,
  });
  return token;
}

/** Whether a submitted `_csrf` is the token of this browser's form cookie: signature valid, not expired, equal. */
export function formTokenMatches(request: FastifyRequest, cookie: FormTokenCookie, submitted: unknown): boolean {
  const raw = request.cookies[cookie.name];
  if (!raw) return false;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid) return false;
  const [token = '', issuedAt = ''] = unsigned.value.split('.');
  const ageMs = Date.now() - Number(issuedAt);
  if (!(ageMs >= 0 && ageMs <= cookie.ttlSeconds * 1000)) return false;
  return sameSecret(token, submitted);
}

export function clearFormToken(reply: FastifyReply, cookie: FormTokenCookie): FastifyReply {
  return reply.clearCookie(cookie.name, { path: cookie.path, httpOnly: true, sameSite: 'lax', secure: cookie.secure });
}

import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PAGE_CSP, renderPage } from '../../http/pages/layout.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { AppError } from '../../utils/errors.ts';

/**
 * Registers, in the calling plugin's own scope, what the account routes and pages need: a
 * per-IP, per-route rate limit kept in Redis (shared by every web process) and HTML form bodies.
 */
export async function registerAccountHttpPlugins(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis: app.ctx.broker.connection,
    nameSpace: `${app.ctx.config.tasks.prefix}:ainfo:ratelimit:http:`,
    // A Redis hiccup must not lock everyone out of logging in.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', `요청이 너무 많습니다. ${context.after} 뒤에 다시 시도해 주세요.`),
  });
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
}

/** Route config: AUTH_RATE_LIMIT_PER_MINUTE requests per minute per client IP on this route. */
export function authRateLimit(app: FastifyInstance): { rateLimit: { max: number; timeWindow: number } } {
  return { rateLimit: { max: app.ctx.config.auth.rateLimitPerMinute, timeWindow: 60_000 } };
}

/** The shared layout's policy without any script: these pages carry tokens and need none. */
const ACCOUNT_PAGE_CSP = PAGE_CSP.replace("script-src 'self'", "script-src 'none'");

/**
 * Sends a page in the shared layout with headers fit for pages that carry tokens in their URL:
 * never cached, never leaked through Referer, no scripts at all, forms only to ourselves.
 */
export function sendPage(reply: FastifyReply, status: number, title: string, body: SafeHtml): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('content-security-policy', ACCOUNT_PAGE_CSP)
    .send(renderPage({ title, body: html`<div class="card">${body}</div>` }));
}

import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
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

const PAGE_STYLE = `body{margin:0;background:#f5f6f8;font-family:'Apple SD Gothic Neo','Malgun Gothic',sans-serif;color:#222}
main{max-width:640px;margin:40px auto;background:#fff;border-radius:8px;padding:32px}
h1{font-size:22px;margin:0 0 16px}p{line-height:1.6}label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ccc;border-radius:6px;font-size:15px}
button{margin-top:16px;padding:10px 18px;background:#2f6fed;color:#fff;border:0;border-radius:6px;font-size:15px;cursor:pointer}
.ok{color:#137333}.error{color:#b3261e}.muted{color:#777;font-size:13px}
table{width:100%;border-collapse:collapse;font-size:14px}td,th{border-bottom:1px solid #eee;padding:8px;text-align:left;vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;background:#fafafa;padding:12px;border-radius:6px}`;

/** A complete Korean HTML page around `body`. */
export function renderPage(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · AInfo</title>
<style>${{ __html: PAGE_STYLE }}</style></head>
<body><main>
${body}
</main></body>
</html>
`.__html;
}

/**
 * Sends a page with headers fit for pages that carry tokens in their URL: never cached, never
 * leaked through Referer, no scripts at all, forms only to ourselves.
 */
export function sendPage(reply: FastifyReply, status: number, title: string, body: SafeHtml): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    .send(renderPage(title, body));
}

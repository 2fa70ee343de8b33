import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { html, type SafeHtml } from '../../utils/html.ts';
import { contentSecurityPolicy, type CspOptions } from './csp.ts';
import { ADMIN_SCRIPT_URL, renderPage, STYLESHEET_URL, type NavLink, type PageView } from './layout.ts';

/**
 * The frame a section puts around its pages (and its error pages): set on the request by the
 * section's own hook (the admin's menu and signed-in admin). A request with a frame gets its
 * errors as an HTML page instead of JSON.
 */
export interface PageFrame {
  nav?: readonly NavLink[];
  headerExtra?: SafeHtml;
  wide?: boolean;
  /** The link an error page offers back (the admin's dashboard). */
  home?: { href: string; label: string };
}

/** How a page is sent; the relaxations of the strict defaults are named here. */
export interface PageOptions {
  /** Default 200. */
  status?: number;
  /**
   * `true` loads /assets/admin.js, a path loads that script of ours (`/assets/ask.js`); either
   * allows same-origin scripts in the CSP. Default false: `script-src 'none'`.
   */
  script?: boolean | string;
  /** Caches may store it (a public page with no token, form secret or personal data). Default false: `no-store`. */
  cacheable?: boolean;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Sends a page in the shared layout with the shared security headers (see PageOptions). */
    page(view: PageView, options?: PageOptions): FastifyReply;
  }
  interface FastifyRequest {
    pageFrame?: PageFrame;
  }
}

/**
 * The one set of headers on every HTML answer: the CSP from the one builder, no sniffing, no
 * framing, no Referer (links may carry tokens), and no caching unless the page says it may be.
 * `sameOriginReferrer` is for a page whose own scripts POST to us and need their Origin sent
 * (bull-board): browsers send `Origin: null` from a no-referrer page.
 */
export function applyPageHeaders(
  reply: FastifyReply,
  options: { csp?: CspOptions; cacheable?: boolean; sameOriginReferrer?: boolean } = {},
): FastifyReply {
  reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy(options.csp))
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', options.csp?.foreignHtml ? 'SAMEORIGIN' : 'DENY')
    .header('referrer-policy', options.sameOriginReferrer ? 'same-origin' : 'no-referrer');
  if (!options.cacheable) reply.header('cache-control', 'no-store');
  return reply;
}

/** The body of an error page: what went wrong and, in a section, the way back. */
export function errorPageView(status: number, message: string, frame: PageFrame | undefined): PageView {
  return {
    title: status === 404 ? '찾을 수 없음' : '오류',
    body: html`<div class="card"><h1>${status === 404 ? '찾을 수 없습니다' : '요청을 처리할 수 없습니다'}</h1><p>${message}</p>${
      frame?.home ? html`<p><a href="${frame.home.href}">${frame.home.label}</a></p>` : ''
    }</div>`,
  };
}

const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'assets');

const ASSETS = [
  { url: STYLESHEET_URL, file: 'ainfo.css', type: 'text/css; charset=utf-8' },
  { url: ADMIN_SCRIPT_URL, file: 'admin.js', type: 'text/javascript; charset=utf-8' },
  { url: '/assets/ask.js', file: 'ask.js', type: 'text/javascript; charset=utf-8' },
] as const;

/**
 * Installs `reply.page` on the app, and serves the shared stylesheet and the admin script from our
 * own origin (no CDN), read once at start; public and short-cached, they hold no data.
 */
export async function installPages(app: FastifyInstance): Promise<void> {
  app.decorateRequest('pageFrame', undefined);
  app.decorateReply('page', function page(this: FastifyReply, view: PageView, options: PageOptions = {}): FastifyReply {
    const frame = this.request.pageFrame;
    const markup = renderPage({
      ...(frame?.nav ? { nav: frame.nav } : {}),
      ...(frame?.headerExtra ? { headerExtra: frame.headerExtra } : {}),
      ...(frame?.wide ? { wide: true } : {}),
      ...view,
      ...(options.script ? { scriptUrl: options.script === true ? ADMIN_SCRIPT_URL : options.script } : {}),
    });
    return applyPageHeaders(this.status(options.status ?? 200), { csp: { scripts: Boolean(options.script) }, cacheable: options.cacheable === true }).send(markup);
  });
  for (const asset of ASSETS) {
    const body = await readFile(path.join(ASSETS_DIR, asset.file), 'utf8');
    app.get(asset.url, { schema: { hide: true } }, (_request, reply) =>
      reply
        .header('content-type', asset.type)
        .header('cache-control', 'public, max-age=300')
        .send(body),
    );
  }
}

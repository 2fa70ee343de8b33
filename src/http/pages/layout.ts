import { html, rawHtml, type SafeHtml } from '../../utils/html.ts';

/**
 * The Content-Security-Policy of every page built on this layout: no inline script or style
 * (the stylesheet and the one script are files served from /assets), no framing, forms only to
 * ourselves. Pages that need less (no script at all) may send a stricter one.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Where the shared stylesheet and the admin script are served (see src/modules/admin/assets.routes.ts). */
export const STYLESHEET_URL = '/assets/ainfo.css';
export const ADMIN_SCRIPT_URL = '/assets/admin.js';

export interface NavLink {
  href: string;
  label: string;
  /** Marks the link of the current section. */
  current?: boolean;
}

export interface PageOptions {
  /** Shown in the tab as `<title> · AInfo` and nowhere else: put the visible heading in `body`. */
  title: string;
  body: SafeHtml;
  /** Links across the top (the admin's sections); none for public pages. */
  nav?: readonly NavLink[];
  /** Right side of the header, e.g. the signed-in admin and a logout form. */
  headerExtra?: SafeHtml;
  /** Reloads the page every N seconds (a `<meta http-equiv="refresh">`, no script needed). */
  refreshSeconds?: number;
  /** Loads /assets/admin.js (same origin, deferred). */
  withScript?: boolean;
  /** Wider content area for tables. Default false (a reading column for forms). */
  wide?: boolean;
}

/**
 * A complete Korean HTML page with the shared look: mobile-first, system fonts only (no web
 * fonts, no CDN), one stylesheet from our own origin, so it works offline and under PAGE_CSP.
 */
export function renderPage(options: PageOptions): string {
  const nav = options.nav ?? [];
  return html`<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title} · AInfo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_URL}">
${options.withScript ? html`<script src="${ADMIN_SCRIPT_URL}" defer></script>` : ''}
</head>
<body>
<header class="site-header"><div class="bar">
<a class="brand" href="${nav.length > 0 ? '/admin' : '/policies'}">AInfo${nav.length > 0 ? rawHtml(' <span>관리자</span>') : ''}</a>
${nav.length > 0
  ? html`<nav aria-label="관리 메뉴"><ul>${nav.map(
      (link) => html`<li><a href="${link.href}"${link.current ? rawHtml(' aria-current="page"') : ''}>${link.label}</a></li>`,
    )}</ul></nav>`
  : ''}
${options.headerExtra ?? ''}
</div></header>
<main class="${options.wide ? 'wide' : 'narrow'}">
${options.body}
</main>
</body>
</html>
`.__html;
}

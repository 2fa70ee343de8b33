import { html, rawHtml, type SafeHtml } from '../../utils/html.ts';

/** Where the shared stylesheet and the admin script are served (see assets.ts). */
export const STYLESHEET_URL = '/assets/ainfo.css';
export const ADMIN_SCRIPT_URL = '/assets/admin.js';

export interface NavLink {
  href: string;
  label: string;
  /** Marks the link of the current section. */
  current?: boolean;
}

/** The public pages' menu (a section with a `nav` of its own, the admin, replaces it). */
const PUBLIC_NAV: readonly NavLink[] = [
  { href: '/policies', label: '정책 검색' },
  { href: '/ask', label: '질문하기' },
  { href: '/me', label: '내 정보' },
];

/** What a page says; the layout around it is the same for every page. */
export interface PageView {
  /** Shown in the tab as `<title> · AInfo` and nowhere else: put the visible heading in `body`. */
  title: string;
  body: SafeHtml;
  /** Links across the top (the admin's sections); public pages get the public menu. */
  nav?: readonly NavLink[];
  /** Right side of the header, e.g. the signed-in admin and a logout form. */
  headerExtra?: SafeHtml;
  /** Reloads the page every N seconds (a `<meta http-equiv="refresh">`, no script needed). */
  refreshSeconds?: number;
  /** Wider content area for tables. Default false (a reading column for forms). */
  wide?: boolean;
  /** Asks search engines not to index the page (pages opened from a mail's link). */
  noindex?: boolean;
}

/**
 * A complete Korean HTML page with the shared look: mobile-first, system fonts only (no web
 * fonts, no CDN), one stylesheet from our own origin, so it works offline and under the strict CSP.
 * `withScript` loads /assets/admin.js (same origin, deferred).
 */
export function renderPage(view: PageView & { withScript?: boolean }): string {
  const nav = view.nav ?? [];
  return html`<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${view.noindex ? html`<meta name="robots" content="noindex">` : ''}
${view.refreshSeconds ? html`<meta http-equiv="refresh" content="${view.refreshSeconds}">` : ''}
<title>${view.title} · AInfo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLESHEET_URL}">
${view.withScript ? html`<script src="${ADMIN_SCRIPT_URL}" defer></script>` : ''}
</head>
<body>
<header class="site-header"><div class="bar">
<a class="brand" href="${nav.length > 0 ? '/admin' : '/'}">AInfo${nav.length > 0 ? rawHtml(' <span>관리자</span>') : ''}</a>
${nav.length > 0
  ? html`<nav aria-label="관리 메뉴"><ul>${nav.map(
      (link) => html`<li><a href="${link.href}"${link.current ? rawHtml(' aria-current="page"') : ''}>${link.label}</a></li>`,
    )}</ul></nav>`
  : html`<nav aria-label="메뉴"><ul>${PUBLIC_NAV.map((link) => html`<li><a href="${link.href}">${link.label}</a></li>`)}</ul></nav>`}
${view.headerExtra ?? ''}
</div></header>
<main class="${view.wide ? 'wide' : 'narrow'}">
${view.body}
</main>
</body>
</html>
`.__html;
}

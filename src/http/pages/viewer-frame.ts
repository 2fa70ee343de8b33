import { html } from '../../utils/html.ts';
import type { PageViewer } from '../auth.ts';
import type { PageFrame } from './page.ts';

/**
 * The frame of the people's pages (/, /signup, /login, /me, /policies): who is signed in, with
 * a link to /me and a logout form, or the ways in. Errors on these pages come as HTML pages.
 */
export function viewerFrame(viewer: PageViewer | undefined): PageFrame {
  return {
    home: { href: '/', label: '첫 화면으로' },
    headerExtra: viewer
      ? html`<div class="who"><a href="/me">${viewer.name}님</a>
<form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit">로그아웃</button></form></div>`
      : html`<div class="who"><a href="/login">로그인</a> <a href="/signup">회원가입</a></div>`,
  };
}

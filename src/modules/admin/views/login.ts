import { html, type SafeHtml } from '../../../utils/html.ts';

export function loginView(input: { csrf: string; next: string; email?: string; error?: string; info?: string }): SafeHtml {
  return html`<div class="card">
<h1>관리자 로그인</h1>
<p class="muted">관리자 계정만 로그인할 수 있습니다. 계정은 <code>ainfo createsuperuser --email 이메일 --password 비밀번호</code>로 만듭니다.</p>
${input.info ? html`<p class="notice info" role="status">${input.info}</p>` : ''}
${input.error ? html`<p class="notice error" role="alert">${input.error}</p>` : ''}
<form method="post" action="/admin/login">
<input type="hidden" name="_csrf" value="${input.csrf}">
<input type="hidden" name="next" value="${input.next}">
<label for="email">이메일</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${input.email ?? ''}">
<label for="password">비밀번호</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<div class="actions"><button type="submit">로그인</button></div>
</form>
</div>`;
}

import { html, type SafeHtml } from '../../utils/html.ts';
import type { TokenProblem } from './accounts.service.ts';

const PROBLEM_TEXT: Record<TokenProblem, { title: string; detail: string }> = {
  TOKEN_EXPIRED: { title: '링크의 유효 기간이 지났습니다', detail: '보안을 위해 메일의 링크는 정해진 시간 동안만 쓸 수 있습니다.' },
  TOKEN_USED: { title: '이미 사용된 링크입니다', detail: '메일의 링크는 한 번만 쓸 수 있습니다.' },
  TOKEN_INVALID: { title: '유효하지 않은 링크입니다', detail: '주소가 잘렸거나 잘못 복사되었을 수 있습니다.' },
};

export function isTokenProblem(code: string): code is TokenProblem {
  return code in PROBLEM_TEXT;
}

function resendForm(): SafeHtml {
  return html`<h2>인증 메일 다시 받기</h2>
<form method="post" action="/accounts/verify-email/resend">
<label for="email">가입한 이메일 주소</label><input id="email" name="email" type="email" autocomplete="email" required>
<button type="submit">인증 메일 다시 보내기</button>
</form>`;
}

/** What the mailed link opens: one button, which posts the token (opening the link changes nothing). */
export function verifyConfirmPage(token: string): SafeHtml {
  return html`<h1>이메일 주소 인증</h1>
<p>아래 버튼을 누르면 이메일 주소 인증이 끝나고 가입이 완료됩니다.</p>
<form method="post" action="/accounts/verify-email">
<input type="hidden" name="token" value="${token}">
<button type="submit">이메일 인증하기</button>
</form>`;
}

export function verifiedPage(name: string): SafeHtml {
  return html`<h1 class="ok">이메일 인증이 완료되었습니다</h1>
<p>${name}님, 환영합니다. 이제 로그인할 수 있습니다.</p>
<p><a class="button" href="/login">로그인하기</a></p>`;
}

export function verifyFailedPage(problem: TokenProblem): SafeHtml {
  const text = PROBLEM_TEXT[problem];
  const hint =
    problem === 'TOKEN_USED'
      ? html`이미 인증을 마쳤다면 바로 <a href="/login">로그인</a>하세요. 그렇지 않다면 아래에서 인증 메일을 다시 받을 수 있습니다.`
      : '아래에서 인증 메일을 다시 받을 수 있습니다.';
  return html`<h1 class="error">${text.title}</h1>
<p>${text.detail} ${hint}</p>
${resendForm()}`;
}

export function resendAcceptedPage(): SafeHtml {
  return html`<h1>요청을 받았습니다</h1>
<p>가입되어 있고 아직 인증하지 않은 주소라면 곧 인증 메일이 도착합니다. 메일이 보이지 않으면 스팸함도 확인해 주세요.</p>`;
}

export function resetFormPage(token: string, error?: string): SafeHtml {
  return html`<h1>새 비밀번호 설정</h1>
${error ? html`<p class="error">${error}</p>` : ''}
<form method="post" action="/accounts/password-reset">
<input type="hidden" name="token" value="${token}">
<label for="newPassword">새 비밀번호 (8자 이상)</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<label for="newPasswordConfirm">새 비밀번호 확인</label><input id="newPasswordConfirm" name="newPasswordConfirm" type="password" autocomplete="new-password" minlength="8" maxlength="128" required>
<button type="submit">비밀번호 변경</button>
</form>
<p class="muted">비밀번호를 바꾸면 모든 기기에서 로그아웃됩니다.</p>`;
}

const resetRequestForm = html`<form method="post" action="/accounts/password-reset/request">
<label for="email">가입한 이메일 주소</label><input id="email" name="email" type="email" autocomplete="email" required>
<button type="submit">재설정 메일 보내기</button>
</form>`;

export function resetFailedPage(problem: TokenProblem): SafeHtml {
  const text = PROBLEM_TEXT[problem];
  return html`<h1 class="error">${text.title}</h1>
<p>${text.detail} 비밀번호 재설정을 다시 요청해 주세요.</p>
<h2>재설정 메일 다시 받기</h2>
${resetRequestForm}`;
}

/** Asks for the address to mail a reset link to (the account-exists mail links here). */
export function resetRequestFormPage(): SafeHtml {
  return html`<h1>비밀번호 재설정</h1>
<p>가입한 이메일 주소를 입력하면 새 비밀번호를 설정하는 링크를 보내 드립니다.</p>
${resetRequestForm}`;
}

export function resetDonePage(): SafeHtml {
  return html`<h1 class="ok">비밀번호를 바꿨습니다</h1>
<p>새 비밀번호로 <a href="/login">로그인</a>해 주세요. 다른 기기의 로그인은 모두 해제되었습니다.</p>`;
}

export function resetRequestedPage(): SafeHtml {
  return html`<h1>요청을 받았습니다</h1>
<p>가입된 주소라면 곧 비밀번호 재설정 메일이 도착합니다.</p>`;
}

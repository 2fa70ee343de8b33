import type { PageView } from '../../http/pages/layout.ts';
import type { FieldError } from '../../utils/errors.ts';
import { html, type SafeHtml } from '../../utils/html.ts';
import { SIDO_LIST } from '../../utils/regions.ts';
import { SITUATION_LABELS } from './accounts.profile.ts';
import type { Me } from './accounts.service.ts';
import { SITUATIONS } from './accounts.tables.ts';

/** Field messages of a failed form, by field name. */
export type FieldMessages = Readonly<Record<string, string>>;

export function fieldMessages(fields: readonly FieldError[] | undefined): FieldMessages {
  return Object.fromEntries((fields ?? []).map((field) => [field.field, field.message]));
}

function fieldError(messages: FieldMessages, field: string): SafeHtml | '' {
  const message = messages[field];
  return message ? html`<p class="error" id="${field}-error">${message}</p>` : '';
}

function notice(kind: 'ok' | 'error' | 'info', text: string | undefined): SafeHtml | '' {
  return text ? html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : '';
}

const csrfInput = (csrf: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/** `/`: what AInfo is, a search box, an ask box, and the way in. */
export function homeView(input: { signedInName: string | undefined; info?: string | undefined }): PageView {
  return {
    title: '청년 정책 찾기',
    body: html`<div class="card">
<h1>AInfo: 나에게 맞는 청년 정책 찾기</h1>
<p>정부24, 온통청년, 고용24에 흩어진 청년 지원 정책을 매주 모아 한곳에서 찾아 드립니다. 나이와 지역을 알려 주시면 신청할 수 있는 정책을 먼저 보여 드리고, 새 소식이 있으면 메일로 알려 드립니다.</p>
${notice('info', input.info)}
<h2>정책 검색</h2>
<form method="get" action="/policies" role="search">
<label for="home-q">찾는 지원</label><input id="home-q" name="q" type="search" maxlength="200" placeholder="예: 청년 월세 지원" required>
<button type="submit">검색</button>
</form>
<h2>질문하기</h2>
<form method="get" action="/ask">
<label for="home-ask">궁금한 점을 문장으로 물어보세요</label><input id="home-ask" name="q" type="text" maxlength="500" placeholder="예: 서울에 사는 27살 구직자가 받을 수 있는 지원은?">
<button type="submit">질문하기</button>
</form>
${input.signedInName
    ? html`<p>${input.signedInName}님, 반갑습니다. <a href="/me">내 정보</a>에서 나이, 지역, 공지 메일 수신을 바꿀 수 있습니다.</p>`
    : html`<p><a href="/signup">회원가입</a>하면 내 나이와 지역으로 검색 조건이 채워지고 공지를 메일로 받을 수 있습니다. 이미 가입했다면 <a href="/login">로그인</a>하세요.</p>`}
</div>`,
  };
}

export interface SignupValues {
  email: string;
  name: string;
  noticeConsent: boolean;
}

export function signupView(input: { csrf: string; values?: SignupValues; messages?: FieldMessages; error?: string }): PageView {
  const values = input.values ?? { email: '', name: '', noticeConsent: false };
  const messages = input.messages ?? {};
  return {
    title: '회원가입',
    body: html`<div class="card">
<h1>회원가입</h1>
${notice('error', input.error)}
<form method="post" action="/signup" novalidate>
${csrfInput(input.csrf)}
<label for="email">이메일</label><input id="email" name="email" type="email" autocomplete="email" maxlength="254" value="${values.email}" required>
${fieldError(messages, 'email')}
<label for="name">이름</label><input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${values.name}" required>
${fieldError(messages, 'name')}
<label for="password">비밀번호 (8자 이상, 남이 짐작하기 어렵게)</label><input id="password" name="password" type="password" autocomplete="new-password" maxlength="128" required>
${fieldError(messages, 'password')}
<label for="passwordConfirm">비밀번호 확인</label><input id="passwordConfirm" name="passwordConfirm" type="password" autocomplete="new-password" maxlength="128" required>
${fieldError(messages, 'passwordConfirm')}
<label class="check"><input type="checkbox" name="noticeConsent" value="on"${values.noticeConsent ? html` checked` : ''}> 새 정책과 공지를 메일로 받겠습니다 (언제든 내 정보에서 끌 수 있습니다)</label>
<button type="submit">가입하기</button>
</form>
<p class="muted">이미 가입했다면 <a href="/login">로그인</a>하세요.</p>
</div>`,
  };
}

/** After signup: the same page whether the address was free or taken (no enumeration). */
export function signupDoneView(email: string): PageView {
  return {
    title: '인증 메일을 보냈습니다',
    body: html`<div class="card">
<h1>메일함을 확인해 주세요</h1>
<p>${email} 주소로 인증 메일을 보냈습니다. 메일의 버튼을 눌러 가입을 마친 뒤 <a href="/login">로그인</a>해 주세요. 메일이 보이지 않으면 스팸함도 확인해 주세요.</p>
<form method="post" action="/accounts/verify-email/resend">
<input type="hidden" name="email" value="${email}">
<button type="submit" class="secondary">인증 메일 다시 보내기</button>
</form>
</div>`,
  };
}

export function loginView(input: { csrf: string; next: string; email?: string; error?: string; info?: string; notVerified?: boolean }): PageView {
  return {
    title: '로그인',
    body: html`<div class="card">
<h1>로그인</h1>
${notice('info', input.info)}
${notice('error', input.error)}
<form method="post" action="/login">
${csrfInput(input.csrf)}
<input type="hidden" name="next" value="${input.next}">
<label for="email">이메일</label><input id="email" name="email" type="email" autocomplete="email" maxlength="254" value="${input.email ?? ''}" required>
<label for="password">비밀번호</label><input id="password" name="password" type="password" autocomplete="current-password" maxlength="128" required>
<button type="submit">로그인</button>
</form>
${input.notVerified
    ? html`<form method="post" action="/accounts/verify-email/resend"><input type="hidden" name="email" value="${input.email ?? ''}"><button type="submit" class="secondary">인증 메일 다시 보내기</button></form>`
    : ''}
<p class="muted">계정이 없다면 <a href="/signup">회원가입</a>하세요. 비밀번호를 잊었다면 <a href="/accounts/password-reset/request">비밀번호 재설정</a>.</p>
</div>`,
  };
}

/** The messages /me shows after a form succeeded (`?msg=`). */
export const ME_MESSAGES = {
  'profile-saved': '내 정보를 저장했습니다.',
  'notices-on': '공지 메일을 다시 받습니다.',
  'notices-off': '공지 메일을 더 이상 보내 드리지 않습니다.',
  'password-changed': '비밀번호를 바꿨습니다. 다른 기기의 로그인은 모두 해제되었습니다.',
  'signed-in': '로그인했습니다.',
} as const;
export type MeMessage = keyof typeof ME_MESSAGES;

/** What the profile form sent back after an error, as typed. */
export interface ProfileValues {
  name: string;
  birthYear: string;
  sido: string;
  sigungu: string;
  situation: string;
}

export function profileValuesOf(me: Me): ProfileValues {
  return {
    name: me.name,
    birthYear: me.birthYear === null ? '' : String(me.birthYear),
    sido: me.regionSido ?? '',
    sigungu: me.regionSido && me.regionSigungu ? `${me.regionSido} ${me.regionSigungu}` : '',
    situation: me.situation ?? '',
  };
}

export interface MeViewInput {
  me: Me;
  csrf: string;
  message?: MeMessage | undefined;
  profile?: { values: ProfileValues; messages: FieldMessages } | undefined;
  password?: { messages: FieldMessages } | undefined;
}

function profileForm(input: MeViewInput): SafeHtml {
  const values = input.profile?.values ?? profileValuesOf(input.me);
  const messages = input.profile?.messages ?? {};
  return html`<section class="card" aria-labelledby="profile-title">
<h2 id="profile-title">기본 정보</h2>
<p class="muted">나이와 지역은 정책 검색 조건을 채우는 데 씁니다. 비워 두어도 됩니다.</p>
<form method="post" action="/me/profile">
${csrfInput(input.csrf)}
<label for="name">이름</label><input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${values.name}" required>
${fieldError(messages, 'name')}
<label for="birthYear">출생 연도</label><input id="birthYear" name="birthYear" type="text" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" placeholder="예: 1999" value="${values.birthYear}">
${fieldError(messages, 'birthYear')}
<label for="regionSido">사는 곳 (시도)</label><select id="regionSido" name="regionSido"><option value="">선택 안 함</option>${SIDO_LIST.map(
    (sido) => html`<option value="${sido.short}"${values.sido === sido.short ? html` selected` : ''}>${sido.name}</option>`,
  )}</select>
${fieldError(messages, 'regionSido')}
<label for="regionSigungu">사는 곳 (시군구)</label><select id="regionSigungu" name="regionSigungu"><option value="">시도 전체</option>${SIDO_LIST.filter((sido) => sido.sigungu.length > 0).map(
    (sido) => html`<optgroup label="${sido.name}">${sido.sigungu.map((entry) => {
      const value = `${sido.short} ${entry.name}`;
      return html`<option value="${value}"${values.sigungu === value ? html` selected` : ''}>${entry.name}</option>`;
    })}</optgroup>`,
  )}</select>
${fieldError(messages, 'regionSigungu')}
<label for="situation">지금 상황</label><select id="situation" name="situation"><option value="">선택 안 함</option>${SITUATIONS.map(
    (situation) => html`<option value="${situation}"${values.situation === situation ? html` selected` : ''}>${SITUATION_LABELS[situation]}</option>`,
  )}</select>
${fieldError(messages, 'situation')}
<button type="submit">저장</button>
</form>
</section>`;
}

function noticesForm(input: MeViewInput): SafeHtml {
  const on = input.me.noticeConsent;
  return html`<section class="card" aria-labelledby="notices-title">
<h2 id="notices-title">공지 메일</h2>
<p data-testid="notice-state">${on ? '지금 공지 메일을 받고 있습니다.' : '지금 공지 메일을 받지 않습니다.'}</p>
<form method="post" action="/me/notices">
${csrfInput(input.csrf)}
<input type="hidden" name="noticeConsent" value="${on ? 'off' : 'on'}">
<button type="submit"${on ? html` class="secondary"` : ''}>${on ? '공지 메일 받지 않기' : '공지 메일 받기'}</button>
</form>
</section>`;
}

function passwordForm(input: MeViewInput): SafeHtml {
  const messages = input.password?.messages ?? {};
  return html`<section class="card" aria-labelledby="password-title">
<h2 id="password-title">비밀번호 바꾸기</h2>
<form method="post" action="/me/password">
${csrfInput(input.csrf)}
<label for="currentPassword">현재 비밀번호</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" maxlength="128" required>
${fieldError(messages, 'currentPassword')}
<label for="newPassword">새 비밀번호</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password" maxlength="128" required>
${fieldError(messages, 'newPassword')}
<label for="newPasswordConfirm">새 비밀번호 확인</label><input id="newPasswordConfirm" name="newPasswordConfirm" type="password" autocomplete="new-password" maxlength="128" required>
${fieldError(messages, 'newPasswordConfirm')}
<button type="submit">비밀번호 바꾸기</button>
</form>
<p class="muted">비밀번호를 바꾸면 다른 기기의 로그인은 모두 해제됩니다.</p>
</section>`;
}

export function meView(input: MeViewInput): PageView {
  const message = input.message ? ME_MESSAGES[input.message] : undefined;
  const failed = input.profile ?? input.password;
  return {
    title: '내 정보',
    body: html`<div class="card">
<h1>내 정보</h1>
<p>${input.me.name}님 (${input.me.email})</p>
${notice('ok', message)}
${failed ? notice('error', '입력한 내용을 다시 확인해 주세요.') : ''}
<p><a href="/policies">내 조건으로 정책 검색하기</a></p>
</div>
${profileForm(input)}
${noticesForm(input)}
${passwordForm(input)}
<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">계정 삭제</h2>
<p>계정을 삭제하면 이름, 이메일, 기본 정보와 보내지 않은 공지 메일이 모두 지워지며 되돌릴 수 없습니다.</p>
<p><a class="button danger" href="/me/delete">계정 삭제하기</a></p>
</section>`,
  };
}

export function deleteConfirmView(input: { csrf: string; email: string; messages?: FieldMessages }): PageView {
  const messages = input.messages ?? {};
  return {
    title: '계정 삭제',
    body: html`<div class="card">
<h1>계정을 삭제하시겠습니까?</h1>
<p>${input.email} 계정과 이름, 기본 정보, 공지 메일 수신 기록, 아직 보내지 않은 공지 메일이 지워집니다. 삭제한 계정은 되돌릴 수 없습니다.</p>
<form method="post" action="/me/delete">
${csrfInput(input.csrf)}
<label for="password">확인을 위해 비밀번호를 입력해 주세요</label><input id="password" name="password" type="password" autocomplete="current-password" maxlength="128" required>
${fieldError(messages, 'password')}
<label class="check"><input type="checkbox" name="confirm" value="yes" required> 삭제하면 되돌릴 수 없다는 것을 이해했습니다</label>
${fieldError(messages, 'confirm')}
<button type="submit" class="danger">계정 영구 삭제</button>
</form>
<p><a href="/me">취소하고 내 정보로 돌아가기</a></p>
</div>`,
  };
}

export function deletedView(): PageView {
  return {
    title: '계정을 삭제했습니다',
    body: html`<div class="card">
<h1 class="ok">계정을 삭제했습니다</h1>
<p>계정과 개인정보를 모두 지웠습니다. 그동안 AInfo를 이용해 주셔서 감사합니다.</p>
<p><a href="/">첫 화면으로</a></p>
</div>`,
  };
}

/** The form's security token was missing or stale. */
export function staleFormView(): PageView {
  return {
    title: '요청 거부',
    body: html`<div class="card"><h1>요청을 처리할 수 없습니다</h1>
<p>보안 토큰이 없거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.</p>
<p><a href="/me">내 정보로</a></p></div>`,
  };
}

import { greetingName, renderMail, type RenderedMail } from '../../mail/template.ts';

/** "24시간", "1시간", "30분": how long a link lasts, in Korean. */
export function koreanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  // Up to two days reads better in hours ("24시간", as the verification link is announced).
  if (minutes % 60 === 0 && minutes <= 2_880) return `${minutes / 60}시간`;
  if (minutes % 1_440 === 0) return `${minutes / 1_440}일`;
  if (minutes % 60 === 0) return `${minutes / 60}시간`;
  return `${minutes}분`;
}

export interface AccountMail extends RenderedMail {
  subject: string;
}

/** The verification mail; `name` is user data: one line, never link-like (greetingName), escaped by the renderer. */
export function verifyEmailMail(input: { name: string; link: string; ttlMs: number }): AccountMail {
  return {
    subject: '[AInfo] 이메일 주소를 인증해 주세요',
    ...renderMail({
      title: '이메일 주소 인증',
      paragraphs: [
        `${greetingName(input.name)}님, AInfo에 가입해 주셔서 감사합니다.`,
        '아래 링크를 열어 이메일 주소를 인증하면 가입이 완료됩니다.',
      ],
      action: { label: '이메일 인증하기', url: input.link },
      notes: [
        `이 링크는 ${koreanDuration(input.ttlMs)} 동안 한 번만 사용할 수 있습니다.`,
        '본인이 가입하지 않았다면 이 메일을 무시하셔도 됩니다.',
      ],
    }),
  };
}

/** The password-reset mail. */
export function resetPasswordMail(input: { name: string; link: string; ttlMs: number }): AccountMail {
  return {
    subject: '[AInfo] 비밀번호 재설정 안내',
    ...renderMail({
      title: '비밀번호 재설정',
      paragraphs: [
        `${greetingName(input.name)}님, 비밀번호 재설정 요청을 받았습니다.`,
        '아래 링크를 열어 새 비밀번호를 설정해 주세요.',
      ],
      action: { label: '비밀번호 재설정하기', url: input.link },
      notes: [
        `이 링크는 ${koreanDuration(input.ttlMs)} 동안 한 번만 사용할 수 있습니다. 새 비밀번호를 설정하면 모든 기기에서 로그아웃됩니다.`,
        '본인이 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다.',
      ],
    }),
  };
}

/** To the owner of an address someone signed up with again: nothing was created; how to get in. */
export function accountExistsMail(input: { name: string; loginUrl: string; resetUrl: string }): AccountMail {
  return {
    subject: '[AInfo] 이미 가입된 계정이 있습니다',
    ...renderMail({
      title: '이미 가입된 계정이 있습니다',
      paragraphs: [
        `${greetingName(input.name)}님, 이 이메일 주소로 AInfo 가입 요청을 받았습니다.`,
        '이 주소로는 이미 가입된 계정이 있어 새 계정을 만들지 않았습니다. 가입한 계정으로 로그인해 주세요.',
      ],
      links: [{ label: '로그인하기', url: input.loginUrl }],
      action: { label: '비밀번호 재설정하기', url: input.resetUrl },
      notes: ['비밀번호가 기억나지 않으면 위 버튼으로 새 비밀번호를 설정할 수 있습니다.', '본인이 요청하지 않았다면 이 메일을 무시하셔도 됩니다. 계정에는 아무 변화가 없습니다.'],
    }),
  };
}

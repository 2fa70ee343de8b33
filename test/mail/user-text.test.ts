import { describe, expect, it } from 'vitest';
import { accountExistsMail, resetPasswordMail, verifyEmailMail } from '../../src/modules/accounts/accounts.mails.ts';
import { renderNoticeMail } from '../../src/modules/notifications/notifications.templates.ts';

const LINK = 'https://ainfo.test/accounts/verify-email?token=abc.def';

/** Names someone could sign up with (before the signup check) to put a phishing line into our mail. */
const HOSTILE_NAMES = [
  'https://evil.example/login',
  '보안팀 안내: www.evil.example 에서 확인하세요',
  'evil.example',
  'evil。example',
  'support@evil.example',
  '홍길동\n\n계정이 정지되었습니다. http://evil.example',
];

describe('user text in mail: one line, never a link', () => {
  it('greets a person whose stored name looks like a link as 회원, in every account mail and notice', () => {
    for (const name of HOSTILE_NAMES) {
      const mails = [
        verifyEmailMail({ name, link: LINK, ttlMs: 86_400_000 }),
        resetPasswordMail({ name, link: LINK, ttlMs: 3_600_000 }),
        accountExistsMail({ name, loginUrl: 'https://ainfo.test/login', resetUrl: 'https://ainfo.test/accounts/password-reset/request' }),
        renderNoticeMail({ noticeId: 1, deliveryId: 1, title: '공지', content: '내용', recipientName: name, unsubscribeToken: 't', publicUrl: 'https://ainfo.test' }),
      ];
      for (const mail of mails) {
        expect(mail.text, name).not.toMatch(/evil/);
        expect(mail.html, name).not.toMatch(/evil/);
        expect(mail.text, name).toContain('회원님');
      }
    }
  });

  it('keeps an ordinary name, on one line, with control and direction characters removed', () => {
    const mail = verifyEmailMail({ name: '김\u202e민지\u200b\t님들', link: LINK, ttlMs: 86_400_000 });
    expect(mail.text.split('\n')[2]).toBe('김민지 님들님, AInfo에 가입해 주셔서 감사합니다.');
    expect(renderNoticeMail({ noticeId: 1, deliveryId: 1, title: '공지', content: '내용', recipientName: 'Kim Min-ji', unsubscribeToken: 't', publicUrl: 'https://ainfo.test' }).text).toContain(
      'Kim Min-ji님, 안녕하세요.',
    );
  });
});

import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { MimeComposer, encodeHeaderValue } from '../../src/mail/mime.ts';

const message = {
  to: 'kim.minji+news@example.com',
  subject: '[AInfo 공지] 2026년 청년 월세 한시 특별지원 신청 안내 — 신청 기간과 대상, 지원 금액을 꼭 확인하세요',
  text: '김민지님, 안녕하세요.\n\n본문 첫 줄\n.\n점 하나만 있는 줄도 그대로.',
  html: '<p>김민지님, 안녕하세요.</p>\n<p>&lt;script&gt; 는 글자로</p>',
  headers: { 'List-Unsubscribe': '<https://ainfo.example/api/notices/unsubscribe?token=abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  messageId: '<notice-1.delivery-2@ainfo.example>',
  kind: 'notice',
};

describe('MIME composed directly (src/mail/mime.ts)', () => {
  it('parses back to the same subject, sender, bodies, headers and Message-ID', async () => {
    const composed = new MimeComposer('AInfo 알림 <no-reply@ainfo.example>').compose(message);
    if (!composed) throw new Error('not composed');
    expect(composed.envelope).toEqual({ from: 'no-reply@ainfo.example', to: ['kim.minji+news@example.com'] });
    // CRLF only; lines with encoded words within RFC 2047's 76 characters, every line within 998.
    for (const line of composed.raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(line.includes('=?UTF-8?B?') ? 76 : 998);
    expect(composed.raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const parsed = await simpleParser(composed.raw);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.from?.value).toEqual([{ name: 'AInfo 알림', address: 'no-reply@ainfo.example' }]);
    expect(parsed.messageId).toBe(message.messageId);
    expect(parsed.text?.trim()).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.headerLines.find((line) => line.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.headerLines.find((line) => line.key === 'list-unsubscribe')?.line).toBe(`List-Unsubscribe: ${message.headers['List-Unsubscribe']}`);
    expect(parsed.date).toBeInstanceOf(Date);
  });

  it('keeps a line break in a header value from starting a header of its own', async () => {
    const composed = new MimeComposer('"AInfo" <no-reply@ainfo.example>').compose({
      ...message,
      subject: '제목\r\nBcc: victim@example.com',
      headers: { 'X-Test': 'a\nX-Injected: 1' },
    });
    if (!composed) throw new Error('not composed');
    const parsed = await simpleParser(composed.raw);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.subject).toBe('제목 Bcc: victim@example.com');
    expect(encodeHeaderValue('plain ascii')).toBe('plain ascii');
  });

  it('leaves an address it does not write as is (non-ASCII, display name, line break) to nodemailer', () => {
    const composer = new MimeComposer('no-reply@ainfo.example');
    expect(composer.compose({ ...message, to: '김민지@example.com' })).toBeUndefined();
    expect(composer.compose({ ...message, to: 'Kim <kim@example.com>' })).toBeUndefined();
    expect(composer.compose({ ...message, to: 'kim@example.com\r\nBcc: x@example.com' })).toBeUndefined();
    expect(composer.compose({ ...message, headers: { 'Bad Name': 'x' } })).toBeUndefined();
    expect(MimeComposer.forSender('그룹: a@example.com, b@example.com;')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { renderNoticeMarkdown } from '../../src/modules/notifications/notifications.markdown.ts';
import { maskEmail, renderNoticeMail, unsubscribeConfirmPage } from '../../src/modules/notifications/notifications.templates.ts';
import { renderPage } from '../../src/http/pages/layout.ts';

describe('notice rendering', () => {
  it('renders the Markdown subset: headings, emphasis, code, lists and http(s) links', () => {
    const html = renderNoticeMarkdown('## 일정\n\n**굵게** *기울임* `코드`\n둘째 줄\n\n- 하나\n- [둘](https://example.org/x?a=1&b=2)\n\n1. 첫째\n2. 둘째');
    expect(html).toContain('<h3');
    expect(html).toContain('<strong>굵게</strong> <em>기울임</em> <code>코드</code><br>');
    expect(html).toContain('<ul');
    expect(html).toContain('<li><a href="https://example.org/x?a=1&amp;b=2">둘</a></li>');
    expect(html).toContain('<ol');
  });

  it('escapes raw HTML and refuses links that are not http(s), whatever the input', () => {
    const attacks = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '[x](https://ok.example/" onmouseover="alert(1))',
      '**<b>bold</b>**',
      '`<i>code</i>`',
      '[<svg onload=alert(1)>](https://ok.example)',
    ];
    for (const attack of attacks) {
      const html = renderNoticeMarkdown(attack);
      expect(html, attack).not.toMatch(/<(script|img|svg|b|i)[\s>]/);
      expect(html, attack).not.toMatch(/href="javascript:/);
      expect(html, attack).not.toMatch(/"\s+onmouseover=/);
    }
    expect(renderNoticeMarkdown('[click](javascript:alert(1))')).toContain('[click](javascript:alert(1))');
  });

  it('keeps line breaks out of the subject and sets the one-click headers and a stable Message-ID', () => {
    const input = {
      noticeId: 7,
      deliveryId: 42,
      title: '제목\r\nBcc: victim@example.com',
      content: '내용',
      recipientName: '<홍길동>',
      unsubscribeToken: '0f0e0d0c-0b0a-4900-8000-000000000001',
      publicUrl: 'https://ainfo.example',
    };
    const mail = renderNoticeMail(input);
    expect(mail.subject).toBe('[AInfo 공지] 제목 Bcc: victim@example.com');
    expect(mail.headers).toEqual({
      'List-Unsubscribe': '<https://ainfo.example/api/notices/unsubscribe?token=0f0e0d0c-0b0a-4900-8000-000000000001>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(mail.messageId).toBe('<notice-7.delivery-42@ainfo.example>');
    expect(renderNoticeMail(input).messageId).toBe(mail.messageId);
    expect(mail.html).toContain('&lt;홍길동&gt;님, 안녕하세요.');
    expect(mail.text).toContain('https://ainfo.example/notices/unsubscribe?token=0f0e0d0c-0b0a-4900-8000-000000000001');
  });

  it('shows a confirmation page with a POST form, no script, and a masked address', () => {
    const page = renderPage(unsubscribeConfirmPage({
      token: '0f0e0d0c-0b0a-4900-8000-000000000001',
      email: 'hong@example.com',
      alreadyOff: false,
    }));
    expect(page).toContain('<html lang="ko">');
    expect(page).toContain('<meta name="robots" content="noindex">');
    // Relative, as every other form: the page posts back to wherever it was opened, whatever PUBLIC_URL says.
    expect(page).toContain('<form method="post" action="/notices/unsubscribe">');
    expect(page).toContain('ho***@example.com');
    expect(page).not.toContain('hong@example.com');
    expect(page).not.toMatch(/<script/i);
    expect(maskEmail('a@b.kr')).toBe('a***@b.kr');
  });
});

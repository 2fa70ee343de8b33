import type { PageView } from '../../http/pages/layout.ts';
import { greetingName, messageIdDomainOf } from '../../mail/index.ts';
import { html, rawHtml, type SafeHtml } from '../../utils/html.ts';
import { oneLine } from '../../utils/text.ts';
import { renderNoticeMarkdown } from './notifications.markdown.ts';

const SERVICE_FOOTER = 'AInfo · 청년 정책 정보 서비스';

export interface NoticeMailInput {
  noticeId: number;
  deliveryId: number;
  title: string;
  content: string;
  recipientName: string;
  unsubscribeToken: string;
  /** config.http.publicUrl, without a trailing slash. */
  publicUrl: string;
}

export interface NoticeMail {
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  messageId: string;
}

/** The page a person opens from the mail (GET shows a confirmation, its form POSTs). */
export function unsubscribePageUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/notices/unsubscribe?token=${encodeURIComponent(token)}`;
}

/** The RFC 8058 one-click endpoint mail clients POST to. */
export function unsubscribeOneClickUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/api/notices/unsubscribe?token=${encodeURIComponent(token)}`;
}

/**
 * A Message-ID derived from the delivery alone, so a resend after an unrecorded acceptance
 * carries the same id and a receiving system can drop the copy.
 */
export function noticeMessageId(publicUrl: string, noticeId: number, deliveryId: number): string {
  return `<notice-${noticeId}.delivery-${deliveryId}@${messageIdDomainOf(publicUrl)}>`;
}


/**
 * The Korean notice mail: HTML (content rendered from the Markdown subset, escaped) and text.
 * `contentHtml` is the content rendered already (the same for every recipient of a notice).
 */
export function renderNoticeMail(input: NoticeMailInput, contentHtml = renderNoticeMarkdown(input.content)): NoticeMail {
  // Line breaks and other control characters must never reach a header.
  const title = oneLine(input.title);
  const greeting = `${greetingName(input.recipientName)}님, 안녕하세요.`;
  const pageUrl = unsubscribePageUrl(input.publicUrl, input.unsubscribeToken);
  const oneClickUrl = unsubscribeOneClickUrl(input.publicUrl, input.unsubscribeToken);
  const body: SafeHtml = html`<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:'Apple SD Gothic Neo','Malgun Gothic',sans-serif;color:#222">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:32px">
<p style="font-size:13px;color:#2f6fed;margin:0 0 8px">AInfo 공지</p>
<h1 style="font-size:20px;margin:0 0 16px">${title}</h1>
<p style="line-height:1.6;margin:0 0 12px">${greeting}</p>
${rawHtml(contentHtml)}
<hr style="border:none;border-top:1px solid #eee;margin:24px 0 12px">
<p style="font-size:12px;color:#777;line-height:1.6;margin:0 0 8px">이 메일은 AInfo 공지 메일 수신에 동의하신 분께 보내 드립니다. 더 이상 받지 않으시려면 <a href="${pageUrl}">수신 거부</a>를 눌러 주세요.</p>
<p style="font-size:12px;color:#999;margin:0">${SERVICE_FOOTER}</p>
</div>
</body>
</html>
`;
  const text = [
    `[AInfo 공지] ${title}`,
    '',
    greeting,
    '',
    input.content.replace(/\r\n?/g, '\n').trim(),
    '',
    '--',
    '이 메일은 AInfo 공지 메일 수신에 동의하신 분께 보내 드립니다.',
    `더 이상 받지 않으시려면: ${pageUrl}`,
    SERVICE_FOOTER,
  ].join('\n');
  return {
    subject: `[AInfo 공지] ${title}`,
    html: body.__html,
    text,
    headers: {
      'List-Unsubscribe': `<${oneClickUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    messageId: noticeMessageId(input.publicUrl, input.noticeId, input.deliveryId),
  };
}

/** "ab***@example.com": enough for the owner to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length))}***${email.slice(at)}`;
}

/** A page of the unsubscribe flow, for `reply.page`: opened from a mail, so not indexed. */
function page(title: string, content: SafeHtml): PageView {
  return {
    title,
    noindex: true,
    body: html`<div class="card">
<h1>${title}</h1>
${content}
<p class="muted">${SERVICE_FOOTER}</p>
</div>`,
  };
}

/** GET /notices/unsubscribe: asks before acting, since mail scanners open links on their own. */
export function unsubscribeConfirmPage(input: { token: string; email: string; alreadyOff: boolean }): PageView {
  if (input.alreadyOff) {
    return page(
      '공지 메일 수신 거부',
      html`<p>${maskEmail(input.email)} 주소는 이미 공지 메일 수신을 거부한 상태입니다. 앞으로 공지 메일을 보내 드리지 않습니다.</p>`,
    );
  }
  return page(
    '공지 메일 수신 거부',
    html`<p>${maskEmail(input.email)} 주소로 보내 드리는 AInfo 공지 메일을 더 이상 받지 않으시겠습니까?</p>
<form method="post" action="/notices/unsubscribe">
<input type="hidden" name="token" value="${input.token}">
<button type="submit">수신 거부하기</button>
</form>
<p class="muted">수신 거부 후에도 <a href="/me">내 정보</a>에서 언제든 다시 동의하실 수 있습니다.</p>`,
  );
}

export function unsubscribedPage(): PageView {
  return page(
    '수신 거부가 완료되었습니다',
    html`<p>앞으로 AInfo 공지 메일을 보내 드리지 않습니다. 그동안 관심 가져 주셔서 감사합니다.</p>
<p class="muted">마음이 바뀌면 <a href="/me">내 정보</a>에서 언제든 다시 받을 수 있습니다.</p>`,
  );
}

export function invalidUnsubscribePage(): PageView {
  return page(
    '링크를 확인할 수 없습니다',
    html`<p>수신 거부 링크가 올바르지 않거나 손상되었습니다. 메일에 있는 링크 전체를 다시 열어 주세요.</p>`,
  );
}

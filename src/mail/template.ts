import { html, type SafeHtml } from '../utils/html.ts';
import { looksLikeLink, oneLine } from '../utils/text.ts';

/** The content of one Korean mail; every string is plain text and is escaped when rendered. */
export interface MailContent {
  /** Heading inside the mail (the subject is set separately). */
  title: string;
  /** Paragraphs of plain text; user data may be interpolated into them, it is escaped here. */
  paragraphs: readonly string[];
  /** Links of our own (http(s)), each on its line, before the button. */
  links?: readonly { label: string; url: string }[];
  /** The one button of the mail; the URL is also printed in full for clients that hide buttons. */
  action?: { label: string; url: string };
  /** Small print under the button (expiry, "ignore this mail if …"). */
  notes?: readonly string[];
}

export interface RenderedMail {
  html: string;
  text: string;
}

const SERVICE_NAME = 'AInfo';
const GREETING_NAME_MAX = 40;
/** Made once: constructing an ICU segmenter costs more than segmenting a name (it ran per mail). */
const GRAPHEMES = new Intl.Segmenter('ko', { granularity: 'grapheme' });

/**
 * How a mail addresses a person: their name on one line, at most 40 characters, or 회원 when the
 * name could pass for a link or an address. A name is the one piece of user text in our mail: it
 * must not become a line of its own or something a client links (phishing from our domain), in
 * names stored before signup refused those.
 */
export function greetingName(name: string): string {
  const line = oneLine(name);
  if (line === '' || looksLikeLink(line)) return '회원';
  // No more UTF-16 units than the limit: no more graphemes either.
  if (line.length <= GREETING_NAME_MAX) return line;
  const segments = [...GRAPHEMES.segment(line)];
  return segments
    .slice(0, GREETING_NAME_MAX)
    .map(({ segment }) => segment)
    .join('');
}

/**
 * Renders a Korean mail as HTML and plain text from one description, so the two never drift.
 * Only http(s) URLs are accepted for the button: a `javascript:` link would survive escaping.
 */
export function renderMail(content: MailContent): RenderedMail {
  const { action } = content;
  const links = content.links ?? [];
  if ([...links, ...(action ? [action] : [])].some((link) => !/^https?:\/\//.test(link.url))) throw new Error('mail links must be http(s) URLs');
  const body: SafeHtml = html`<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${content.title}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:'Apple SD Gothic Neo','Malgun Gothic',sans-serif;color:#222">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:32px">
<h1 style="font-size:20px;margin:0 0 16px">${content.title}</h1>
${content.paragraphs.map((paragraph) => html`<p style="line-height:1.6;margin:0 0 12px">${paragraph}</p>\n`)}
${links.map((link) => html`<p style="line-height:1.6;margin:0 0 12px"><a href="${link.url}">${link.label}</a>: ${link.url}</p>\n`)}
${action
  ? html`<p style="margin:24px 0"><a href="${action.url}" style="display:inline-block;padding:12px 20px;background:#2f6fed;color:#fff;text-decoration:none;border-radius:6px">${action.label}</a></p>
<p style="font-size:13px;color:#555;word-break:break-all">버튼이 열리지 않으면 아래 주소를 브라우저에 붙여 넣으세요.<br><a href="${action.url}">${action.url}</a></p>\n`
  : ''}
${(content.notes ?? []).map((note) => html`<p style="font-size:13px;color:#777;margin:8px 0 0">${note}</p>\n`)}
<hr style="border:none;border-top:1px solid #eee;margin:24px 0 12px">
<p style="font-size:12px;color:#999;margin:0">${SERVICE_NAME} · 청년 정책 정보 서비스</p>
</div>
</body>
</html>
`;
  const text = [
    content.title,
    '',
    ...content.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...links.flatMap((link) => [`${link.label}: ${link.url}`, '']),
    ...(action ? [`${action.label}: ${action.url}`, ''] : []),
    ...(content.notes ?? []),
    '',
    '--',
    `${SERVICE_NAME} · 청년 정책 정보 서비스`,
  ].join('\n');
  return { html: body.__html, text };
}

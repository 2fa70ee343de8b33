import { escapeHtml } from '../../utils/html.ts';

/**
 * Renders a notice's content, plain text or a small Markdown subset, to safe HTML.
 *
 * Supported: paragraphs (blank line), line breaks, `#`/`##`/`###` headings, `-`/`*` and `1.`
 * lists, `**bold**`, `*italic*`, `` `code` `` and `[text](https://…)` links (http and https
 * only). Everything else, raw HTML included, is shown as text: the input is escaped before any
 * markup is added, so no input can produce a tag or an attribute of its own.
 */
export function renderNoticeMarkdown(content: string): string {
  const blocks = content.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n+/);
  return blocks
    .map((block) => block.replace(/^\n+|\n+$/g, ''))
    .filter((block) => block.trim() !== '')
    .map(renderBlock)
    .join('\n');
}

const HEADING = /^(#{1,3})\s+(.*)$/;
const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/;

function renderBlock(block: string): string {
  const lines = block.split('\n');
  const first = lines[0] ?? '';
  const heading = lines.length === 1 ? HEADING.exec(first) : null;
  if (heading) {
    // Mail headings stay small: the notice title is the only h1.
    const level = (heading[1]?.length ?? 1) + 1;
    return `<h${level} style="font-size:${20 - level}px;margin:16px 0 8px">${renderInline(heading[2] ?? '')}</h${level}>`;
  }
  if (lines.every((line) => BULLET.test(line))) return renderList('ul', lines, BULLET);
  if (lines.every((line) => NUMBERED.test(line))) return renderList('ol', lines, NUMBERED);
  return `<p style="line-height:1.6;margin:0 0 12px">${lines.map(renderInline).join('<br>\n')}</p>`;
}

function renderList(tag: 'ul' | 'ol', lines: readonly string[], pattern: RegExp): string {
  const items = lines.map((line) => `<li>${renderInline(pattern.exec(line)?.[1] ?? '')}</li>`);
  return `<${tag} style="line-height:1.6;margin:0 0 12px;padding-left:20px">${items.join('')}</${tag}>`;
}

const CODE_SPAN = /`([^`\n]+)`/g;
const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s()<>"']+)\)/g;

/** Code spans first (their content is literal), then links, then emphasis on escaped text. */
function renderInline(text: string): string {
  return splitBy(text, CODE_SPAN, (code) => `<code>${escapeHtml(code)}</code>`, (rest) =>
    splitBy(
      rest,
      LINK,
      (label, url) => `<a href="${escapeHtml(url ?? '')}">${emphasis(escapeHtml(label))}</a>`,
      (plain) => emphasis(escapeHtml(plain)),
    ),
  );
}

/** Emphasis markers survive escaping unchanged, so they are applied to already escaped text. */
function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*\n]+)\*(?!\*)/g, '$1<em>$2</em>');
}

function splitBy(
  text: string,
  pattern: RegExp,
  onMatch: (first: string, second?: string) => string,
  onRest: (rest: string) => string,
): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index;
    out += onRest(text.slice(last, index)) + onMatch(match[1] ?? '', match[2]);
    last = index + match[0].length;
  }
  return out + onRest(text.slice(last));
}

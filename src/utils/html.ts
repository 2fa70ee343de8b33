const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Escapes text for HTML element content and quoted attribute values. Every piece of user data
 * (names, addresses, mail bodies in the dev mailbox) goes through this before it meets markup.
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"'`]/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Markup that is already safe; `html` leaves it as it is instead of escaping it again. */
export interface SafeHtml {
  readonly __html: string;
}

export function rawHtml(markup: string): SafeHtml {
  return { __html: markup };
}

function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && typeof (value as { __html?: unknown }).__html === 'string';
}

type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function renderValue(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(renderValue).join('');
  if (isSafeHtml(value)) return value.__html;
  return escapeHtml(value as string | number);
}

/**
 * Tagged template that escapes every interpolated value unless it is SafeHtml (or an array of
 * them), so that forgetting to escape is not possible: html`<p>${user.name}</p>`.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? '');
  });
  return rawHtml(out);
}

/** An http(s) URL in running text: ASCII URL characters only, so Korean after it is not swallowed. */
const URL_IN_TEXT = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;

/**
 * Plain text with its http(s) links clickable, everything escaped. Punctuation that ends a
 * sentence (`.`, `,`, a `)` closing a parenthesis the URL did not open) stays text:
 * `(https://www.bokjiro.go.kr)에서` links `https://www.bokjiro.go.kr`.
 */
export function linkifyText(text: string): SafeHtml {
  const parts: HtmlValue[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    let url = match[0];
    for (;;) {
      const trimmed = url.replace(/[.,;:!?'*]+$/, '');
      const unbalanced = trimmed.endsWith(')') && (trimmed.match(/\(/g) ?? []).length < (trimmed.match(/\)/g) ?? []).length;
      const next = unbalanced ? trimmed.slice(0, -1) : trimmed;
      if (next === url) break;
      url = next;
    }
    parts.push(text.slice(last, match.index), html`<a href="${url}">${url}</a>`);
    last = match.index + url.length;
  }
  parts.push(text.slice(last));
  return html`${parts}`;
}

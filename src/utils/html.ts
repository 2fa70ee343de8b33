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

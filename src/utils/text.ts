// eslint-disable-next-line no-control-regex -- control characters and line/paragraph separators become spaces
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Format characters: direction overrides and isolates, zero-width spaces and joiners, BOM. */
const FORMAT = /\p{Cf}/gu;
const DOT = '[.\u3002\uff0e\uff61]';
const LINK_LIKE = new RegExp(
  [
    '[a-z][a-z0-9+.-]*:\\/\\/', // a scheme: https://, ftp://
    '\\bwww\\d?' + DOT, // www.
    '[^\\s@]+@[^\\s@]+' + DOT + '[^\\s@]+', // an e-mail address
    // a domain: labels ending in a Latin, punycode or Korean top-level domain (naver.com, evil。co.kr, 예시.한국)
    '[\\p{L}\\p{N}-]+(?:' + DOT + '[\\p{L}\\p{N}-]+)*' + DOT + '(?:[a-z]{2,63}|xn--[a-z0-9-]+|한국|닷컴|닷넷)(?![\\p{L}\\p{N}])',
  ].join('|'),
  'iu',
);

/** One line: control characters and line breaks as spaces, format characters (bidi marks) removed, spaces collapsed. */
export function oneLine(text: string): string {
  return text.replace(FORMAT, '').replace(BREAKS, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Whether mail clients would make a link of the text, or a reader take it for an address: a URL,
 * www., an e-mail address or a domain name, also written with full-width or ideographic dots.
 */
export function looksLikeLink(text: string): boolean {
  return LINK_LIKE.test(oneLine(text.normalize('NFKC')));
}

/** Whether the text holds what a single-line field must not: control, line-break or format characters. */
export function hasHiddenCharacters(text: string): boolean {
  return new RegExp(`${BREAKS.source}|${FORMAT.source}`, 'u').test(text);
}

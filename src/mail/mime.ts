import { randomBytes, randomUUID } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { MailMessage } from './mailer.ts';

/**
 * Our mail as MIME, composed in one pass of string building: a multipart/alternative of a text
 * and an HTML part, both UTF-8 and base64, under headers whose values are one line each.
 *
 * nodemailer's message builder makes a tree of MimeNodes and a chain of streams per message; for
 * this one shape that cost more CPU than the rest of a notice's delivery. The composed message
 * is handed to nodemailer as `raw`, so its SMTP client and pool are unchanged.
 */

/** Addresses we compose directly: ASCII, no quoting, no comments. Any other goes through nodemailer's builder. */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
/** Printable ASCII only: such a value goes into a header as is. */
const PLAIN_VALUE = /^[\x20-\x7e]*$/;
/** A line may be 998 octets (RFC 5322); a longer plain value is encoded, which folds it. */
const PLAIN_VALUE_MAX = 900;
/**
 * UTF-8 bytes per encoded word: 39 bytes are 52 base64 characters, 64 with `=?UTF-8?B?…?=`, so
 * that even the first word, after "Subject: ", keeps its line within RFC 2047's 76 characters.
 */
const ENCODED_WORD_BYTES = 39;
const BASE64_LINE = 76;

/** Whether `address` can be written as is in a header and an envelope. */
export function isPlainAddress(address: string): boolean {
  return PLAIN_ADDRESS.test(address);
}

/** A header value on one line: line breaks become spaces (a header value must never start a header of its own). */
function oneLineValue(value: string): string {
  return /[\r\n]/.test(value) ? value.replace(/\r\n|[\r\n]/g, ' ') : value;
}

/**
 * An unstructured header value (RFC 5322 2.2.1): as is when it is short printable ASCII, or as
 * RFC 2047 base64 encoded words of whole characters, folded one per line.
 */
export function encodeHeaderValue(raw: string): string {
  const value = oneLineValue(raw);
  if (PLAIN_VALUE.test(value) && value.length <= PLAIN_VALUE_MAX) return value;
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const char of value) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (chunkBytes + bytes > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
      chunkBytes = 0;
    }
    chunk += char;
    chunkBytes += bytes;
  }
  if (chunk !== '' || words.length === 0) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** A display name: quoted when it is ASCII (specials escaped), encoded words otherwise. */
function encodeDisplayName(name: string): string {
  const value = oneLineValue(name);
  if (PLAIN_VALUE.test(value) && value.length <= PLAIN_VALUE_MAX) return `"${value.replace(/["\\]/g, '\\$&')}"`;
  return encodeHeaderValue(value);
}

/** base64 of the UTF-8 text in lines of 76 characters, each ending in CRLF. */
function base64Lines(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  let out = '';
  for (let index = 0; index < encoded.length; index += BASE64_LINE) out += `${encoded.slice(index, index + BASE64_LINE)}\r\n`;
  return out;
}

/** RFC 5322 date in UTC, the form nodemailer writes. */
function mailDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

export interface ComposedMail {
  /** The SMTP envelope. */
  envelope: { from: string; to: string[] };
  messageId: string;
  /** The whole message, CRLF line endings. */
  raw: string;
}

/** Composes messages from one sender; the header lines that depend only on the sender and subject are kept. */
export class MimeComposer {
  private readonly fromHeader: string;
  private readonly fromAddress: string;
  private readonly messageIdDomain: string;
  /** Unique per process; base64 bodies cannot contain `_`, so no body line can equal it. */
  private readonly boundary = `--_ainfo_${randomBytes(12).toString('hex')}`;
  private lastSubject: { subject: string; encoded: string } | undefined;

  /** A composer for `from`, or undefined when `from` is not one plain address. */
  static forSender(from: string): MimeComposer | undefined {
    try {
      return new MimeComposer(from);
    } catch {
      return undefined;
    }
  }

  /** @throws Error when `from` is not one plain address (with an optional display name). */
  constructor(from: string) {
    const all = addressparser(from, { flatten: true });
    const parsed = all.length === 1 ? all[0] : undefined;
    const address = parsed?.address ?? '';
    if (!isPlainAddress(address)) throw new Error(`mail sender is not a plain address: ${from}`);
    this.fromAddress = address;
    this.fromHeader = parsed?.name ? `${encodeDisplayName(parsed.name)} <${address}>` : address;
    this.messageIdDomain = address.slice(address.lastIndexOf('@') + 1);
  }

  /** The message as MIME, or undefined when it needs nodemailer's builder (an address that is not plain). */
  compose(message: MailMessage, date = new Date()): ComposedMail | undefined {
    if (!isPlainAddress(message.to)) return undefined;
    const headers = message.headers ?? {};
    if (Object.keys(headers).some((name) => !HEADER_NAME.test(name))) return undefined;
    const messageId = message.messageId ?? `<${randomUUID()}@${this.messageIdDomain}>`;
    if (!PLAIN_VALUE.test(messageId) || /[\r\n]/.test(messageId)) return undefined;
    // The same subject for every recipient of a notice: encode it once.
    if (this.lastSubject?.subject !== message.subject) this.lastSubject = { subject: message.subject, encoded: encodeHeaderValue(message.subject) };
    let head =
      `From: ${this.fromHeader}\r\n` +
      `To: ${message.to}\r\n` +
      `Subject: ${this.lastSubject.encoded}\r\n` +
      `Message-ID: ${messageId}\r\n` +
      `Date: ${mailDate(date)}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${encodeHeaderValue(value)}\r\n`;
    const raw =
      `${head}MIME-Version: 1.0\r\n` +
      `Content-Type: multipart/alternative; boundary="${this.boundary}"\r\n` +
      `\r\n` +
      `--${this.boundary}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\n` +
      `Content-Transfer-Encoding: base64\r\n` +
      `\r\n` +
      base64Lines(message.text) +
      `--${this.boundary}\r\n` +
      `Content-Type: text/html; charset=utf-8\r\n` +
      `Content-Transfer-Encoding: base64\r\n` +
      `\r\n` +
      base64Lines(message.html) +
      `--${this.boundary}--\r\n`;
    return { envelope: { from: this.fromAddress, to: [message.to] }, messageId, raw };
  }
}

import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Logger } from 'pino';
import { MimeComposer, type ComposedMail } from './mime.ts';
import { defaultClientName, SmtpPool, type SmtpClientOptions } from './smtp-client.ts';
import { MailPermanentError, MailTransientError, type MailMessage, type Mailer, type SendResult } from './mailer.ts';

/** Time limits of one SMTP conversation; a hung server must not hold a task for ever. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 60_000;
/**
 * Connections kept open to the server. Each pipelines, but a message's body still waits for the
 * reply to its DATA: connections are what overlap a remote server's per-message latency.
 */
const MAX_POOLED_CONNECTIONS = 10;
/** Mails per pooled connection before it is replaced. */
const MAX_MESSAGES_PER_CONNECTION = 10_000;

interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/** Hides the password of an smtp:// URL, for logs and messages. */
export function redactSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'smtp://(unparsable url)';
  }
}

/**
 * Maps an SMTP failure (SmtpError, or anything with nodemailer's error fields) to our two error kinds:
 * - a 5xx reply → MailPermanentError with the server's reply (retrying the same mail cannot help);
 * - a 4xx reply, and every failure without a reply (refused, reset or timed-out connection,
 *   ECONNECTION/ESOCKET/ETIMEDOUT/EDNS…) → MailTransientError.
 * EAUTH is transient even with 535: a wrong SMTP password is fixed by the operator, after which
 * the waiting mail should go out rather than be dropped.
 */
export function classifySmtpError(error: unknown): MailTransientError | MailPermanentError {
  if (error instanceof MailTransientError || error instanceof MailPermanentError) return error;
  const details = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorLike;
  const code = typeof details.code === 'string' ? details.code : undefined;
  const responseCode = typeof details.responseCode === 'number' ? details.responseCode : undefined;
  const reply =
    typeof details.response === 'string' && details.response !== ''
      ? details.response
      : `${code ?? 'error'}: ${typeof details.message === 'string' ? details.message : String(error)}`;
  const options = { cause: error };
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600 && code !== 'EAUTH') {
    return new MailPermanentError(reply, responseCode, options);
  }
  return new MailTransientError(reply, responseCode, options);
}

/** SMTP_URL's query options we understand; any other is refused at start rather than ignored. */
const URL_OPTIONS = ['ignoreTLS', 'requireTLS', 'tls.rejectUnauthorized', 'name'] as const;

function booleanOption(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`SMTP_URL: ${name} must be true or false, got "${value}"`);
}

/**
 * The client's options from SMTP_URL: `smtp://user:pass@host:587` (STARTTLS when offered) or
 * `smtps://…:465` (TLS from the start), with `?requireTLS=true`, `?ignoreTLS=true`,
 * `?tls.rejectUnauthorized=false` (a self-signed test server) and `?name=` (our EHLO name).
 * @throws Error naming what is wrong, for the process to refuse to start.
 */
export function smtpOptionsFromUrl(smtpUrl: string): SmtpClientOptions {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error(`SMTP_URL is not a URL: ${redactSmtpUrl(smtpUrl)}`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error(`SMTP_URL must start with smtp:// or smtps://, got ${url.protocol}`);
  for (const name of url.searchParams.keys()) {
    if (!(URL_OPTIONS as readonly string[]).includes(name)) throw new Error(`SMTP_URL: unknown option "${name}" (known: ${URL_OPTIONS.join(', ')})`);
  }
  const secure = url.protocol === 'smtps:';
  const rejectUnauthorized = booleanOption(url, 'tls.rejectUnauthorized');
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    ignoreTLS: booleanOption(url, 'ignoreTLS') ?? false,
    requireTLS: booleanOption(url, 'requireTLS') ?? false,
    tls: rejectUnauthorized === undefined ? {} : { rejectUnauthorized },
    name: url.searchParams.get('name') ?? defaultClientName(),
    connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
    greetingTimeoutMs: GREETING_TIMEOUT_MS,
    socketTimeoutMs: SOCKET_TIMEOUT_MS,
    maxConnections: MAX_POOLED_CONNECTIONS,
    maxMessagesPerConnection: MAX_MESSAGES_PER_CONNECTION,
  };
}

/** Sends over SMTP_URL through a pool of pipelining connections (src/mail/smtp-client.ts). */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly pool: SmtpPool;
  /** Composes our text + HTML mail directly (src/mail/mime.ts); anything else goes through nodemailer's builder. */
  private readonly composer: MimeComposer | undefined;

  /** `overrides` for tests (short timeouts); everything else comes from the URL. */
  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly log: Logger,
    overrides: Partial<SmtpClientOptions> = {},
  ) {
    this.pool = new SmtpPool({ ...smtpOptionsFromUrl(smtpUrl), ...overrides }, (error) => {
      // Once per broken connection, not per message: the tasks report their own failures.
      this.log.warn({ err: error }, 'SMTP connection lost');
    });
    // A sender that is not one plain address (an IDN, a group) leaves every mail to nodemailer's builder.
    this.composer = MimeComposer.forSender(from);
  }

  async send(message: MailMessage): Promise<SendResult> {
    try {
      const composed = this.composer?.compose(message) ?? (await this.build(message));
      const sent = await this.pool.send(composed.envelope, composed.raw);
      return { messageId: composed.messageId, response: sent.response };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  /** The message through nodemailer's builder: a recipient or sender address that is not plain ASCII. */
  private async build(message: MailMessage): Promise<ComposedMail> {
    const node = new MailComposer({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      ...(message.headers ? { headers: message.headers } : {}),
      ...(message.messageId ? { messageId: message.messageId } : {}),
      // Our mail is mostly Korean: base64 is encoded natively, where nodemailer would otherwise
      // scan every body to choose and then quoted-printable-encode in JavaScript.
      textEncoding: 'base64',
    }).compile();
    const envelope = node.getEnvelope();
    const raw = await node.build();
    return {
      envelope: { from: envelope.from || '', to: envelope.to },
      messageId: node.messageId(),
      raw: raw.toString('latin1'),
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

import net from 'node:net';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type { Logger } from 'pino';
import { MimeComposer } from './mime.ts';
import { MailPermanentError, MailTransientError, type MailMessage, type Mailer, type SendResult } from './mailer.ts';

/** Time limits of one SMTP conversation; a hung server must not hold a task for ever. */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 60_000;
/**
 * Connections kept open to the server: more than the mail queue's default concurrency (8), so that
 * a remote server's per-message latency (tens of ms) does not cap one worker; nodemailer does not
 * pipeline SMTP commands, so connections are the way to overlap that wait.
 */
const MAX_POOLED_CONNECTIONS = 10;
/** Mails per pooled connection before it is replaced (nodemailer's default is 100: a reconnect every 100 mails). */
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
 * Maps a nodemailer failure to our two error kinds:
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

/**
 * Opens plain (non-TLS-on-connect) SMTP connections with Nagle off. nodemailer writes a message
 * and its closing "." in two writes; with Nagle on, the second waits for the server's delayed ACK
 * (~40 ms), which capped one connection at ~20 mails/s. STARTTLS still upgrades this socket.
 */
function connectWithoutNagle(
  options: { host?: string; port?: number; secure?: boolean },
  callback: (error: Error | null, socketOptions: { connection: net.Socket } | false) => void,
): void {
  if (options.secure) {
    callback(null, false);
    return;
  }
  // nodemailer's own defaults; it takes over the connecting socket (its timeouts and error handling apply).
  callback(null, { connection: net.connect({ host: options.host ?? 'localhost', port: options.port ?? 587, noDelay: true }) });
}

/** Sends over SMTP_URL through a small connection pool (nodemailer). */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly transport: nodemailer.Transporter;
  /** Composes our text + HTML mail directly (src/mail/mime.ts); nodemailer only carries it. */
  private readonly composer: MimeComposer | undefined;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {
    this.transport = nodemailer.createTransport({
      // createTransport ignores every other option (pool, timeouts) when given `url`: parse it here.
      ...parseConnectionUrl(smtpUrl),
      pool: true,
      maxConnections: MAX_POOLED_CONNECTIONS,
      maxMessages: MAX_MESSAGES_PER_CONNECTION,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      getSocket: connectWithoutNagle,
    });
    // A sender that is not one plain address (an IDN, a group) leaves every mail to nodemailer's builder.
    this.composer = MimeComposer.forSender(from);
    // A pooled connection dropping while idle is not a failed send; the next send reconnects.
    this.transport.on('error', (error) => {
      this.log.warn({ err: error }, 'SMTP pool connection error');
    });
  }

  async send(message: MailMessage): Promise<SendResult> {
    const composed = this.composer?.compose(message);
    try {
      if (composed) {
        // The Message-ID given, so nodemailer does not mint (with random bytes) one it would not send.
        const info = (await this.transport.sendMail({ envelope: composed.envelope, raw: composed.raw, messageId: composed.messageId })) as { response?: unknown };
        return { messageId: composed.messageId, response: typeof info.response === 'string' ? info.response : '' };
      }
      const info = (await this.transport.sendMail({
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
      })) as { messageId?: unknown; response?: unknown };
      return {
        messageId: typeof info.messageId === 'string' ? info.messageId : (message.messageId ?? ''),
        response: typeof info.response === 'string' ? info.response : '',
      };
    } catch (error) {
      throw classifySmtpError(error);
    }
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}

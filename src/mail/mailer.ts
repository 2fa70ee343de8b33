/** One mail to send. Bodies are rendered already (Korean templates, user data escaped). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe, …). */
  headers?: Record<string, string>;
  /**
   * A stable Message-ID for this logical mail (e.g. derived from the delivery id), so that a
   * resend after an unrecorded acceptance carries the same id and receivers can drop the copy.
   */
  messageId?: string;
  /** What the mail is, for the dev mailbox and logs: 'verify-email', 'reset-password', 'notice', … */
  kind: string;
}

export interface SendResult {
  messageId: string;
  /** The server's final reply ("250 2.0.0 OK …"), or "stored in the dev mailbox". */
  response: string;
}

/** Sends mail over SMTP (SMTP_URL) or into the dev mailbox (unset SMTP_URL). */
export interface Mailer {
  readonly kind: 'smtp' | 'mailbox';
  /**
   * @throws MailTransientError for 4xx replies and connection errors (retry later),
   *   MailPermanentError for 5xx replies (retrying cannot help).
   */
  send(message: MailMessage): Promise<SendResult>;
  close(): Promise<void>;
}

/** A 4xx reply or a connection failure: the same mail may succeed later. */
export class MailTransientError extends Error {
  readonly responseCode: number | undefined;
  readonly reply: string;

  constructor(reply: string, responseCode?: number, options?: ErrorOptions) {
    super(`SMTP temporary failure: ${reply}`, options);
    this.name = 'MailTransientError';
    this.reply = reply;
    this.responseCode = responseCode;
  }
}

/** A 5xx reply: the server refused this mail for good (`permanent`: a task sending it fails at once). */
export class MailPermanentError extends Error {
  readonly permanent = true;
  readonly responseCode: number | undefined;
  readonly reply: string;

  constructor(reply: string, responseCode?: number, options?: ErrorOptions) {
    super(`SMTP permanent failure: ${reply}`, options);
    this.name = 'MailPermanentError';
    this.reply = reply;
    this.responseCode = responseCode;
  }
}

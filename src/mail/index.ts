import type { Config } from '../config/config.ts';
import type { DatabaseHandle } from '../db/index.ts';
import type { Logger } from '../log/logger.ts';
import { MailboxMailer, MailboxRepository } from './mailbox.ts';
import type { Mailer } from './mailer.ts';
import { SmtpMailer, redactSmtpUrl } from './smtp.ts';

export { MailPermanentError, MailTransientError, type MailMessage, type Mailer, type SendResult } from './mailer.ts';
export { MailboxRepository } from './mailbox.ts';
export type { MailboxMessageRow } from './mailbox.tables.ts';
export { SmtpMailer } from './smtp.ts';
export { classifySmtpError } from './smtp.ts';
export { greetingName, renderMail, type MailContent, type RenderedMail } from './template.ts';

/** The domain for Message-IDs: the sender's domain ("AInfo <no-reply@ainfo.local>" → ainfo.local). */
export function messageIdDomain(config: Pick<Config, 'http'>): string {
  return messageIdDomainOf(config.http.publicUrl);
}

/** The one domain of every Message-ID we mint (account mails and notices alike): PUBLIC_URL's host. */
export function messageIdDomainOf(publicUrl: string): string {
  return new URL(publicUrl).hostname || 'ainfo.local';
}

/** SMTP at SMTP_URL, or the dev mailbox in the database when it is unset. */
export function createMailer(config: Config, database: DatabaseHandle, log: Logger): Mailer {
  if (config.mail.smtpUrl) {
    log.debug({ smtp: redactSmtpUrl(config.mail.smtpUrl) }, 'mail goes over SMTP');
    return new SmtpMailer(config.mail.smtpUrl, config.mail.from, log);
  }
  log.debug(`SMTP_URL is unset: mail is kept in the dev mailbox at ${config.http.publicUrl}/admin/mailbox`);
  return new MailboxMailer(new MailboxRepository(database), config.mail.from, messageIdDomain(config));
}

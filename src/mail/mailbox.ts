import { randomUUID } from 'node:crypto';
import { desc, eq, lt, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/index.ts';
import { mailboxMessages, type MailboxMessageRow } from './mailbox.tables.ts';
import type { MailMessage, Mailer, SendResult } from './mailer.ts';

/** Reads and writes the dev mailbox table. */
export class MailboxRepository {
  private readonly db: DatabaseHandle['db'];

  constructor(database: DatabaseHandle) {
    this.db = database.db;
  }

  /** Stores one message; a second store with the same Message-ID keeps the first (idempotent). */
  async store(message: {
    messageId: string;
    kind: string;
    from: string;
    to: string;
    subject: string;
    text: string;
    html: string;
    headers: Record<string, string>;
  }): Promise<void> {
    await this.db
      .insert(mailboxMessages)
      .values({
        messageId: message.messageId,
        kind: message.kind,
        fromAddress: message.from,
        toAddress: message.to,
        subject: message.subject,
        textBody: message.text,
        htmlBody: message.html,
        headers: message.headers,
      })
      .onConflictDoNothing({ target: mailboxMessages.messageId });
  }

  /** Newest first; `beforeId` pages back; `to` filters on the recipient, case-insensitively. */
  async list(options: { limit: number; beforeId?: number; to?: string }): Promise<MailboxMessageRow[]> {
    const conditions = [
      options.beforeId !== undefined ? lt(mailboxMessages.id, options.beforeId) : undefined,
      options.to !== undefined ? sql`lower(${mailboxMessages.toAddress}) = lower(${options.to})` : undefined,
    ].filter((condition) => condition !== undefined);
    return this.db
      .select()
      .from(mailboxMessages)
      .where(conditions.length > 0 ? sql.join(conditions, sql` and `) : undefined)
      .orderBy(desc(mailboxMessages.id))
      .limit(options.limit);
  }

  async get(id: number): Promise<MailboxMessageRow | undefined> {
    const rows = await this.db.select().from(mailboxMessages).where(eq(mailboxMessages.id, id)).limit(1);
    return rows[0];
  }
}

/** The dev mailbox: with SMTP_URL unset, "sending" stores the mail for /admin/mailbox. */
export class MailboxMailer implements Mailer {
  readonly kind = 'mailbox' as const;

  constructor(
    private readonly repository: MailboxRepository,
    private readonly from: string,
    private readonly messageIdDomain: string,
  ) {}

  async send(message: MailMessage): Promise<SendResult> {
    const messageId = message.messageId ?? `<${randomUUID()}@${this.messageIdDomain}>`;
    await this.repository.store({
      messageId,
      kind: message.kind,
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers ?? {},
    });
    return { messageId, response: 'stored in the dev mailbox' };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** One message the test server accepted (250), parsed. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: ParsedMail['headers'];
  receivedAt: number;
  /** The client's address: which host sent it, when several do. */
  remoteAddress: string;
  /** Whether the session was over TLS, and who authenticated (if anyone). */
  secure: boolean;
  user: string | undefined;
}

export interface TestSmtpOptions {
  /** Wait this long before answering the end of DATA (a slow server). Default 0. */
  delayMs?: number;
  /** The address to listen on. Default 127.0.0.1. */
  host?: string;
  /** 'starttls': offers STARTTLS (smtp-server's self-signed certificate); 'implicit': TLS from the first byte (smtps). Default 'none'. */
  tls?: 'none' | 'starttls' | 'implicit';
  /** Requires AUTH with these credentials, offering these methods. Default: no AUTH needed. */
  auth?: { user: string; pass: string; methods: ('PLAIN' | 'LOGIN')[] };
  /** Advertises PIPELINING. Default true. */
  pipelining?: boolean;
  /** Advertises SMTPUTF8 (non-ASCII addresses). Default true. */
  smtputf8?: boolean;
  /** Closes a connection idle this long (smtp-server's socketTimeout). Default: smtp-server's 60 s. */
  idleTimeoutMs?: number;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * A real SMTP server in the test process (smtp-server + mailparser) on a random port, with
 * switchable failures: 4xx for the next N messages, 5xx for given recipients, a per-message delay,
 * and stop()/start() to be unreachable for a while (connections refused) on the same port.
 */
export class TestSmtpServer {
  /** Messages accepted with 250, in arrival order. */
  readonly messages: ReceivedMail[] = [];
  /** Every DATA attempt, accepted or not. */
  dataAttempts = 0;
  delayMs: number;
  private failures: { count: number; code: number; message: string } = { count: 0, code: 421, message: '' };
  private readonly rejected = new Map<string, { code: number; message: string }>();
  private server: SMTPServer | undefined;
  private waiters: (() => void)[] = [];
  private portNumber = 0;
  /** The address it listens on (set once by start()). */
  host = '127.0.0.1';

  /** Connections accepted so far. */
  connections = 0;

  private constructor(private readonly options: TestSmtpOptions) {
    this.delayMs = options.delayMs ?? 0;
  }

  static async start(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(options);
    smtp.host = options.host ?? '127.0.0.1';
    await smtp.listen(0);
    return smtp;
  }

  get port(): number {
    return this.portNumber;
  }

  /** `smtp://<host>:<port>` for SMTP_URL (`smtps://` for implicit TLS). */
  get url(): string {
    return `${this.options.tls === 'implicit' ? 'smtps' : 'smtp'}://${this.host}:${this.portNumber}`;
  }

  get isListening(): boolean {
    return this.server !== undefined;
  }

  /** Answers the next `count` messages with `code` (421 by default) at the end of DATA. */
  failNext(count: number, code = 421, message = 'Service not available, try again later'): void {
    this.failures = { count, code, message };
  }

  /** Refuses these recipients at RCPT TO with `code` (550 by default). */
  rejectRecipients(addresses: readonly string[], code = 550, message = 'Mailbox unavailable'): void {
    for (const address of addresses) this.rejected.set(address.toLowerCase(), { code, message });
  }

  /** Back to accepting everything at once. */
  reset(): void {
    this.failures = { count: 0, code: 421, message: '' };
    this.rejected.clear();
    this.delayMs = 0;
  }

  /** Messages to `address` (case-insensitive). */
  messagesTo(address: string): ReceivedMail[] {
    const wanted = address.toLowerCase();
    return this.messages.filter((message) => message.to.some((to) => to.toLowerCase() === wanted));
  }

  /** Resolves once `predicate` holds over the accepted messages; rejects after `timeoutMs`. */
  async waitFor(predicate: (messages: readonly ReceivedMail[]) => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate(this.messages)) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate(this.messages)) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
        reject(new Error(`SMTP test server: condition not met in ${timeoutMs} ms (${this.messages.length} messages)`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  /** Waits for the first message to `address` and returns it. */
  async waitForMessageTo(address: string, timeoutMs = 10_000): Promise<ReceivedMail> {
    await this.waitFor(() => this.messagesTo(address).length > 0, timeoutMs);
    const [first] = this.messagesTo(address);
    if (!first) throw new Error('unreachable: waited for a message that is not there');
    return first;
  }

  /** Stops listening and drops open connections: clients get "connection refused" until start(). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  /** Listens again on the same port. */
  async start(): Promise<void> {
    if (this.server) return;
    await this.listen(this.portNumber);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async listen(port: number): Promise<void> {
    const { tls = 'none', auth } = this.options;
    const server = new SMTPServer({
      authOptional: !auth,
      ...(auth ? { authMethods: auth.methods } : {}),
      disabledCommands: tls === 'starttls' || tls === 'implicit' ? [] : ['STARTTLS'],
      secure: tls === 'implicit',
      hidePIPELINING: this.options.pipelining === false,
      hideSMTPUTF8: this.options.smtputf8 === false,
      ...(this.options.idleTimeoutMs ? { socketTimeout: this.options.idleTimeoutMs } : {}),
      logger: false,
      // Connections a test leaves open are cut after 50 ms when it stops the server.
      closeTimeout: 50,
      onConnect: (_session, callback) => {
        this.connections += 1;
        callback();
      },
      onAuth: (attempt, _session, callback) => {
        if (auth && (attempt.username !== auth.user || attempt.password !== auth.pass)) {
          callback(smtpError(535, 'Authentication credentials invalid'));
          return;
        }
        callback(null, { user: attempt.username ?? 'test' });
      },
      onRcptTo: (address, _session, callback) => {
        const rejection = this.rejected.get(address.address.toLowerCase());
        callback(rejection ? smtpError(rejection.code, rejection.message) : null);
      },
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          () => {
            callback(null, 'OK: queued');
          },
          (error: unknown) => {
            callback(error instanceof Error ? error : new Error(String(error)));
          },
        );
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, this.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.portNumber = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    this.dataAttempts += 1;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failures.count > 0) {
      this.failures.count -= 1;
      throw smtpError(this.failures.code, this.failures.message);
    }
    const parsed = await simpleParser(Buffer.concat(chunks));
    this.messages.push({
      from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
      to: session.envelope.rcptTo.map((recipient) => recipient.address),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      messageId: parsed.messageId ?? '',
      headers: parsed.headers,
      receivedAt: Date.now(),
      remoteAddress: session.remoteAddress,
      secure: session.secure,
      user: typeof session.user === 'string' ? session.user : undefined,
    });
    for (const waiter of [...this.waiters]) waiter();
  }
}

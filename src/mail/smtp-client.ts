import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';

/**
 * A pipelining SMTP client (RFC 5321, PIPELINING RFC 2920, STARTTLS RFC 3207, AUTH PLAIN/LOGIN)
 * and its connection pool.
 *
 * Why not nodemailer's client: it waits for each reply before the next command (MAIL, then RCPT,
 * then DATA, then the body and its "." in two more writes), five writes and four round trips per
 * mail. On a server that offers PIPELINING this client sends MAIL, RCPT and DATA in one write and,
 * while more mail waits for the connection, the body of one mail and the commands of the next in
 * one more: under load one write and one round trip per mail. A notice broadcast is thousands of
 * mails over a few connections, so writes and round trips are most of its cost.
 * A server without PIPELINING gets one command at a time.
 */

export interface SmtpClientOptions {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://, port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Never upgrade with STARTTLS, even when offered. */
  ignoreTLS: boolean;
  /** Fail rather than send in clear when the server does not offer STARTTLS. */
  requireTLS: boolean;
  /** Options for the TLS socket (rejectUnauthorized, ca, …). */
  tls: tls.ConnectionOptions;
  /** Our name in EHLO. */
  name: string;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** The longest wait for any reply; an idle pooled connection is closed after it. */
  socketTimeoutMs: number;
  maxConnections: number;
  maxMessagesPerConnection: number;
}

/** The failure of one SMTP exchange; the fields classifySmtpError (src/mail/smtp.ts) reads. */
export class SmtpError extends Error {
  constructor(
    message: string,
    /** EAUTH, EENVELOPE, EMESSAGE, ECONNECTION, ETIMEDOUT, ETLS or EPROTOCOL. */
    readonly code: string,
    readonly response?: string,
    readonly responseCode?: number,
    options?: ErrorOptions,
  ) {
    super(response ? `${message}: ${response}` : message, options);
    this.name = 'SmtpError';
  }
}

interface Reply {
  code: number;
  /** The whole reply, its lines joined by newlines. */
  text: string;
  /** The text of each line after the code. */
  lines: string[];
}

export interface Envelope {
  from: string;
  to: string[];
}

export interface SmtpSendResult {
  /** The server's reply to the end of the message. */
  response: string;
  accepted: string[];
  rejected: string[];
}

interface Pending {
  envelope: Envelope;
  /** The message, dot-stuffed and ending in CRLF "." CRLF, as latin1 (bytes kept). */
  data: string;
  resolve: (result: SmtpSendResult) => void;
  reject: (error: Error) => void;
  /** Whether any byte of the message body may have reached the server (then it must not be sent again elsewhere). */
  bodyWritten: boolean;
  /** Handed to a fresh connection once already, after the first one failed before its body. */
  retried: boolean;
}

const CRLF = '\r\n';
/** What a connection we closed ourselves reports to its pool (nothing to log). */
const CLOSED_BY_US = new SmtpError('the connection was closed by the client', 'ECONNECTION');

/** Our EHLO name: the host's name when it is fully qualified, else an address literal (RFC 5321 4.1.4). */
export function defaultClientName(): string {
  const hostname = os.hostname();
  return hostname.includes('.') ? hostname : '[127.0.0.1]';
}

/** "." at the start of a line doubled (RFC 5321 4.5.2), CRLF at the end, then the terminating ".". */
export function terminateData(message: string): string {
  const stuffed = message.startsWith('.') ? `.${message}` : message;
  const body = stuffed.includes('\n.') ? stuffed.replace(/\n\./g, '\n..') : stuffed;
  return `${body.endsWith(CRLF) ? body : `${body}${CRLF}`}.${CRLF}`;
}

/**
 * The socket carries latin1 strings (one char per byte): a message is bytes already. A command
 * with a non-ASCII address (SMTPUTF8) is UTF-8, so its bytes are written as such chars.
 */
function wire(command: string): string {
  return isAscii(command) ? command : Buffer.from(command, 'utf8').toString('latin1');
}

function isAscii(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- every ASCII character, control ones included
  return /^[\x00-\x7f]*$/.test(value);
}

/** One connection: a queue of messages sent in order, their commands pipelined when the server allows. */
class SmtpConnection {
  private socket: net.Socket | undefined;
  /** Settles once the handshake is done (true) or failed (false; the connection is closed then). */
  private readonly ready: Promise<boolean>;
  private received = '';
  private replyLines: string[] = [];
  private readonly replies: Reply[] = [];
  private readonly waiters: { resolve: (reply: Reply) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;
  private extensions = new Map<string, string>();
  private readonly queue: Pending[] = [];
  private pumping = false;
  /** Messages handed to this connection so far, for maxMessagesPerConnection. */
  sent = 0;

  /** Starts connecting at once; messages sent meanwhile wait in its queue. */
  constructor(
    private readonly options: SmtpClientOptions,
    /** Called once when the connection ends, with the messages it had not finished. */
    private readonly onClose: (orphans: Pending[], error: Error) => void,
  ) {
    this.ready = this.start();
  }

  /** Connects, reads the greeting, says EHLO, upgrades with STARTTLS and authenticates as configured. */
  private async start(): Promise<boolean> {
    try {
      const socket = await connect(this.options);
      if (this.failure) {
        socket.destroy();
        return false;
      }
      this.socket = socket;
      this.attach(socket);
      await this.handshake();
      return true;
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }

  /** Messages waiting or in flight here. */
  get load(): number {
    return this.queue.length;
  }

  get pipelining(): boolean {
    return this.extensions.has('PIPELINING');
  }

  send(pending: Pending): void {
    this.sent += 1;
    this.queue.push(pending);
    if (!this.pumping) void this.pump();
  }

  /** QUIT once the queue is empty; the socket ends either way. */
  async close(): Promise<void> {
    if (this.isBroken()) return;
    if (this.queue.length === 0 && this.socket) {
      this.write(`QUIT${CRLF}`);
      await this.reply(1_000).catch(() => undefined);
    }
    this.destroy(CLOSED_BY_US);
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.setTimeout(this.options.socketTimeoutMs);
    socket.on('data', (chunk: string) => {
      this.read(chunk);
    });
    socket.on('timeout', () => {
      // Idle in the pool: just close. Waiting for a reply: the server hung.
      this.destroy(new SmtpError(`no reply from the SMTP server in ${this.options.socketTimeoutMs} ms`, 'ETIMEDOUT'));
    });
    socket.on('error', (error) => {
      this.destroy(new SmtpError(`SMTP connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`, 'ECONNECTION', undefined, undefined, { cause: error }));
    });
    socket.on('close', () => {
      this.destroy(new SmtpError('the SMTP server closed the connection', 'ECONNECTION'));
    });
  }

  private read(chunk: string): void {
    this.received += chunk;
    let end = this.received.indexOf('\n');
    while (end !== -1) {
      const line = this.received.slice(0, this.received.charCodeAt(end - 1) === 13 ? end - 1 : end);
      this.received = this.received.slice(end + 1);
      // "250-…" continues a reply, "250 …" (or a bare code) ends it.
      this.replyLines.push(line);
      if (line.charAt(3) !== '-') {
        const lines = this.replyLines;
        this.replyLines = [];
        const code = Number(lines[lines.length - 1]?.slice(0, 3));
        const text = lines.join('\n');
        const reply: Reply = {
          code: Number.isInteger(code) ? code : 0,
          // A server may answer in UTF-8 (SMTPUTF8): its bytes arrive as latin1 chars.
          text: isAscii(text) ? text : Buffer.from(text, 'latin1').toString('utf8'),
          lines: lines.map((line) => line.slice(4)),
        };
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(reply);
        else if (reply.code === 421) this.destroy(new SmtpError('the SMTP server is closing the connection', 'ECONNECTION', reply.text, reply.code));
        else this.replies.push(reply);
      }
      end = this.received.indexOf('\n');
    }
  }

  /** The next reply, in order. */
  private reply(timeoutMs?: number): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      if (timeoutMs === undefined) {
        this.waiters.push({ resolve, reject });
        return;
      }
      const timer = setTimeout(() => {
        reject(new SmtpError(`no reply from the SMTP server in ${timeoutMs} ms`, 'ETIMEDOUT'));
      }, timeoutMs);
      this.waiters.push({
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private write(data: string): void {
    if (!this.socket) throw new SmtpError('not connected', 'ECONNECTION');
    this.socket.write(data, 'latin1');
  }

  private async command(line: string, logged = line): Promise<Reply> {
    if (this.failure) throw this.failure;
    this.write(wire(`${line}${CRLF}`));
    const reply = await this.reply();
    if (reply.code === 0) throw new SmtpError(`unreadable reply to ${logged}`, 'EPROTOCOL', reply.text);
    return reply;
  }

  private async handshake(): Promise<void> {
    const greeting = await this.reply(this.options.greetingTimeoutMs);
    if (greeting.code !== 220) throw new SmtpError('the SMTP server refused the connection', 'ECONNECTION', greeting.text, greeting.code);
    await this.ehlo();
    const secure = this.socket instanceof tls.TLSSocket;
    if (!secure && !this.options.ignoreTLS && this.extensions.has('STARTTLS')) {
      const reply = await this.command('STARTTLS');
      if (reply.code !== 220) throw new SmtpError('STARTTLS refused', 'ETLS', reply.text, reply.code);
      await this.upgrade();
      await this.ehlo();
    } else if (!secure && this.options.requireTLS) {
      throw new SmtpError('the SMTP server does not offer STARTTLS and requireTLS is set', 'ETLS');
    }
    if (this.options.auth) await this.authenticate(this.options.auth);
  }

  private async ehlo(): Promise<void> {
    const reply = await this.command(`EHLO ${this.options.name}`);
    if (reply.code !== 250) throw new SmtpError('EHLO refused', 'EPROTOCOL', reply.text, reply.code);
    this.extensions = new Map(
      reply.lines.slice(1).map((line) => {
        const space = line.indexOf(' ');
        return space === -1 ? [line.toUpperCase(), ''] : [line.slice(0, space).toUpperCase(), line.slice(space + 1)];
      }),
    );
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket;
    if (!plain) throw new SmtpError('not connected', 'ECONNECTION');
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.setTimeout(0);
    const secured = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({ ...this.options.tls, socket: plain, servername: net.isIP(this.options.host) ? undefined : this.options.host });
      const failed = (error: Error): void => {
        reject(new SmtpError(`TLS upgrade failed (${error.message})`, 'ETLS', undefined, undefined, { cause: error }));
      };
      socket.once('secureConnect', () => {
        socket.removeListener('error', failed);
        resolve(socket);
      });
      socket.once('error', failed);
    });
    this.socket = secured;
    this.attach(secured);
  }

  private async authenticate(auth: { user: string; pass: string }): Promise<void> {
    const methods = (this.extensions.get('AUTH') ?? '').toUpperCase().split(/\s+/);
    const failed = (reply: Reply): SmtpError => new SmtpError('SMTP authentication failed', 'EAUTH', reply.text, reply.code);
    if (methods.includes('PLAIN') || !methods.includes('LOGIN')) {
      const token = Buffer.from(`\u0000${auth.user}\u0000${auth.pass}`, 'utf8').toString('base64');
      const reply = await this.command(`AUTH PLAIN ${token}`, 'AUTH PLAIN');
      if (reply.code !== 235) throw failed(reply);
      return;
    }
    let reply = await this.command('AUTH LOGIN');
    if (reply.code === 334) reply = await this.command(Buffer.from(auth.user, 'utf8').toString('base64'), 'AUTH LOGIN user');
    if (reply.code === 334) reply = await this.command(Buffer.from(auth.pass, 'utf8').toString('base64'), 'AUTH LOGIN password');
    if (reply.code !== 235) throw failed(reply);
  }

  private mailCommand({ from, to }: Envelope): string {
    const utf8 = !isAscii(from) || to.some((address) => !isAscii(address));
    return `MAIL FROM:<${from}>${utf8 ? ' SMTPUTF8' : ''}`;
  }

  /** MAIL, each RCPT and DATA, for one write, in wire form. */
  private envelopeCommands(pending: Pending): string {
    let commands = `${this.mailCommand(pending.envelope)}${CRLF}`;
    for (const address of pending.envelope.to) commands += `RCPT TO:<${address}>${CRLF}`;
    return wire(`${commands}DATA${CRLF}`);
  }

  /** Sends the queue's messages in order until it is empty; a broken connection hands what is left to the pool. */
  private async pump(): Promise<void> {
    this.pumping = true;
    if (!(await this.ready)) {
      this.pumping = false;
      return;
    }
    // The message whose commands already went out behind the previous body.
    let announced: Pending | undefined;
    try {
      while (this.queue.length > 0 && !this.isBroken()) {
        const pending = this.queue[0] as Pending;
        const turn = await this.transact(pending, announced === pending);
        // A broken connection gave the whole queue, this message included, back to the pool.
        if (this.isBroken()) break;
        this.queue.shift();
        announced = turn.announced;
        if (turn.outcome instanceof Error) pending.reject(turn.outcome);
        else pending.resolve(turn.outcome);
      }
    } finally {
      this.pumping = false;
    }
    if (this.queue.length === 0 && this.sent >= this.options.maxMessagesPerConnection) void this.close();
  }

  /**
   * One message: envelope, body, final reply. With PIPELINING the envelope goes in one write and
   * the next queued message's envelope follows this body (`announced`: its replies come next).
   */
  private async transact(pending: Pending, wasAnnounced: boolean): Promise<{ outcome: SmtpSendResult | Error; announced?: Pending }> {
    try {
      const { envelope } = pending;
      const unsendable = this.unsendable(pending);
      if (unsendable) return { outcome: unsendable };
      const pipelining = this.pipelining;
      if (pipelining && !wasAnnounced) this.write(this.envelopeCommands(pending));
      const mail = pipelining ? await this.reply() : await this.command(this.mailCommand(envelope));
      const accepted: string[] = [];
      const rejected: { address: string; reply: Reply }[] = [];
      for (const address of envelope.to) {
        const reply = pipelining ? await this.reply() : mail.code === 250 ? await this.command(`RCPT TO:<${address}>`) : undefined;
        if (reply?.code === 250 || reply?.code === 251) accepted.push(address);
        else if (reply) rejected.push({ address, reply });
      }
      const data = pipelining ? await this.reply() : mail.code === 250 && accepted.length > 0 ? await this.command('DATA') : undefined;
      const firstRejected = rejected[0];
      const refusal =
        mail.code !== 250
          ? new SmtpError('MAIL FROM refused', 'EENVELOPE', mail.text, mail.code)
          : accepted.length === 0 && firstRejected
            ? new SmtpError(`recipient refused (${firstRejected.address})`, 'EENVELOPE', firstRejected.reply.text, firstRejected.reply.code)
            : data?.code !== 354
              ? new SmtpError('DATA refused', 'EMESSAGE', data?.text, data?.code)
              : undefined;
      if (refusal) {
        await this.abandonTransaction(data);
        return { outcome: refusal };
      }
      const following = pipelining ? this.queue[1] : undefined;
      // Its commands go out now only if it can be sent here at all: a refused one reads no replies.
      const next = following && !this.unsendable(following) ? following : undefined;
      pending.bodyWritten = true;
      this.write(next ? pending.data + this.envelopeCommands(next) : pending.data);
      const final = await this.reply();
      if (final.code !== 250) return { outcome: new SmtpError('message refused', 'EMESSAGE', final.text, final.code), announced: next };
      return { outcome: { response: final.text, accepted, rejected: rejected.map((entry) => entry.address) }, announced: next };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      // Not a broken connection (an unreadable reply): which reply answers what is unknown now.
      if (!this.isBroken()) this.destroy(failure);
      return { outcome: failure };
    }
  }

  /** Why this connection cannot send the message at all (a non-ASCII address without SMTPUTF8), or undefined. */
  private unsendable({ envelope }: Pending): SmtpError | undefined {
    if (this.extensions.has('SMTPUTF8') || (isAscii(envelope.from) && envelope.to.every(isAscii))) return undefined;
    // 553, the code such a server answers (RFC 6531 3.5): it will never take this mail, so not worth a retry.
    return new SmtpError('the SMTP server does not accept non-ASCII addresses (no SMTPUTF8)', 'EENVELOPE', undefined, 553);
  }

  /**
   * Ends a transaction whose envelope failed, so the next MAIL is not refused as nested: an empty
   * message for a server that answered DATA with 354 all the same, then RSET.
   */
  private async abandonTransaction(data: Reply | undefined): Promise<void> {
    if (data?.code === 354) {
      this.write(`.${CRLF}`);
      await this.reply();
    }
    await this.command('RSET');
  }

  /** Whether the connection has ended, for any reason. A method, not a field read: the socket's events change it while a send awaits. */
  private isBroken(): boolean {
    return this.failure !== undefined;
  }

  private destroy(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    this.socket?.destroy();
    this.onClose(this.queue.splice(0), error);
  }
}

function connect(options: SmtpClientOptions): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = options.secure
      ? tls.connect({ ...options.tls, host: options.host, port: options.port, servername: net.isIP(options.host) ? undefined : options.host })
      : net.connect({ host: options.host, port: options.port, noDelay: true });
    if (options.secure) socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpError(`could not connect to the SMTP server in ${options.connectionTimeoutMs} ms`, 'ETIMEDOUT'));
    }, options.connectionTimeoutMs);
    socket.once(options.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SmtpError(`could not connect to the SMTP server (${error.code ?? error.message})`, 'ECONNECTION', undefined, undefined, { cause: error }));
    });
  });
}

/**
 * Up to maxConnections connections. A message goes to an idle connection, else to a new one while
 * under maxConnections, else queues on the least loaded one (a connection still opening counts,
 * with its queue): behind the message in flight there, its commands are pipelined.
 * A message whose connection broke or never opened, before its body was written, is handed to
 * another connection once (a pooled connection the server had closed costs nothing); one whose
 * body may have reached the server fails, for the caller to decide.
 */
export class SmtpPool {
  private readonly connections = new Set<SmtpConnection>();
  private closed = false;

  constructor(
    private readonly options: SmtpClientOptions,
    /** A connection that broke or could not open with messages on it; they are retried or failed all the same. */
    private readonly onConnectionLost: (error: Error) => void = () => undefined,
  ) {}

  send(envelope: Envelope, message: string): Promise<SmtpSendResult> {
    if (this.closed) return Promise.reject(new SmtpError('the SMTP pool is closed', 'ECONNECTION'));
    return new Promise<SmtpSendResult>((resolve, reject) => {
      this.dispatch({ envelope, data: terminateData(message), resolve, reject, bodyWritten: false, retried: false });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.connections].map((connection) => connection.close()));
  }

  private dispatch(pending: Pending): void {
    let best: SmtpConnection | undefined;
    for (const connection of this.connections) {
      // One that has sent its share closes once its queue is empty.
      if (connection.sent >= this.options.maxMessagesPerConnection) continue;
      if (!best || connection.load < best.load) best = connection;
    }
    if (!best || (best.load > 0 && this.connections.size < this.options.maxConnections)) best = this.connect();
    best.send(pending);
  }

  private connect(): SmtpConnection {
    const connection: SmtpConnection = new SmtpConnection(this.options, (orphans, error) => {
      this.connections.delete(connection);
      // An idle connection the server (or its idle timeout) closed cost nothing: not worth a line.
      if (error !== CLOSED_BY_US && orphans.length > 0) this.onConnectionLost(error);
      for (const orphan of orphans) {
        if (!orphan.bodyWritten && !orphan.retried && !this.closed) {
          orphan.retried = true;
          this.dispatch(orphan);
        } else orphan.reject(error);
      }
    });
    this.connections.add(connection);
    return connection;
  }
}

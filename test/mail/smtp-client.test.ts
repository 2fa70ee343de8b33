import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { MailPermanentError, MailTransientError, SmtpMailer, type MailMessage } from '../../src/mail/index.ts';
// The client and its pool below the mailer: what the server sees of its conversation.
import { SmtpPool, terminateData, type SmtpClientOptions } from '../../src/mail/smtp-client.ts';
import { smtpOptionsFromUrl } from '../../src/mail/smtp.ts';
import { TestSmtpServer, type TestSmtpOptions } from '../helpers/smtp-server.ts';

const log = createLogger('silent');
const FROM = 'AInfo <no-reply@ainfo.test>';

const message = (to: string, index = 0): MailMessage => ({
  to,
  subject: `[AInfo] 공지 ${index}`,
  text: `안녕하세요, ${index}번째 본문입니다.`,
  html: `<p>안녕하세요, ${index}번째 본문입니다.</p>`,
  messageId: `<notice.${index}@ainfo.test>`,
  kind: 'test',
});

/** A TCP relay in front of the server that counts the client's writes as they arrive. */
class CountingRelay {
  chunks = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async start(target: number): Promise<CountingRelay> {
    const server = net.createServer();
    const relay = new CountingRelay(server);
    server.on('connection', (client) => {
      client.setNoDelay(true);
      const upstream = net.connect({ host: '127.0.0.1', port: target, noDelay: true });
      relay.sockets.add(client).add(upstream);
      client.on('data', (chunk) => {
        relay.chunks += 1;
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const smtp = await TestSmtpServer.start(options);
  cleanups.push(() => smtp.close());
  return smtp;
}

function mailer(url: string, overrides: Partial<SmtpClientOptions> = {}): SmtpMailer {
  const created = new SmtpMailer(url, FROM, log, overrides);
  cleanups.push(() => created.close());
  return created;
}

async function sendMany(sender: SmtpMailer, count: number, to = (index: number) => `user${index}@example.com`) {
  return Promise.allSettled(Array.from({ length: count }, (_, index) => sender.send(message(to(index), index))));
}

describe('pipelining SMTP client', () => {
  it('sends a burst in about one write per mail where the server offers PIPELINING, each mail intact', async () => {
    const smtp = await server();
    const relay = await CountingRelay.start(smtp.port);
    cleanups.push(() => relay.close());
    const sender = mailer(relay.url);

    const results = await sendMany(sender, 300);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    await smtp.waitFor((messages) => messages.length === 300);
    const received = smtp.messagesTo('user123@example.com')[0];
    expect(received?.subject).toBe('[AInfo] 공지 123');
    expect(received?.text.trim()).toBe('안녕하세요, 123번째 본문입니다.');
    expect(received?.messageId).toBe('<notice.123@ainfo.test>');
    // Handshakes (EHLO) aside: MAIL + RCPT + DATA in one write, the body with the next mail's commands in another.
    expect(relay.chunks / 300).toBeLessThan(2.2);
    expect(smtp.connections).toBeLessThanOrEqual(10);
  });

  it('waits for each reply on a server without PIPELINING, and still delivers everything', async () => {
    const smtp = await server({ pipelining: false });
    const relay = await CountingRelay.start(smtp.port);
    cleanups.push(() => relay.close());
    const sender = mailer(relay.url);

    const results = await sendMany(sender, 50);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    await smtp.waitFor((messages) => messages.length === 50);
    // MAIL, RCPT, DATA and the body each wait for the server.
    expect(relay.chunks / 50).toBeGreaterThanOrEqual(4);
  });

  it('refuses one recipient (5xx) permanently while the others in the same pipeline go out', async () => {
    const smtp = await server();
    smtp.rejectRecipients(['user7@example.com']);
    const sender = mailer(smtp.url);

    const results = await sendMany(sender, 20);

    const refused = results.flatMap((result, index) => (result.status === 'rejected' ? [{ index, error: result.reason as unknown }] : []));
    expect(refused.map((entry) => entry.index)).toEqual([7]);
    expect(refused[0]?.error).toBeInstanceOf(MailPermanentError);
    expect((refused[0]?.error as MailPermanentError).reply).toMatch(/^550/);
    await smtp.waitFor((messages) => messages.length === 19);
  });

  it('reports a 4xx at the end of DATA as transient, and the next mails on that connection go out', async () => {
    const smtp = await server();
    const sender = mailer(smtp.url);
    await sender.send(message('warm@example.com'));
    smtp.failNext(1, 451, 'Try again later');

    const failed = await sender.send(message('first@example.com', 1)).catch((error: unknown) => error);
    const next = await sender.send(message('second@example.com', 2));

    expect(failed).toBeInstanceOf(MailTransientError);
    expect((failed as MailTransientError).responseCode).toBe(451);
    expect(next.response).toMatch(/^250/);
  });

  it('upgrades with STARTTLS and authenticates with AUTH PLAIN', async () => {
    const smtp = await server({ tls: 'starttls', auth: { user: 'mailer', pass: 'p@ss:word', methods: ['PLAIN'] } });
    const sender = mailer(`smtp://mailer:${encodeURIComponent('p@ss:word')}@127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false&requireTLS=true`);

    await sender.send(message('tls@example.com'));

    const received = await smtp.waitForMessageTo('tls@example.com');
    expect(received.secure).toBe(true);
    expect(received.user).toBe('mailer');
  });

  it('authenticates with AUTH LOGIN when that is all the server offers, over smtps://', async () => {
    const smtp = await server({ tls: 'implicit', auth: { user: 'mailer', pass: 'secret', methods: ['LOGIN'] } });
    const sender = mailer(`smtps://mailer:secret@127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`);

    await sender.send(message('login@example.com'));

    const received = await smtp.waitForMessageTo('login@example.com');
    expect(received.secure).toBe(true);
    expect(received.user).toBe('mailer');
  });

  it('reports a wrong password as transient (the operator fixes it, the mail waits) and sends nothing', async () => {
    const smtp = await server({ tls: 'starttls', auth: { user: 'mailer', pass: 'secret', methods: ['PLAIN'] } });
    const sender = mailer(`smtp://mailer:wrong@127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`);

    const error = await sender.send(message('auth@example.com')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MailTransientError);
    expect((error as MailTransientError).reply).toMatch(/535/);
    expect(smtp.dataAttempts).toBe(0);
  });

  it('refuses to send in clear when requireTLS is set and the server offers no STARTTLS', async () => {
    const smtp = await server();
    const sender = mailer(`${smtp.url}?requireTLS=true`);

    const error = await sender.send(message('clear@example.com')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MailTransientError);
    expect((error as Error).message).toMatch(/STARTTLS/);
    expect(smtp.dataAttempts).toBe(0);
  });

  it('sends over a fresh connection when the server closed the pooled one while it was idle', async () => {
    const smtp = await server({ idleTimeoutMs: 200 });
    const sender = mailer(smtp.url);
    await sender.send(message('before@example.com'));
    await new Promise((resolve) => setTimeout(resolve, 600)); // the server's idle timeout must pass: nothing announces it

    const after = await sender.send(message('after@example.com', 1));

    expect(after.response).toMatch(/^250/);
    expect(smtp.connections).toBe(2);
  });

  it('gives up on a server that stops answering after socketTimeoutMs, as transient', async () => {
    const smtp = await server({ delayMs: 5_000 });
    const sender = mailer(smtp.url, { socketTimeoutMs: 300 });

    const started = performance.now();
    const error = await sender.send(message('slow@example.com')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MailTransientError);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('sends to a non-ASCII address with SMTPUTF8, and refuses it permanently where the server lacks SMTPUTF8', async () => {
    const smtp = await server();
    const plain = await server({ smtputf8: false });

    await mailer(smtp.url).send(message('청년@example.com'));
    // Queued on one connection, between other mails whose bodies carry the next mail's commands
    // (the server's 20 ms per mail keeps the queue long): the mails around the refused one go out intact.
    plain.delayMs = 20;
    const oneConnection = mailer(plain.url, { maxConnections: 1 });
    const before = sendMany(oneConnection, 5);
    const refused = oneConnection.send(message('청년@example.com', 99)).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the non-ASCII mail (built by nodemailer) is queued by now
    const after = sendMany(oneConnection, 5, (index) => `later${index}@example.com`);

    expect((await smtp.waitForMessageTo('청년@example.com')).subject).toBe('[AInfo] 공지 0');
    expect(await refused).toBeInstanceOf(MailPermanentError);
    expect([...(await before), ...(await after)].every((result) => result.status === 'fulfilled')).toBe(true);
    expect(plain.messages.map((mail) => `${mail.to.join()} ${mail.subject}`).sort()).toEqual(
      [...[0, 1, 2, 3, 4].map((index) => `user${index}@example.com [AInfo] 공지 ${index}`), ...[0, 1, 2, 3, 4].map((index) => `later${index}@example.com [AInfo] 공지 ${index}`)].sort(),
    );
  });

  it('doubles a leading "." on every line and ends the data with one, so the server gets the text back', async () => {
    expect(terminateData('.a\r\nb\r\n.c')).toBe('..a\r\nb\r\n..c\r\n.\r\n');
    const smtp = await server();
    const pool = new SmtpPool(smtpOptionsFromUrl(smtp.url));
    cleanups.push(() => pool.close());
    const raw = ['From: a@ainfo.test', 'To: dots@example.com', 'Subject: dots', '', '.first', 'middle', '.', '..two', ''].join('\r\n');

    await pool.send({ from: 'a@ainfo.test', to: ['dots@example.com'] }, raw);

    const received = await smtp.waitForMessageTo('dots@example.com');
    expect(received.text).toBe('.first\nmiddle\n.\n..two\n');
  });

  it('refuses an SMTP_URL option it does not know, naming it', () => {
    expect(() => smtpOptionsFromUrl('smtp://127.0.0.1:25?pool=true')).toThrow(/unknown option "pool"/);
    expect(() => smtpOptionsFromUrl('smtp://127.0.0.1:25?requireTLS=maybe')).toThrow(/requireTLS must be true or false/);
  });
});

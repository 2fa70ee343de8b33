/**
 * Notice broadcast at 10,000 and 100,000 recipients, on real worker processes (`ainfo worker`),
 * PostgreSQL and Redis, to a local SMTP sink that only counts (no parsing), rate limit off:
 *   - fan-out: snapshot (one INSERT … SELECT) + enqueueing every delivery task, in a worker that
 *     runs only the `notices` queue (target: 100,000 under 10 s);
 *   - delivery: mails/s through a worker running only the `mail` queue, until the sink has them all;
 *   - peak RSS (VmHWM) of each worker;
 *   - the original's way for the same mails: one task, one loop, one SMTP connection, against ours
 *     in `--rounds` interleaved rounds (after a warm-up) at 0 ms and at `--latency-ms` per mail;
 *     the median ratio of mails/s with its min–max, and the CPU per mail of each side.
 * `--deliver-max 0` measures the fan-out alone (e.g. `--sizes 100000,1000000 --deliver-max 0
 * --rounds 0`: seconds per 100,000 and the fan-out worker's peak RSS at both sizes).
 * `--profile` makes the mail worker of each `--sizes` run and of the warm-up at 0 ms write CPU profiles (data/profiles).
 * Usage: npm run bench:notices [-- --sizes 10000,100000 --concurrency 16 --deliver-max 100000 --rounds 5]
 * Needs PostgreSQL (TEST_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/test) and Redis.
 */
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config/config.ts';
import { buildServices, openCore, type Core, type Services } from '../src/processes/compose.ts';
import { createLogger } from '../src/log/logger.ts';
// The composer alone, so the original sends the very bytes ours does.
import { MimeComposer } from '../src/mail/mime.ts';
import type { DispatchReport } from '../src/modules/notifications/index.ts';
// The mail renderer alone, measured against the send: white-box, as a benchmark may be.
// eslint-disable-next-line boundaries/dependencies
import { renderNoticeMail } from '../src/modules/notifications/notifications.templates.ts';
import { createPostgresDatabase, type TestDatabase } from '../test/helpers/db.ts';
import { ROOT, spawnAinfo, type Child } from '../test/helpers/processes.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../test/helpers/redis.ts';
import { childProfileArgs, interleave, profilePath, machineLoad, ratioTable, type Measure } from './lib/rounds.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    concurrency: { type: 'string', default: '16' },
    // Deliveries of a run are timed up to this many mails (all of them by default).
    'deliver-max': { type: 'string', default: '100000' },
    // 10,000: each round starts a fresh worker process, and at 2,000 mails (under a second) much of
    // a round was its JIT warm-up, which a long-running worker has behind it.
    'original-size': { type: 'string', default: '10000' },
    // A second comparison against a sink that answers each message after this delay (a remote provider).
    'latency-ms': { type: 'string', default: '20' },
    'latency-size': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
  },
});
const SIZES = values.sizes.split(',').filter((size) => size.trim() !== '').map(Number);
const CONCURRENCY = Number(values.concurrency);
const DELIVER_MAX = Number(values['deliver-max']);
const ORIGINAL_SIZE = Number(values['original-size']);
const LATENCY_MS = Number(values['latency-ms']);
const LATENCY_SIZE = Number(values['latency-size']);
const ROUNDS = Number(values.rounds);
const PUBLIC_URL = 'https://ainfo.example';
const TITLE = '[안내] 2026년 청년 월세 지원 신청 안내';
const CONTENT = [
  '# 청년 월세 한시 특별지원',
  '',
  '**신청 기간**: 2026년 12월 1일 ~ 12월 31일',
  '',
  '- 대상: 만 19~34세 무주택 청년',
  '- 지원: 월 최대 20만 원, 12개월',
  '- 신청: [복지로](https://www.bokjiro.go.kr)',
  '',
  '자세한 내용은 AInfo에서 확인하세요.',
].join('\n');

/** An SMTP server that accepts everything and only counts: the sink must not be the bottleneck. */
class CountingSink {
  count = 0;
  /** Wait before answering each message's DATA, like a remote provider's per-message latency. */
  delayMs = 0;
  readonly recipients = new Set<string>();
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      maxClients: 1_000,
      onRcptTo: (address, _session, callback) => {
        this.recipients.add(address.address);
        callback();
      },
      onData: (stream, _session, callback) => {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          const accept = (): void => {
            this.count += 1;
            callback(null, 'OK');
          };
          if (this.delayMs > 0) setTimeout(accept, this.delayMs);
          else accept();
        });
      },
    });
    this.server.on('error', () => undefined);
  }

  static async start(): Promise<CountingSink> {
    const sink = new CountingSink();
    await new Promise<void>((resolve) => {
      sink.server.listen(0, '127.0.0.1', resolve);
    });
    return sink;
  }

  get url(): string {
    const address = this.server.server.address();
    return `smtp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  reset(): void {
    this.count = 0;
    this.recipients.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(resolve);
    });
  }
}

/** Peak resident set of a process (VmHWM), in MiB. */
async function peakRssMiB(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}

/** CPU seconds (user + system) a process has used so far. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** CPU seconds every PostgreSQL server process alive now has used (shared with anything else using it). */
async function postgresCpuSeconds(): Promise<number> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  let total = 0;
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') total += await cpuSeconds(Number(pid));
  }
  return total;
}

/** CPU seconds the Redis server has used so far (shared with anything else using it). */
async function redisCpuSeconds(core: Core): Promise<number> {
  const info = await core.broker.connection.info('cpu');
  const read = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  child.process.kill('SIGTERM');
  await child.exited;
}

interface RunResult {
  recipients: number;
  fanOutMs: number;
  snapshotMs: number;
  enqueueMs: number;
  /** CPU seconds the fan-out cost the worker process and the Redis server: independent of machine load. */
  fanOutWorkerCpuS: number;
  fanOutRedisCpuS: number;
  fanOutRssMiB: number;
  delivered: number;
  deliverMs: number;
  mailsPerSecond: number;
  /** Mail worker CPU per delivered mail (user + system), in ms. */
  cpuMsPerMail: number;
  /** This process's CPU per mail meanwhile: the sink's (the original's figure includes it). */
  sinkCpuMsPerMail: number;
  /** The PostgreSQL and Redis servers' CPU per mail meanwhile (server-wide: on a quiet machine, ours). */
  postgresCpuMsPerMail: number;
  redisCpuMsPerMail: number;
  deliverRssMiB: number;
}

interface OriginalResult {
  mails: number;
  ms: number;
  mailsPerSecond: number;
  /** This process's CPU per mail (the sink runs here too), in ms. */
  cpuMsPerMail: number;
  heapAfterLoadMiB: number;
}

async function seed(database: TestDatabase, recipients: number): Promise<number> {
  const sql = database.handle.sql;
  await sql.query(
    `insert into users (email, name, password_hash, notice_consent, email_verified_at)
     select 'user' || g || '@example.com', '청년' || g, 'x', true, now() from generate_series(1, $1::int) g`,
    [recipients],
  );
  // People who must not receive it: no consent, or an unverified address.
  await sql.query(
    `insert into users (email, name, password_hash, notice_consent, email_verified_at)
     select 'other' || g || '@example.com', '다른' || g, 'x', g % 2 = 0, case when g % 2 = 1 then now() end
       from generate_series(1, $1::int) g`,
    [Math.ceil(recipients / 10)],
  );
  const [admin] = await sql.query<{ id: string }>(
    `insert into users (email, name, password_hash, is_admin, email_verified_at)
     values ('admin@example.com', '관리자', 'x', true, now()) returning id::text as id`,
  );
  await sql.exec('analyze users');
  return Number(admin?.id);
}

async function runBroadcast(sink: CountingSink, recipients: number, options: { profile?: boolean } = {}): Promise<RunResult> {
  const database = await createPostgresDatabase(`bench_notices_${recipients}`);
  const prefix = uniquePrefix('bench-notices');
  const env = {
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATABASE_URL: database.url ?? '',
    SMTP_URL: sink.url,
    PUBLIC_URL,
    MAIL_RATE_PER_SECOND: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: path.join(ROOT, 'data', `bench-${prefix}`),
  };
  const config = loadConfig({ ...env, LOG_LEVEL: 'warn' });
  let core: Core | undefined;
  let services: Services | undefined;
  const children: Child[] = [];
  try {
    const adminId = await seed(database, recipients);
    core = await openCore(config, createLogger('warn'), 'cli');
    services = buildServices(core, database.handle, { ownsDatabase: false });
    const { notifications } = services;

    const fanOutWorker = spawnAinfo(['worker', '--queues', 'notices', '--concurrency', '1', '--loglevel', 'info'], env);
    children.push(fanOutWorker);
    await fanOutWorker.waitFor('worker ready', 60_000);
    const notice = await notifications.createNotice({ title: TITLE, content: CONTENT }, adminId);
    const workerCpuBefore = await cpuSeconds(fanOutWorker.process.pid);
    const redisCpuBefore = await redisCpuSeconds(core);
    const started = performance.now();
    const { taskId } = await notifications.requestSend(notice.id, { id: adminId, name: '관리자' });
    const result = await core.results.wait(taskId, { timeoutMs: 300_000 });
    const fanOutMs = performance.now() - started;
    const fanOutWorkerCpuS = (await cpuSeconds(fanOutWorker.process.pid)) - workerCpuBefore;
    const fanOutRedisCpuS = (await redisCpuSeconds(core)) - redisCpuBefore;
    if (result.state !== 'SUCCESS') throw new Error(`fan-out ended ${result.state}: ${result.error ?? ''}`);
    const report = result.result as DispatchReport;
    const fanOutRssMiB = await peakRssMiB(fanOutWorker.process.pid);
    await stop(fanOutWorker);

    sink.reset();
    const target = Math.min(recipients, DELIVER_MAX);
    const perRun = { recipients, fanOutMs, snapshotMs: report.snapshotMs, enqueueMs: report.enqueueMs, fanOutWorkerCpuS, fanOutRedisCpuS, fanOutRssMiB };
    if (target === 0) return { ...perRun, delivered: 0, deliverMs: 0, mailsPerSecond: 0, cpuMsPerMail: 0, sinkCpuMsPerMail: 0, postgresCpuMsPerMail: 0, redisCpuMsPerMail: 0, deliverRssMiB: 0 };
    const profile = options.profile ? profilePath(`notices-mail-worker-${recipients}`).replace(/\.cpuprofile$/, '') : undefined;
    const mailWorker = spawnAinfo(
      ['worker', '--queues', 'mail', '--concurrency', String(CONCURRENCY), '--loglevel', 'info'],
      env,
      { nodeArgs: profile ? childProfileArgs(profile) : [] },
    );
    children.push(mailWorker);
    // The clock starts when the first mail arrives, so process start-up is not counted.
    await waitUntil(() => sink.count > 0, 120_000, 'first mail').catch((error: unknown) => {
      throw new Error(`${String(error)}; mail worker output:\n${mailWorker.output().slice(-2000)}`);
    });
    const deliverStarted = performance.now();
    const firstCount = sink.count;
    const cpuAtFirstMail = await cpuSeconds(mailWorker.process.pid);
    const sinkCpuAtFirstMail = process.cpuUsage();
    const postgresCpuAtFirstMail = await postgresCpuSeconds();
    const redisCpuAtFirstMail = await redisCpuSeconds(core);
    await waitUntil(() => sink.count >= target, 3_600_000, `${target} mails`);
    const deliverMs = performance.now() - deliverStarted;
    const sinkCpu = process.cpuUsage(sinkCpuAtFirstMail);
    const postgresCpuS = (await postgresCpuSeconds()) - postgresCpuAtFirstMail;
    const redisCpuS = (await redisCpuSeconds(core)) - redisCpuAtFirstMail;
    const deliverRssMiB = await peakRssMiB(mailWorker.process.pid);
    // From the first mail on, so the process's start-up (compiling TypeScript) is not counted.
    const cpuMsPerMail = (((await cpuSeconds(mailWorker.process.pid)) - cpuAtFirstMail) * 1000) / (target - firstCount);
    await stop(mailWorker);
    if (target === recipients) {
      const detail = await notifications.getNotice(notice.id);
      if (detail.deliveries.sent !== recipients || sink.recipients.size !== recipients) {
        throw new Error(`expected ${recipients} sent, got ${JSON.stringify(detail.deliveries)}, ${sink.recipients.size} at the sink`);
      }
    }
    if (profile) process.stdout.write(`CPU profiles of the mail worker (written as it exits, one per thread): ${profile}/\n`);
    return {
      ...perRun,
      delivered: target,
      deliverMs,
      mailsPerSecond: ((target - firstCount) / deliverMs) * 1000,
      cpuMsPerMail,
      sinkCpuMsPerMail: (sinkCpu.user + sinkCpu.system) / 1000 / (target - firstCount),
      postgresCpuMsPerMail: (postgresCpuS * 1000) / (target - firstCount),
      redisCpuMsPerMail: (redisCpuS * 1000) / (target - firstCount),
      deliverRssMiB,
    };
  } finally {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await services?.close();
    await core?.close();
    await database.drop();
    await deletePrefix(prefix);
  }
}

/**
 * The original's SMTP client as Django's send_mass_mail uses it (smtplib): one connection for the
 * whole loop, each command waiting for its reply. nodemailer's client is the same conversation
 * (it pipelines only several RCPTs of one mail); Nagle off, as smtplib's one write of body and "."
 * never waits on a delayed ACK.
 */
function originalTransport(sinkUrl: string): nodemailer.Transporter {
  const { hostname, port } = new URL(sinkUrl);
  return nodemailer.createTransport({
    host: hostname,
    port: Number(port),
    secure: false,
    pool: true,
    maxConnections: 1,
    maxMessages: Number.POSITIVE_INFINITY,
    getSocket: (options, callback) => {
      callback(null, { connection: net.connect({ host: options.host ?? hostname, port: options.port ?? Number(port), noDelay: true }) });
    },
  });
}

/**
 * The original: one Celery task reads every recipient, then sends in one loop over one SMTP
 * connection (Django's send_mass_mail). The same rendered and composed mail to the same sink.
 */
async function runOriginal(sink: CountingSink, mails: number): Promise<OriginalResult> {
  const database = await createPostgresDatabase('bench_notices_original');
  const transport = originalTransport(sink.url);
  const composer = new MimeComposer('AInfo <no-reply@ainfo.local>');
  try {
    await seed(database, mails);
    sink.reset();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const users = await database.handle.sql.query<{ email: string; name: string }>(
      'select email, name from users where notice_consent and email_verified_at is not null order by id',
    );
    const heapAfterLoadMiB = Math.round(process.memoryUsage().heapUsed / 1_048_576);
    let index = 0;
    for (const user of users) {
      index += 1;
      const mail = renderNoticeMail({
        noticeId: 1,
        deliveryId: index,
        title: TITLE,
        content: CONTENT,
        recipientName: user.name,
        unsubscribeToken: '00000000-0000-4000-8000-000000000000',
        publicUrl: PUBLIC_URL,
      });
      const composed = composer.compose({ to: user.email, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, kind: 'notice' });
      if (!composed) throw new Error(`original: cannot compose mail to ${user.email}`);
      await transport.sendMail({ envelope: composed.envelope, raw: composed.raw, messageId: composed.messageId });
    }
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (sink.count !== mails) throw new Error(`original: ${sink.count} of ${mails} mails at the sink`);
    return { mails, ms, mailsPerSecond: (mails / ms) * 1000, cpuMsPerMail: (cpu.user + cpu.system) / 1000 / mails, heapAfterLoadMiB };
  } finally {
    transport.close();
    await database.drop();
  }
}

const fmt = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

type Comparison = { mailsPerS: number; cpuMsPerMail: number; allCpuMsPerMail: number; sinkCpuMsPerMail?: number; postgresCpuMsPerMail?: number; redisCpuMsPerMail?: number };

/** Ours against the original loop on the same mails, interleaved rounds after a warm-up. */
async function compare(sink: CountingSink, latencyMs: number, mails: number): Promise<string> {
  sink.delayMs = latencyMs;
  let round = 0;
  const result = await interleave<Comparison>({
    rounds: ROUNDS,
    ours: async () => {
      round += 1;
      const run = await runBroadcast(sink, mails, { profile: values.profile && latencyMs === 0 && round === 1 });
      const { sinkCpuMsPerMail, postgresCpuMsPerMail, redisCpuMsPerMail } = run;
      const allCpuMsPerMail = run.cpuMsPerMail + sinkCpuMsPerMail + postgresCpuMsPerMail + redisCpuMsPerMail;
      return { mailsPerS: run.mailsPerSecond, cpuMsPerMail: run.cpuMsPerMail, allCpuMsPerMail, sinkCpuMsPerMail, postgresCpuMsPerMail, redisCpuMsPerMail };
    },
    theirs: async () => {
      const run = await runOriginal(sink, mails);
      return { mailsPerS: run.mailsPerSecond, cpuMsPerMail: run.cpuMsPerMail, allCpuMsPerMail: run.cpuMsPerMail };
    },
    onRound: (index, ours, original) => {
      process.stdout.write(
        `  ${latencyMs} ms round ${index}: ours ${fmt(ours.mailsPerS)} mails/s (CPU/mail: worker ${fmt(ours.cpuMsPerMail, 2)} ms, ` +
          `sink ${fmt(ours.sinkCpuMsPerMail ?? 0, 2)}, PostgreSQL ${fmt(ours.postgresCpuMsPerMail ?? 0, 2)}, Redis ${fmt(ours.redisCpuMsPerMail ?? 0, 2)}), ` +
          `original ${fmt(original.mailsPerS)} mails/s (${fmt(original.cpuMsPerMail, 2)} ms CPU/mail, sink included) = ${(ours.mailsPerS / original.mailsPerS).toFixed(2)}; ${machineLoad()}\n`,
      );
    },
  });
  sink.delayMs = 0;
  const measures: Measure<Comparison>[] = [
    { key: 'mailsPerS', label: `delivery, sink ${latencyMs} ms/mail, ${fmt(mails)} mails`, unit: 'mails/s' },
    { key: 'cpuMsPerMail', label: 'CPU per mail (ours: mail worker; original: loop + sink)', unit: 'ms', digits: 2 },
    { key: 'allCpuMsPerMail', label: 'CPU per mail, every process (ours: + sink, PostgreSQL, Redis)', unit: 'ms', digits: 2 },
  ];
  return ratioTable(result, measures, { ours: 'ours', theirs: 'original loop' });
}

async function main(): Promise<void> {
  const sink = await CountingSink.start();
  process.stdout.write(`notices bench: sizes ${SIZES.join(', ')}, mail worker concurrency ${CONCURRENCY}, rounds ${ROUNDS}; ${machineLoad()}\n`);
  try {
    const runs: RunResult[] = [];
    for (const size of SIZES) {
      const run = await runBroadcast(sink, size, { profile: values.profile });
      runs.push(run);
      process.stdout.write(`${JSON.stringify(run)}\n`);
    }
    const tables: string[] = [];
    if (ROUNDS > 0) {
      tables.push(await compare(sink, 0, ORIGINAL_SIZE));
      tables.push(await compare(sink, LATENCY_MS, LATENCY_SIZE));
    }

    process.stdout.write(
      '\n| recipients | fan-out (snapshot + enqueue) | s per 100,000 | snapshot | enqueue | CPU: worker / Redis | fan-out worker peak RSS | delivery | mails/s | worker CPU per mail | mail worker peak RSS |\n',
    );
    process.stdout.write('|---|---|---|---|---|---|---|---|---|---|---|\n');
    for (const run of runs) {
      process.stdout.write(
        `| ${fmt(run.recipients)} | ${fmt(run.fanOutMs / 1000, 2)} s | ${fmt(run.fanOutMs / 1000 / (run.recipients / 100_000), 2)} s | ${fmt(run.snapshotMs / 1000, 2)} s | ${fmt(run.enqueueMs / 1000, 2)} s | ` +
          `${fmt(run.fanOutWorkerCpuS, 1)} s / ${fmt(run.fanOutRedisCpuS, 1)} s | ` +
          `${fmt(run.fanOutRssMiB)} MiB | ${fmt(run.delivered)} in ${fmt(run.deliverMs / 1000, 1)} s | ${fmt(run.mailsPerSecond)} | ` +
          `${fmt(run.cpuMsPerMail, 2)} ms | ${fmt(run.deliverRssMiB)} MiB |\n`,
      );
    }
    for (const table of tables) process.stdout.write(`\n${table}\n`);
    process.stdout.write(`\nat the end: ${machineLoad()}\n`);
  } finally {
    await sink.close();
  }
}

await main();
process.exit(0);

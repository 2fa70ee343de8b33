import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { PrivatePostgres } from './private-postgres.ts';
import { PrivateRedis } from './private-redis.ts';
import { runAinfo, spawnAinfo, type Child } from './processes.ts';
import { cloneDataset, loadFixtures, publicApisEnv, startPublicApisServer, type PublicApisPeer } from './public-apis-server.ts';
import { RestartableChroma } from './restartable-chroma.ts';
import { TestSmtpServer } from './smtp-server.ts';
import type { SampleDataset } from '../../src/modules/dataload/sample-data.ts';

/** What one HTTP request came to, seen from the client, with how long it took. */
export interface HttpOutcome {
  /** The status, or `timeout` when the client gave up, or `error` when the connection failed. */
  status: number | 'timeout' | 'error';
  ms: number;
  body: unknown;
  /** For `error`/`timeout`: what the client saw. */
  error?: string;
}

export interface ProcessStackOptions {
  /** Names the database and the log files. */
  label: string;
  /** Variables for every `ainfo` process on top of the stack's own (MAIL_RATE_PER_SECOND, …). */
  env?: Record<string, string>;
  /** Start a Chroma server and the public APIs peer serving `dataset` (default: the fixtures). */
  publicData?: { dataset?: SampleDataset };
  /**
   * The address every service listens on (default 127.0.0.1): a test's own bridge address when
   * processes on other hosts (network namespaces) use them too.
   */
  host?: string;
  /** How long a role may take to say it is ready (default 60 s; a crowded machine needs more). */
  readyTimeoutMs?: number;
}

export const ADMIN = { email: 'admin@fault.test', password: 'quiet harbor lights 42', name: '관리자' };
/** A password the signup strength check accepts. */
export const USER_PASSWORD = 'blue ocean 7 waves';
export const PUBLIC_URL = 'https://ainfo.fault.test';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The whole service as separate `ainfo web`, `ainfo worker` and `ainfo beat` processes, configured
 * only by environment variables, on services of the test's own that it may break: a private
 * redis-server, a private PostgreSQL cluster, an in-process SMTP server and, for public data, a
 * real Chroma server and the local peer of the public APIs. Tests drive it from the outside
 * (HTTP, the CLI, SQL, SMTP) and count outcomes there.
 */
export class ProcessStack {
  readonly children: Child[] = [];
  private readonly named = new Map<Child, string>();
  private pool: pg.Pool | undefined;
  private adminToken: string | undefined;
  private readyTimeoutMs = 60_000;

  private constructor(
    readonly label: string,
    readonly redis: PrivateRedis,
    readonly postgres: PrivatePostgres,
    readonly databaseUrl: string,
    readonly smtp: TestSmtpServer,
    readonly chroma: RestartableChroma | undefined,
    readonly peer: PublicApisPeer | undefined,
    readonly webPort: number,
    private readonly dataDir: string,
    private readonly extraEnv: Record<string, string>,
  ) {}

  /** Starts the services and migrates the database (through `ainfo createsuperuser`, which creates the admin too); no role yet. */
  static async start(options: ProcessStackOptions): Promise<ProcessStack> {
    const host = options.host ?? '127.0.0.1';
    const [redis, postgres, smtp, chroma, peer, dataDir, webPort] = await Promise.all([
      PrivateRedis.start({ host }),
      PrivatePostgres.start({ host }),
      TestSmtpServer.start({ host }),
      options.publicData ? RestartableChroma.start({ host }) : undefined,
      options.publicData
        ? startPublicApisServer({ data: options.publicData.dataset ?? cloneDataset(await loadFixtures()), host })
        : undefined,
      mkdtemp(path.join(os.tmpdir(), 'ainfo-stack-')),
      findFreePort(),
    ]);
    const databaseUrl = await postgres.createDatabase('ainfo');
    const stack = new ProcessStack(
      options.label,
      redis,
      postgres,
      databaseUrl,
      smtp,
      chroma,
      peer,
      webPort,
      dataDir,
      { ...(peer ? publicApisEnv(peer) : {}), ...options.env },
    );
    stack.readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    const created = await stack.cli(['createsuperuser', '--email', ADMIN.email, '--password', ADMIN.password, '--name', ADMIN.name]);
    if (created.code !== 0) {
      await stack.close();
      throw new Error(`createsuperuser failed (${created.code}): ${created.stderr}`);
    }
    return stack;
  }

  /** The environment every `ainfo` process of this stack gets. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      REDIS_URL: this.redis.url,
      QUEUE_PREFIX: 'ainfo',
      DATABASE_URL: this.databaseUrl,
      SMTP_URL: this.smtp.url,
      MAIL_FROM: 'AInfo <no-reply@ainfo.fault.test>',
      PUBLIC_URL,
      JWT_SECRET: 'fault-suite-secret-fault-suite-secret-0123',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      // Signups come from one client address in these tests.
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      DATA_DIR: this.dataDir,
      ...(this.chroma ? { CHROMA_URL: this.chroma.url, CHROMA_COLLECTION: 'policies' } : {}),
      ...this.extraEnv,
      ...extra,
    };
  }

  /** `http://127.0.0.1:<port>` of the web process (the same port across restarts). */
  get webUrl(): string {
    return `http://127.0.0.1:${this.webPort}`;
  }

  private spawn(name: string, args: readonly string[], extraEnv: Record<string, string>, wrap: readonly string[] = []): Child {
    const child = spawnAinfo(args, this.env(extraEnv), { wrap });
    this.children.push(child);
    this.named.set(child, `${name}-${this.children.length}`);
    return child;
  }

  /** Starts `ainfo web` on the stack's port; resolves once it listens. */
  async startWeb(extraEnv: Record<string, string> = {}, port = this.webPort): Promise<Child> {
    const child = this.spawn('web', ['web', '--port', String(port), '--host', '127.0.0.1'], extraEnv);
    await child.waitFor('web listening', this.readyTimeoutMs);
    return child;
  }

  /** Starts `ainfo worker` (every queue unless `--queues` is given); resolves once it is ready. */
  async startWorker(args: readonly string[] = [], extraEnv: Record<string, string> = {}, wrap: readonly string[] = []): Promise<Child> {
    const child = this.spawn('worker', ['worker', ...args], extraEnv, wrap);
    await child.waitFor('worker ready', this.readyTimeoutMs);
    return child;
  }

  /** Starts `ainfo beat`; resolves once it has written the schedule. */
  async startBeat(extraEnv: Record<string, string> = {}): Promise<Child> {
    const child = this.spawn('beat', ['beat'], extraEnv);
    await child.waitFor('periodic schedule synced', this.readyTimeoutMs);
    return child;
  }

  /** Runs an `ainfo` command to completion with the stack's environment. */
  cli(args: readonly string[], extraEnv: Record<string, string> = {}): ReturnType<typeof runAinfo> {
    return runAinfo(args, this.env({ LOG_LEVEL: 'warn', ...extraEnv }));
  }

  /** A query on the stack's database (a small pool that survives a database restart). */
  async sql<Row extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<Row[]> {
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.databaseUrl, max: 3, connectionTimeoutMillis: 5_000 });
      this.pool.on('error', () => undefined);
    }
    return (await this.pool.query<Row>(text, params)).rows;
  }

  /** One HTTP request to the web process, timed; never throws. */
  async request(
    method: string,
    url: string,
    options: { body?: unknown; token?: string; timeoutMs?: number; baseUrl?: string } = {},
  ): Promise<HttpOutcome> {
    const started = performance.now();
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    try {
      const response = await fetch(`${options.baseUrl ?? this.webUrl}${url}`, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // Not JSON: keep the text.
      }
      return { status: response.status, ms: performance.now() - started, body };
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
      return { status: name === 'TimeoutError' ? 'timeout' : 'error', ms: performance.now() - started, body: undefined, error: message };
    }
  }

  /** POST /api/accounts/signup for `email` (a strong password, a Korean name). */
  signup(email: string, options: { noticeConsent?: boolean; timeoutMs?: number; baseUrl?: string } = {}): Promise<HttpOutcome> {
    return this.request('POST', '/api/accounts/signup', {
      body: { email, password: USER_PASSWORD, name: '가입 사용자', noticeConsent: options.noticeConsent ?? false },
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    });
  }

  /** The admin's bearer token (POST /api/accounts/login as the superuser), cached. */
  async admin(): Promise<string> {
    if (this.adminToken) return this.adminToken;
    const login = await this.request('POST', '/api/accounts/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const token = (login.body as { accessToken?: string } | undefined)?.accessToken;
    if (login.status !== 200 || !token) throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
    this.adminToken = token;
    return token;
  }

  /** Inserts `count` verified users who consent to notices (`<label><n>@example.com`), set-based. */
  async seedRecipients(label: string, count: number): Promise<string[]> {
    await this.sql(
      `insert into users (email, name, password_hash, notice_consent, email_verified_at)
       select $1 || g || '@example.com', '수신자 ' || g, 'seeded-without-password', true, now()
         from generate_series(1, $2::int) g`,
      [label, count],
    );
    return Array.from({ length: count }, (_, index) => `${label}${index + 1}@example.com`);
  }

  /** Writes a notice and presses send through the admin API; returns its id. */
  async broadcast(title: string, content: string): Promise<number> {
    const token = await this.admin();
    const created = await this.request('POST', '/api/admin/notices', { body: { title, content }, token });
    const id = (created.body as { id?: number } | undefined)?.id;
    if (created.status !== 201 || id === undefined) throw new Error(`creating the notice failed: ${created.status} ${JSON.stringify(created.body)}`);
    const sent = await this.request('POST', `/api/admin/notices/${id}/send`, { token });
    if (sent.status !== 202) throw new Error(`sending the notice failed: ${sent.status} ${JSON.stringify(sent.body)}`);
    return id;
  }

  /** The notice's delivery counts from GET /api/admin/notices/:id. */
  async deliveries(noticeId: number): Promise<{ total: number; pending: number; sent: number; failed: number; skipped: number }> {
    const token = await this.admin();
    const detail = await this.request('GET', `/api/admin/notices/${noticeId}`, { token });
    if (detail.status !== 200) throw new Error(`reading notice ${noticeId} failed: ${detail.status} ${JSON.stringify(detail.body)}`);
    return (detail.body as { deliveries: { total: number; pending: number; sent: number; failed: number; skipped: number } }).deliveries;
  }

  /**
   * Waiting, active and delayed tasks in `queues` (`ainfo inspect stats --json`); undefined when it
   * cannot tell. Leave out the queues of periodic tasks: each schedule keeps its next run delayed.
   */
  async tasksInFlight(queues: readonly string[]): Promise<number | undefined> {
    const stats = await this.cli(['inspect', 'stats', '--json']);
    if (stats.code !== 0) return undefined;
    const parsed = JSON.parse(stats.stdout) as { queues: { queue: string; waiting: number; active: number; delayed: number }[] };
    return parsed.queues
      .filter((queue) => queues.includes(queue.queue))
      .reduce((sum, queue) => sum + queue.waiting + queue.active + queue.delayed, 0);
  }

  /**
   * Waits until `isDone()`, or until nothing moves any more: `progress()` unchanged for
   * `quietMs` and no task waiting, running or delayed in `queues` (default: the mail queues), so
   * that what is missing then will never come. Resolves with how it ended; `timeout` after `maxMs`.
   */
  async settle(options: {
    isDone: () => boolean | Promise<boolean>;
    progress: () => number | Promise<number>;
    maxMs: number;
    quietMs?: number;
    queues?: readonly string[];
  }): Promise<'done' | 'idle' | 'timeout'> {
    const quietMs = options.quietMs ?? 5_000;
    const queues = options.queues ?? ['mail', 'notices'];
    const deadline = Date.now() + options.maxMs;
    let last = await options.progress();
    let lastChange = Date.now();
    for (;;) {
      if (await options.isDone()) return 'done';
      if (Date.now() > deadline) return 'timeout';
      const now = await options.progress();
      if (now !== last) {
        last = now;
        lastChange = Date.now();
      } else if (Date.now() - lastChange >= quietMs && (await this.tasksInFlight(queues)) === 0 && (await options.progress()) === last) {
        return 'idle';
      }
      await sleep(250);
    }
  }

  /** The name of a child process of this stack (`web-1`, `worker-2`, …). */
  nameOf(child: Child): string {
    return this.named.get(child) ?? 'unknown';
  }

  /** Every child's output in one string (newest last), for failure messages and evidence. */
  logs(filter?: RegExp): string {
    return this.children
      .map((child) => {
        const lines = child.output().split('\n').filter((line) => !filter || filter.test(line));
        return `--- ${this.nameOf(child)}\n${lines.join('\n')}`;
      })
      .join('\n');
  }

  /**
   * Stops every process (SIGKILL: whatever state they are in, the test is over) and the services.
   * With FAULT_LOG_DIR set, each process's output is kept there as `<label>-<name>.log`.
   */
  async close(): Promise<void> {
    for (const child of this.children) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await Promise.all(this.children.map((child) => child.exited));
    const logDir = process.env.FAULT_LOG_DIR;
    if (logDir) {
      await mkdir(logDir, { recursive: true });
      await Promise.all(
        this.children.map((child) => writeFile(path.join(logDir, `${this.label}-${this.nameOf(child)}.log`), child.output())),
      );
    }
    await this.pool?.end().catch(() => undefined);
    await Promise.all([
      this.redis.close(),
      this.postgres.close(),
      this.smtp.close(),
      this.chroma?.close(),
      this.peer?.stop(),
      rm(this.dataDir, { recursive: true, force: true }),
    ]);
  }
}

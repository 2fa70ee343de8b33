/**
 * Signup over HTTP while mail goes out through a real SMTP server, twice: a server that takes
 * 500 ms per message, then one that answers at once. Signup latency should not depend on SMTP,
 * because the request only enqueues the mail task; afterwards every accepted signup must have its
 * mail delivered. Web server (listening on a port), worker and SMTP server run in this process.
 *
 * Usage: npm run bench:signup [-- --duration 10 --connections 10]
 * Needs Redis (REDIS_URL). With DATABASE_URL it creates and drops a scratch database on that
 * server; without it, it uses an in-memory PGlite.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/config.ts';
import { buildServices, buildWebApp, openCore, workerDeps } from '../src/processes/compose.ts';
import { migrate, type DatabaseHandle } from '../src/db/index.ts';
import { openPglite, openPostgres } from '../src/db/client.ts';
// The scrypt hash alone, the floor of a signup: white-box, as a benchmark may be.
// eslint-disable-next-line boundaries/dependencies
import { hashPassword } from '../src/modules/accounts/passwords.ts';
import { createLogger } from '../src/log/logger.ts';
import { TaskWorker } from '../src/tasks/index.ts';
import { TestSmtpServer } from '../test/helpers/smtp-server.ts';
import { deletePrefix } from '../test/helpers/redis.ts';

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: (AutocannonRequest & { setupRequest?: (request: AutocannonRequest) => AutocannonRequest })[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DRAIN_TIMEOUT_MS = 300_000;

async function scratchDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openPglite(undefined);
    await migrate(handle.sql);
    return { handle, drop: () => handle.close() };
  }
  const name = `ainfo_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { max: 20 });
  await migrate(handle.sql);
  return {
    handle,
    async drop() {
      await handle.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`drop database if exists "${name}" with (force)`);
      await dropper.end();
    },
  };
}

interface RunFigures {
  smtpDelayMs: number;
  signupsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  created: number;
  otherResponses: number;
  mailsDelivered: number;
  drainSeconds: number;
}

async function run(smtpDelayMs: number, database: DatabaseHandle): Promise<RunFigures> {
  const prefix = `ainfo-bench-signup-${randomBytes(4).toString('hex')}`;
  const smtp = await TestSmtpServer.start({ delayMs: smtpDelayMs });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SMTP_URL: smtp.url,
    PUBLIC_URL: 'http://localhost:8000',
    JWT_SECRET: randomBytes(32).toString('hex'),
    // The bench measures signup, not the per-IP limit that would stop it after a few requests.
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    DATA_DIR: './data/bench',
  });
  const core = await openCore(config, createLogger('silent'), 'all');
  const services = buildServices(core, database, { ownsDatabase: false });
  const worker = new TaskWorker({ broker: core.broker, registry: core.registry, deps: workerDeps(services), log: core.log, queues: ['mail'], lockMs: 30_000 });
  await worker.start();
  const app = await buildWebApp(core, services);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    let sequence = 0;
    const result = await autocannon({
      url: address,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: [
        {
          method: 'POST',
          path: '/api/accounts/signup',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            sequence += 1;
            const email = `bench-${prefix}-${sequence}@example.com`;
            return { ...request, body: JSON.stringify({ email, password: 'bench pass phrase 1', name: `벤치 ${sequence}` }) };
          },
        },
      ],
    });
    const created = result.statusCodeStats['201']?.count ?? 0;
    const drainStarted = Date.now();
    await smtp.waitFor((messages) => messages.length >= created, DRAIN_TIMEOUT_MS);
    return {
      smtpDelayMs,
      signupsPerSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      created,
      otherResponses: result.non2xx + result.errors + result.timeouts,
      mailsDelivered: smtp.messages.length,
      drainSeconds: (Date.now() - drainStarted) / 1000,
    };
  } finally {
    await app.close();
    await worker.close(10_000);
    await services.close();
    await core.close();
    await smtp.close();
    await deletePrefix(prefix, REDIS_URL);
  }
}

const database = await scratchDatabase();
try {
  console.log(`signup bench: ${DURATION_S} s per run, ${CONNECTIONS} connections, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`);
  // What one signup cannot go below: its scrypt hash, measured alone, one at a time.
  const hashMs: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const started = performance.now();
    await hashPassword('bench pass phrase 1');
    hashMs.push(performance.now() - started);
  }
  hashMs.sort((a, b) => a - b);
  console.log(`one scrypt hash alone: median ${Math.round(hashMs[2] ?? 0)} ms (load average ${os.loadavg()[0]?.toFixed(1) ?? '?'}, ${os.cpus().length} CPUs)`);
  const figures: RunFigures[] = [];
  for (const delay of [500, 0]) {
    const figure = await run(delay, database.handle);
    figures.push(figure);
    console.log(
      `SMTP ${String(delay).padStart(3)} ms/message: ${figure.signupsPerSecond.toFixed(1)} signups/s, ` +
        `p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, ${figure.created} created, ${figure.otherResponses} other; ` +
        `${figure.mailsDelivered}/${figure.created} mails delivered, the last ${figure.drainSeconds.toFixed(1)} s after the load ended`,
    );
  }
  console.table(figures);
} finally {
  await database.drop();
}

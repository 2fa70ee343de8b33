/**
 * Signup over HTTP while mail goes out through a real SMTP server that takes `--smtp-delay-ms`
 * (default 500) per message, against the same signup sending its verification mail inside the
 * request (no queue: what the request would cost if the mail were sent before answering).
 * Ours: the request hashes, inserts and enqueues; a mail worker in this process sends afterwards,
 * and every accepted signup's mail must arrive. The synchronous side: a server in this process
 * whose handler runs the same `accounts.signup` and then the same delivery (token, render, SMTP)
 * before answering 201. After a warm-up the sides run interleaved for `--rounds` rounds (ABBA
 * order), and each measure is printed as the median of the per-round ratios with its min–max.
 * `--profile` runs our side once more under V8's CPU profiler (outside the rounds).
 *
 * Usage: npm run bench:signup [-- --duration 10 --connections 10 --smtp-delay-ms 500 --rounds 5 --profile]
 * Needs Redis (REDIS_URL). With DATABASE_URL it creates and drops a scratch database on that
 * server; without it, it uses an in-memory PGlite.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config/config.ts';
import { buildServices, buildWebApp, openCore, type Services } from '../src/processes/compose.ts';
import { migrate, type DatabaseHandle } from '../src/db/index.ts';
import { openPglite, openPostgres } from '../src/db/client.ts';
// The scrypt hash alone, the floor of a signup: white-box, as a benchmark may be.
// eslint-disable-next-line boundaries/dependencies
import { hashPassword } from '../src/modules/accounts/passwords.ts';
import { createLogger } from '../src/log/logger.ts';
import { startWorker } from '../src/processes/roles.ts';
import { TestSmtpServer } from '../test/helpers/smtp-server.ts';
import { deletePrefix } from '../test/helpers/redis.ts';
import { interleave, machineLoad, ratioTable, withCpuProfile, type Measure } from './lib/rounds.ts';

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
    'smtp-delay-ms': { type: 'string', default: '500' },
    rounds: { type: 'string', default: '5' },
    profile: { type: 'boolean', default: false },
  },
});
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const SMTP_DELAY_MS = Number(values['smtp-delay-ms']);
const ROUNDS = Number(values.rounds);
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

type RunFigures = {
  signupsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  created: number;
  otherResponses: number;
  mailsDelivered: number;
  drainSeconds: number;
};

type Side = 'queued' | 'synchronous';

/**
 * One side for DURATION_S: `queued` is the app as it runs (web server + mail worker);
 * `synchronous` answers only after the verification mail was accepted by the SMTP server.
 */
async function run(side: Side, database: DatabaseHandle): Promise<RunFigures> {
  const prefix = `ainfo-bench-signup-${randomBytes(4).toString('hex')}`;
  const smtp = await TestSmtpServer.start({ delayMs: SMTP_DELAY_MS });
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
  // What `ainfo worker --queues mail` runs: the mail worker and the outbox relay that hands it
  // the tasks signup records in its transaction.
  const worker = side === 'queued' ? await startWorker(core, services, { queues: ['mail'] }) : undefined;
  const app = side === 'queued' ? await buildWebApp(core, services) : synchronousApp(services, database);
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
    await worker?.stop();
    // The synchronous side's recorded tasks were never relayed: no later queued run may send them.
    if (side === 'synchronous') await database.sql.query('delete from task_outbox where done_at is null');
    await services.close();
    await core.close();
    await smtp.close();
    await deletePrefix(prefix, REDIS_URL);
  }
}

/** What run() needs of either server. */
interface Listening {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<unknown>;
}

/**
 * The signup route with the mail sent in the request: the same service call (hash, insert, the
 * outbox task, which no worker runs here), then the same delivery the task would run.
 */
function synchronousApp(services: Services, database: DatabaseHandle): Listening {
  const app = Fastify({ logger: false });
  app.post('/api/accounts/signup', async (request, reply) => {
    const body = request.body as { email: string; password: string; name: string };
    const accepted = await services.accounts.signup(body);
    const [user] = await database.sql.query<{ id: string }>('select id::text as id from users where email = $1', [accepted.email]);
    if (!user) throw new Error(`signup of ${accepted.email} created no user`);
    const outcome = await services.accounts.deliverVerifyEmail(Number(user.id), `bench-sync-${user.id}`);
    if (outcome.status !== 'sent') throw new Error(`verification mail of ${accepted.email}: ${outcome.status} (${outcome.reason})`);
    return reply.code(201).send(accepted);
  });
  return app;
}

const database = await scratchDatabase();
try {
  console.log(
    `signup bench: ${DURATION_S} s per side and round, ${CONNECTIONS} connections, SMTP ${SMTP_DELAY_MS} ms/message, ` +
      `${ROUNDS} rounds after a warm-up, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}; at the start: ${machineLoad()}`,
  );
  // What one signup cannot go below: its scrypt hash, measured alone, one at a time.
  const hashMs: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const started = performance.now();
    await hashPassword('bench pass phrase 1');
    hashMs.push(performance.now() - started);
  }
  hashMs.sort((a, b) => a - b);
  console.log(`one scrypt hash alone: median ${Math.round(hashMs[2] ?? 0)} ms`);
  const line = (name: string, figure: RunFigures): string =>
    `${name} ${figure.signupsPerSecond.toFixed(1)} signups/s, p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, ` +
    `${figure.created} created, ${figure.otherResponses} other, ${figure.mailsDelivered}/${figure.created} mails ` +
    `(the last ${figure.drainSeconds.toFixed(1)} s after the load)`;
  const result = await interleave<RunFigures>({
    rounds: ROUNDS,
    ours: () => run('queued', database.handle),
    theirs: () => run('synchronous', database.handle),
    onRound: (round, ours, theirs) => {
      console.log(`round ${round}: ${line('queued:', ours)}; ${line('synchronous:', theirs)}; ${machineLoad()}`);
      if (ours.mailsDelivered < ours.created) throw new Error(`round ${round}: ${ours.created - ours.mailsDelivered} accepted signups got no mail`);
    },
  });
  const measures: Measure<RunFigures>[] = [
    { key: 'signupsPerSecond', label: 'signups', unit: '/s', digits: 1 },
    { key: 'p50Ms', label: 'latency p50', unit: 'ms' },
    { key: 'p99Ms', label: 'latency p99', unit: 'ms' },
  ];
  console.log(`\n${ratioTable(result, measures, { ours: 'queued mail', theirs: 'mail in the request' })}`);
  if (values.profile) {
    const { file, value } = await withCpuProfile('signup-queued', () => run('queued', database.handle));
    console.log(`${line('profiled run, queued:', value)}; CPU profile: ${file}`);
  }
  console.log(`at the end: ${machineLoad()}`);
} finally {
  await database.drop();
}

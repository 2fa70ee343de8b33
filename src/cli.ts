import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { callCelery, findResult, jsonOption, parseCeleryQueues } from './cli/celery.ts';
import { tableOfRecords, type CliKit } from './cli/kit.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { migrate, openDatabase, type DatabaseHandle } from './db/index.ts';
import { createProcessLogger, type Logger } from './log/logger.ts';
import type { Services } from './processes/compose.ts';
import { openCore, type Core, type ProcessRole } from './processes/core.ts';
import { discoverCommands } from './processes/discover.ts';
import { embeddedOverrides, shareEmbedded } from './processes/embedded.ts';
import { stopOnSignals, type Stoppable } from './processes/lifecycle.ts';
import { ensureRedis, redisHelp } from './processes/redis-bootstrap.ts';
import { startBeat } from './processes/roles.ts';
import { listScheduled } from './tasks/beat.ts';
import { activeTasks, purgeQueue, queueStats, workersSeen } from './tasks/inspect.ts';
import {
  isFinished,
  isQueueName,
  QUEUE_NAMES,
  RedisUnavailableError,
  TaskPayloadError,
  UnknownTaskError,
  type QueueName,
  type TaskResult,
} from './tasks/index.ts';
import { AppError } from './utils/errors.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Thrown to end a command with a message and an exit code, never a stack trace. */
class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * The configuration of this process. Every process but `ainfo all` first looks for a running
 * `ainfo all` on the embedded defaults and takes its published database socket, Chroma and public
 * URL for what the environment leaves unset (src/processes/embedded.ts).
 */
function readConfig(overrides: Record<string, string | undefined> = {}, options: { owner?: boolean } = {}): Config {
  // A developer's .env is read here, once; the environment wins over it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) env[key] = value;
  if (!options.owner) Object.assign(env, embeddedOverrides(env));
  return loadConfig(env);
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, process.stdout.isTTY ? 2 : undefined)}\n`);
}

function fail(message: string, exitCode = 1): never {
  throw new CliExit(message, exitCode);
}

/** The config and logger of a one-shot command (quiet unless LOG_LEVEL says otherwise). */
function commandSetup(): { config: Config; log: Logger } {
  const config = readConfig({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  // stderr: a command's own output (JSON, tables, a summary) owns stdout.
  return { config, log: createProcessLogger(config.log, { role: 'cli' }, { stream: 'stderr' }) };
}

/** Opens the core (Redis must answer: no auto-start outside `ainfo all`), runs `work`, closes it. */
async function withCore<T>(work: (core: Core) => Promise<T>): Promise<T> {
  const { config, log } = commandSetup();
  await ensureRedis(config.redis.url, { mayStart: false, dataDir: config.dataDir, log });
  const core = await openCore(config, log, 'cli');
  try {
    return await work(core);
  } finally {
    await core.close();
  }
}

async function withDatabase<T>(work: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const { config } = commandSetup();
  const db = await openDatabase(config, { allowEmbedded: true });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Every module, loaded only by the commands that use them: the others start faster without. */
async function withServices<T>(work: (services: Services, core: Core) => Promise<T>): Promise<T> {
  const { buildServices, openDatabaseFor } = await import('./processes/compose.ts');
  return withCore(async (core) => {
    // Migrated first, so that a command works before the first `ainfo all` on a fresh database too.
    const services = buildServices(core, await openDatabaseFor(core, { migrate: true }));
    try {
      return await work(services, core);
    } finally {
      await services.close();
    }
  });
}

const kit: CliKit = { withCore, withDatabase, withServices, printJson, fail };

function parseQueues(value: string): QueueName[] {
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const wrong = names.filter((name) => !isQueueName(name));
  if (wrong.length > 0 || names.length === 0) {
    throw new InvalidArgumentError(`unknown queue ${wrong.join(', ')}; queues are ${QUEUE_NAMES.join(', ')}`);
  }
  return names as QueueName[];
}

function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a whole number above 0');
  return parsed;
}

function parseSeconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected seconds (a number ≥ 0)');
  return parsed;
}

function parseJsonPayload(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`not JSON (${(error as Error).message}); quote it: --payload '{"key":"value"}'`);
  }
}

/** The one JSON object `call` and `result` print. */
function resultJson(result: TaskResult): Record<string, unknown> {
  const out: Record<string, unknown> = { id: result.id, state: result.state };
  if (result.name) out.task = result.name;
  if (result.state === 'SUCCESS') out.result = result.result;
  if (result.error !== undefined) out.error = result.error;
  if (result.progress !== undefined) out.progress = result.progress;
  out.attempts = result.attempts;
  if (result.runAt) out.runAt = result.runAt;
  return out;
}

/**
 * The port a web role listens on when `--port` is not given: PORT, or for PORT=0 a free port chosen
 * now, so that the default PUBLIC_URL (built with the configuration) names the real one.
 */
async function portFromEnv(role: Exclude<ProcessRole, 'cli'>): Promise<number | undefined> {
  if (role !== 'web' && role !== 'all') return undefined;
  if (existsSync('.env')) process.loadEnvFile('.env');
  if (process.env.PORT !== '0') return undefined;
  const { findFreePort } = await import('./vector/index.ts');
  return findFreePort();
}

/**
 * Boots one long-running role (or all three) and keeps it up until a signal. Each role opens what
 * it uses: beat the core alone (no database), web and worker the core, the database and the services.
 */
async function runProcess(
  role: Exclude<ProcessRole, 'cli'>,
  options: { port?: number; host?: string; queues?: QueueName[]; concurrency?: number; celeryQueues?: string[]; loglevel?: string },
): Promise<void> {
  const port = options.port ?? (await portFromEnv(role));
  const config = readConfig({ LOG_LEVEL: options.loglevel, PORT: port === undefined ? undefined : String(port) }, { owner: role === 'all' });
  const log = createProcessLogger(config.log, { role });
  const stopRedis = await ensureRedis(config.redis.url, { mayStart: role === 'all' && !config.redis.cluster, dataDir: config.dataDir, log });
  const parts: Stoppable[] = [];
  const connections: Stoppable[] = [];
  let listening: string | undefined;
  try {
    const core = await openCore(config, log, role);
    connections.unshift({ name: 'connections', stop: () => core.close() });
    if (role === 'beat') {
      parts.push(await startBeat(core));
    } else {
      const [{ buildServices, openDatabaseFor }, { startWeb, startWorker }] = await Promise.all([
        import('./processes/compose.ts'),
        import('./processes/roles.ts'),
      ]);
      const services = buildServices(core, await openDatabaseFor(core, { migrate: role === 'all' }));
      connections.unshift({ name: 'services', stop: () => services.close() });
      if (role === 'web' || role === 'all') {
        const web = await startWeb(core, services, { port: config.http.port, host: options.host ?? config.http.host });
        parts.push(web);
        listening = web.address;
      }
      if (role === 'all') parts.push(await startBeat(core));
      if (role === 'worker' || role === 'all') {
        parts.push(
          await startWorker(core, services, {
            queues: options.queues ?? [...QUEUE_NAMES],
            concurrency: options.concurrency,
            celeryQueues: options.celeryQueues ?? config.celery.queues,
          }),
        );
      }
      // The one-command start fills search at once (sample data without API keys), not next Wednesday.
      if (role === 'all') await services.dataload.enqueueInitialLoads();
      // Stopped before the services close: no client may be mid-query when the database closes.
      const sharing = role === 'all' ? await shareEmbedded(core, services) : undefined;
      if (sharing) connections.unshift(sharing);
    }
  } catch (error) {
    for (const part of [...parts.reverse(), ...connections]) await part.stop().catch(() => undefined);
    if (stopRedis) await stopRedis();
    throw error;
  }
  if (stopRedis) connections.push({ name: 'redis-server', stop: stopRedis });
  if (role === 'all' && listening) {
    const links = config.http.publicUrl === listening ? '' : `; links in mail use ${config.http.publicUrl} (PUBLIC_URL)`;
    log.info({ url: listening, publicUrl: config.http.publicUrl }, `AInfo is up: ${listening} (API docs at /docs${links}). Ctrl+C stops it.`);
  }
  await stopOnSignals([...parts, ...connections], log, { graceMs: config.tasks.shutdownGraceMs });
}

function buildProgram(): Command {
  const program = new Command('ainfo')
    .description('AInfo: web, task worker and beat for the public-support information service')
    .showHelpAfterError('(run `ainfo --help` for the commands)')
    .exitOverride();
  const logLevel = (): Option => new Option('--loglevel <level>', 'log level').choices(LOG_LEVELS);

  program
    .command('all')
    .description('web + worker + beat in one process (what `npm start` runs); applies migrations first')
    .option('--port <port>', 'HTTP port (default PORT or 8000)', parsePositiveInt)
    .addOption(logLevel())
    .action((options: { port?: number; loglevel?: string }) => runProcess('all', options));

  program
    .command('web')
    .description('the HTTP API, pages and admin')
    .option('--port <port>', 'HTTP port (default PORT or 8000)', parsePositiveInt)
    .option('--host <host>', 'address to bind (default HOST or 0.0.0.0)')
    .addOption(logLevel())
    .action((options: { port?: number; host?: string; loglevel?: string }) => runProcess('web', options));

  program
    .command('worker')
    .description('runs tasks; start as many as you like, on as many machines as you like')
    .option('--queues <names>', `comma-separated queues (default all: ${QUEUE_NAMES.join(',')})`, parseQueues)
    .option('--concurrency <n>', 'tasks run at once per queue (default per queue)', parsePositiveInt)
    .option('--celery-queues <names>', 'also run Celery messages from these queues, comma-separated (default CELERY_QUEUES)', parseCeleryQueues)
    .addOption(logLevel())
    .action((options: { queues?: QueueName[]; concurrency?: number; celeryQueues?: string[]; loglevel?: string }) =>
      runProcess('worker', options),
    );

  program
    .command('beat')
    .description('writes the periodic schedule into Redis (safe to run several)')
    .addOption(logLevel())
    .action((options: { loglevel?: string }) => runProcess('beat', options));

  program
    .command('migrate')
    .description('applies pending database migrations')
    .action(async () => {
      await withDatabase(async (db) => {
        const applied = await migrate(db.sql);
        printJson({ applied, database: db.kind });
      });
    });

  program
    .command('call <task>')
    .description('enqueues a task by name and prints {id, state, …} (Celery: celery call); with --celery, sends it to Celery workers')
    .option('--payload <json>', 'the payload as JSON', parseJsonPayload)
    .option('--celery', '<task> is a Celery task name: send a Celery message (protocol 2) for a Python worker')
    .option('--args <json>', 'with --celery: positional arguments, a JSON array', jsonOption('--args', '[1, "two"]'))
    .option('--kwargs <json>', 'with --celery: keyword arguments, a JSON object', jsonOption('--kwargs', '{"key": "value"}'))
    .option('--countdown <seconds>', 'run no earlier than this many seconds from now', parseSeconds)
    .option('--eta <iso>', 'run no earlier than this moment (ISO 8601)')
    .option('--expires <seconds>', 'revoke instead of running if not started by then', parseSeconds)
    .option('--priority <n>', '1 is the highest (with --celery: kombu priority 1-9, lower runs first; unset is 0, the first)', parsePositiveInt)
    .option('--id <id>', 'task id (the same id enqueued twice runs once)')
    .option('--queue <name>', 'route to another queue')
    .option('--wait', 'wait for the result and print it')
    .option('--timeout <seconds>', 'how long --wait waits (default 30)', parseSeconds, 30)
    .action(
      async (
        name: string,
        options: {
          payload?: unknown;
          celery?: boolean;
          args?: unknown;
          kwargs?: unknown;
          countdown?: number;
          eta?: string;
          expires?: number;
          priority?: number;
          id?: string;
          queue?: string;
          wait?: boolean;
          timeout: number;
        },
      ) => {
        if (options.celery && options.payload !== undefined) fail('--celery takes --args and --kwargs, not --payload', 2);
        if (!options.celery && (options.args !== undefined || options.kwargs !== undefined)) {
          fail('--args and --kwargs are for Celery tasks: add --celery, or give our task --payload', 2);
        }
        if (!options.celery && options.queue !== undefined && !isQueueName(options.queue)) {
          fail(`unknown queue "${options.queue}"; queues are ${QUEUE_NAMES.join(', ')}`, 2);
        }
        const eta = options.eta === undefined ? undefined : Date.parse(options.eta);
        if (eta !== undefined && Number.isNaN(eta)) fail(`--eta "${options.eta ?? ''}" is not an ISO 8601 moment`, 2);
        if (options.celery) {
          await withCore(async (core) => {
            const result = await callCelery(core, name, { ...options, eta, timeoutMs: options.timeout * 1000 });
            printJson({ ...resultJson(result), backend: 'celery' });
            if (options.wait && result.state === 'FAILURE') process.exitCode = 1;
            if (options.wait && !isFinished(result.state)) process.exitCode = 3;
          });
          return;
        }
        await withCore(async (core) => {
          const task = core.registry.require(name);
          const ref = await core.broker.enqueue(task, options.payload ?? {}, {
            countdown: options.countdown,
            eta,
            expires: options.expires,
            priority: options.priority,
            id: options.id,
            queue: options.queue as QueueName | undefined,
          });
          const result = options.wait
            ? await core.results.wait(ref.id, { timeoutMs: options.timeout * 1000 })
            : await core.results.get(ref.id);
          printJson(resultJson(result));
          if (options.wait && result.state === 'FAILURE') process.exitCode = 1;
          if (options.wait && !isFinished(result.state)) process.exitCode = 3;
        });
      },
    );

  program
    .command('result <id>')
    .description('prints the state and result of a task, ours or a Celery one (Celery: celery result)')
    .option('--wait', 'wait until it finishes')
    .option('--timeout <seconds>', 'how long --wait waits (default 30)', parseSeconds, 30)
    .action(async (id: string, options: { wait?: boolean; timeout: number }) => {
      await withCore(async (core) => {
        const { result, backend } = await findResult(core, id, { wait: options.wait, timeoutMs: options.timeout * 1000 });
        printJson(backend === 'celery' ? { ...resultJson(result), backend } : resultJson(result));
      });
    });

  program
    .command('revoke <id>')
    .description('revokes a task that has not started')
    .action(async (id: string) => {
      await withCore(async (core) => {
        const revoked = await core.results.revoke(id, 'revoked from the command line');
        printJson({ id, revoked, state: (await core.results.get(id)).state });
        if (!revoked) process.exitCode = 1;
      });
    });

  program
    .command('inspect <what>')
    .description('registered | scheduled | active | stats (Celery: celery inspect)')
    .option('--json', 'print JSON instead of a table')
    .action(async (what: string, options: { json?: boolean }) => {
      const kinds = ['registered', 'scheduled', 'active', 'stats'];
      if (!kinds.includes(what)) fail(`inspect what? one of: ${kinds.join(', ')}`, 2);
      await withCore(async ({ broker, registry }) => {
        let rows: Record<string, unknown>[];
        let extra: Record<string, unknown> = {};
        if (what === 'registered') {
          rows = registry.list().map((task) => ({
            task: task.name,
            queue: task.queue,
            attempts: task.retry.attempts,
            backoffMs: task.retry.backoffMs,
            celery: task.celery?.name,
          }));
        } else if (what === 'scheduled') {
          rows = (await listScheduled(broker, registry)).map((entry) => ({
            id: entry.id,
            task: entry.task,
            cron: entry.cron,
            tz: entry.tz,
            next: entry.paused ? 'paused' : (entry.nextRunLocal ?? 'not synced (is beat running?)'),
            nextUtc: entry.nextRunAt,
          }));
        } else if (what === 'active') {
          // Every row has the Celery column, so the table shows it whichever row comes first.
          rows = (await activeTasks(broker)).map((task) => ({ ...task, payload: JSON.stringify(task.payload), celeryTask: task.celeryTask }));
        } else {
          rows = (await queueStats(broker)).map((stats) => ({ ...stats }));
          extra = { workers: await workersSeen(broker) };
        }
        if (options.json) {
          printJson(what === 'stats' ? { queues: rows, ...extra } : rows);
          return;
        }
        process.stdout.write(`${tableOfRecords(rows)}\n`);
        if (what === 'stats') {
          const workers = extra.workers as { name: string; queues: string[] }[];
          process.stdout.write(`\nworkers: ${workers.length === 0 ? '(none)' : workers.map((w) => `${w.name} [${w.queues.join(',')}]`).join(', ')}\n`);
        }
      });
    });

  program
    .command('purge <queue>')
    .description('drops the waiting and delayed tasks of a queue (Celery: celery purge -Q)')
    .action(async (queue: string) => {
      if (!isQueueName(queue)) fail(`unknown queue "${queue}"; queues are ${QUEUE_NAMES.join(', ')}`, 2);
      await withCore(async (core) => {
        printJson({ queue, purged: await purgeQueue(core.broker, queue) });
      });
    });

  return program;
}

/** Turns what went wrong into a message a person can act on. */
function explain(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliExit) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: `${error.message}\nFix these variables (see .env.example) and try again.`, exitCode: 2 };
  if (error instanceof RedisUnavailableError) return { message: redisHelp(error.url), exitCode: 1 };
  if (error instanceof TaskPayloadError || error instanceof UnknownTaskError) return { message: error.message, exitCode: 2 };
  if (error instanceof AppError) return { message: error.message, exitCode: 1 };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return { message: `${(error as Error).message}: another program uses that port; pick one with --port or PORT.`, exitCode: 1 };
  if (code === 'ECONNREFUSED') return { message: `${(error as Error).message}: is the service running (DATABASE_URL, CHROMA_URL)?`, exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  const detail = process.env.LOG_LEVEL === 'debug' && error instanceof Error ? `\n${error.stack ?? ''}` : '\n(set LOG_LEVEL=debug for the stack trace)';
  return { message: `${message}${detail}`, exitCode: 1 };
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  for (const register of await discoverCommands()) register(program, kit);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const commanderCode = (error as { code?: unknown }).code;
    if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' ? 0 : 2;
    }
    const { message, exitCode } = explain(error);
    process.stderr.write(`ainfo: ${message}\n`);
    return exitCode;
  }
}

import { loadConfig, type Config } from '../../src/config/config.ts';
import type { DatabaseHandle } from '../../src/db/index.ts';
import type { App } from '../../src/http/app.ts';
import { createLogger } from '../../src/log/logger.ts';
import {
  buildServices,
  buildWebApp,
  openCore,
  workerDeps,
  type Core,
  type ProcessRole,
  type ServiceOptions,
  type Services,
} from '../../src/processes/compose.ts';
import { Deps, OutboxRelay, TaskRegistry, TaskWorker, type AnyTask, type QueueName } from '../../src/tasks/index.ts';
import { startTestChroma, type TestChroma } from './chroma.ts';
import { createPgliteDatabase, createPostgresDatabase, type TestDatabase } from './db.ts';
import { publicApisEnv, startPublicApisServer, type PublicApisPeer } from './public-apis-server.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from './redis.ts';
import { TestSmtpServer } from './smtp-server.ts';

/** What a test file stands on; everything is off unless asked for. */
export interface StackOptions {
  /** Names the Redis prefix and the database, so leftovers say whose they are. */
  label: string;
  /** Its own database: a clone of the migrated PostgreSQL template, or an in-memory PGlite. */
  database?: 'postgres' | 'pglite';
  /** A real SMTP server in this process; SMTP_URL points at it. */
  smtp?: boolean;
  /** A real Chroma server with a temporary directory; CHROMA_URL points at it. */
  chroma?: boolean;
  /** The local peer of the three public APIs, every source pointed at it. */
  publicApis?: boolean;
  /** Environment variables beyond the test defaults (PUBLIC_URL, limits, …). */
  env?: Record<string, string>;
  /** The role the services are composed for (decides whether the embedded Chroma may start). Default 'all'. */
  role?: ProcessRole;
  /** The modules' services on the database (default: whenever there is a database). */
  services?: boolean;
  /** Tuning of the services (notifications' fan-out pages and delivery retries). */
  tuning?: Omit<ServiceOptions, 'ownsDatabase'>;
  /** The HTTP app (`app.inject`); `listen` also serves it on 127.0.0.1 (browser tests). */
  app?: boolean | { listen: true; port?: number };
  /**
   * An in-process worker: on these queues, running `tasks` (default every discovered task) with
   * the services' dependencies (or none, for tasks that use none).
   */
  worker?: { queues: readonly QueueName[]; tasks?: readonly AnyTask[]; concurrency?: number; lockMs?: number };
  /**
   * The outbox relay, as every worker process runs it (default: whenever there are services), ticking
   * every 100 ms so what a test records reaches Redis at once. `false` for tests that drive it themselves.
   */
  relay?: boolean;
}

export interface Stack {
  prefix: string;
  config: Config;
  core: Core;
  /** Present with `database`. */
  database: TestDatabase | undefined;
  smtp: TestSmtpServer | undefined;
  chroma: TestChroma | undefined;
  peer: PublicApisPeer | undefined;
  app: App | undefined;
  /** With `app: { listen }`. */
  baseUrl: string | undefined;
  worker: TaskWorker | undefined;
  /** The outbox relay (see StackOptions.relay). */
  relay: OutboxRelay | undefined;
  /** The database handle; throws for a stack without one. */
  readonly db: DatabaseHandle;
  /** The services; throws for a stack without them. */
  readonly services: Services;
  /** Environment a child process (`ainfo worker`, the CLI) needs to join this stack. */
  childEnv(extra?: Record<string, string>): Record<string, string>;
  /** Stops everything this stack started, in reverse order, and deletes its Redis keys and database. */
  stop(): Promise<void>;
}

/** A config for tests: the machine's Redis, this stack's prefix, quiet logs, plus overrides. */
export function testConfig(prefix: string, env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATA_DIR: `./data/test-${prefix}`,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    ...env,
  });
}

/**
 * The one stack helper of the test suite: each file asks for what it needs, gets it on real
 * services under its own Redis prefix and database, composed by the same code as the processes
 * (src/processes/compose.ts), and stops it all with `stop()`.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const prefix = uniquePrefix(options.label);
  const stops: (() => Promise<void>)[] = [() => deletePrefix(prefix, options.env?.REDIS_URL ?? TEST_REDIS_URL).then(() => undefined)];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step();
  };
  try {
    const [database, smtp, chroma, peer] = await Promise.all([
      options.database === 'postgres'
        ? createPostgresDatabase(options.label)
        : options.database === 'pglite'
          ? createPgliteDatabase()
          : undefined,
      options.smtp ? TestSmtpServer.start() : undefined,
      options.chroma ? startTestChroma() : undefined,
      options.publicApis ? startPublicApisServer() : undefined,
    ]);
    if (database) stops.push(() => database.drop());
    if (smtp) stops.push(() => smtp.close());
    if (chroma) stops.push(() => chroma.stop());
    if (peer) stops.push(() => peer.stop());
    const env: Record<string, string> = {
      ...(smtp ? { SMTP_URL: smtp.url } : {}),
      ...(chroma ? { CHROMA_URL: chroma.url, CHROMA_COLLECTION: `policies-${options.label}` } : {}),
      ...(peer ? publicApisEnv(peer) : {}),
      ...options.env,
    };
    const config = testConfig(prefix, env);
    const log = createLogger(config.log.level, { test: prefix });
    const core = await openCore(config, log, options.role ?? 'all');
    stops.push(() => core.close());
    const services = database && options.services !== false ? buildServices(core, database.handle, { ...options.tuning, ownsDatabase: false }) : undefined;
    if (services) stops.push(() => services.close());
    let relay: OutboxRelay | undefined;
    if (services && options.relay !== false) {
      const started = new OutboxRelay({ outbox: services.outbox, broker: core.broker, registry: core.registry, log, recoveries: services.recoveries, intervalMs: 100 });
      started.start();
      relay = started;
      stops.push(() => started.stop());
    }

    let app: App | undefined;
    let baseUrl: string | undefined;
    if (options.app) {
      if (!services) throw new Error('the app needs the services: give the stack a database');
      const built = await buildWebApp(core, services);
      app = built;
      stops.push(() => built.close());
      if (typeof options.app === 'object') baseUrl = await built.listen({ host: '127.0.0.1', port: options.app.port ?? 0 });
    }

    let worker: TaskWorker | undefined;
    if (options.worker) {
      let registry = core.registry;
      if (options.worker.tasks) {
        registry = new TaskRegistry();
        for (const task of options.worker.tasks) registry.register(task);
      }
      const started = new TaskWorker({
        broker: core.broker,
        registry,
        deps: services ? workerDeps(services) : new Deps(),
        log,
        queues: options.worker.queues,
        ...(options.worker.concurrency ? { concurrency: options.worker.concurrency } : {}),
        lockMs: options.worker.lockMs ?? 5_000,
        ...(services ? { outbox: services.outbox } : {}),
      });
      await started.start();
      worker = started;
      stops.push(() => started.close(5_000));
    }

    return {
      prefix,
      config,
      core,
      database,
      smtp,
      chroma,
      peer,
      app,
      baseUrl,
      worker,
      relay,
      get db(): DatabaseHandle {
        if (!database) throw new Error('this stack has no database: ask for one with `database`');
        return database.handle;
      },
      get services(): Services {
        if (!services) throw new Error('this stack has no services: give it a database');
        return services;
      },
      childEnv(extra = {}) {
        return {
          REDIS_URL: config.redis.url,
          QUEUE_PREFIX: prefix,
          DATA_DIR: config.dataDir,
          JWT_SECRET: config.auth.jwtSecret ?? '',
          ...(database?.url ? { DATABASE_URL: database.url } : {}),
          ...env,
          ...extra,
        };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

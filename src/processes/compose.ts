import { migrate, openDatabase, type DatabaseHandle } from '../db/index.ts';
import type { App } from '../http/app.ts';
import { createMailer, MailboxRepository, type Mailer } from '../mail/index.ts';
import { ACCOUNTS, createAccounts, type AccountsService } from '../modules/accounts/index.ts';
import { ADMIN, createAdmin, type Admin } from '../modules/admin/index.ts';
import { createDataload, DATALOAD, type DataloadService } from '../modules/dataload/index.ts';
import { createNotifications, NOTIFICATIONS, type NotificationsModuleDeps, type NotificationsService } from '../modules/notifications/index.ts';
import { createPolicies, POLICIES, type Policies } from '../modules/policies/index.ts';
import { Deps, OutboxProducer, TaskOutbox, type RedisLossRecovery } from '../tasks/index.ts';
import type { Core } from './core.ts';
import { discoverRoutes } from './discover.ts';

export { openCore, type Core, type ProcessRole } from './core.ts';

/**
 * Opens the configured database (PGlite only for `all` and the CLI), applying pending migrations
 * when asked (`ainfo all` and the CLI commands that write do).
 */
export async function openDatabaseFor(core: Core, options: { migrate: boolean }): Promise<DatabaseHandle> {
  const db = await openDatabase(core.config, { allowEmbedded: core.role === 'all' || core.role === 'cli' });
  if (options.migrate) {
    const applied = await migrate(db.sql).catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    if (applied.length > 0) core.log.info({ applied }, 'database migrated');
  }
  return db;
}

/** Every module, built once for a process from its core and database; `close()` ends what they opened. */
export interface Services {
  db: DatabaseHandle;
  mailer: Mailer;
  accounts: AccountsService;
  notifications: NotificationsService;
  dataload: DataloadService;
  policies: Policies;
  admin: Admin;
  /** The task outbox: what `enqueue(…, { tx })` records, relayed by the workers. */
  outbox: TaskOutbox;
  /** Per module, what it re-enqueues when Redis came back without its tasks (run by the relay). */
  recoveries: Record<string, RedisLossRecovery>;
  /** /readyz checks beyond Redis: the database, and Chroma when CHROMA_URL is set. */
  readiness: Record<string, () => Promise<unknown>>;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Close the database with the services (the process opened it for them). Default true. */
  ownsDatabase?: boolean;
  /** Fan-out and delivery settings of notifications other than the defaults (tests). */
  notifications?: NotificationsModuleDeps['tuning'];
}

/**
 * The one wiring of the modules: each module's factory gets exactly its dependencies, and other
 * modules only through their public API. Roles (web, worker, all, the CLI) and the test stack all
 * build their services here, so nothing is wired twice.
 */
export function buildServices(core: Core, db: DatabaseHandle, options: ServiceOptions = {}): Services {
  const { config, log, broker } = core;
  const redis = broker.connection;
  const mailer = createMailer(config, db, log);
  const outbox = new TaskOutbox(db);
  // With `{ tx }` an enqueue is an outbox row in the caller's transaction; without, the broker's.
  const producer = new OutboxProducer(broker, outbox);
  const accounts = createAccounts({ db, redis, producer, mailer, config, log });
  const notifications = createNotifications({
    db,
    producer,
    mailer,
    accounts,
    config,
    log,
    ...(options.notifications ? { tuning: options.notifications } : {}),
  });
  const policies = createPolicies({ config, role: core.role, log });
  const dataload = createDataload({ db, redis, producer, catalogue: policies.index, config, log });
  const readiness: Record<string, () => Promise<unknown>> = { database: () => db.ping() };
  if (policies.readiness) readiness.chroma = policies.readiness;
  const admin = createAdmin({
    db,
    redis,
    config,
    log,
    accounts,
    notifications,
    dataload,
    tasks: { broker, registry: core.registry, results: core.results },
    mailbox: { repository: new MailboxRepository(db), kind: mailer.kind },
    readiness,
    outbox,
  });
  const closers: (() => Promise<void>)[] = [() => mailer.close(), () => dataload.close(), () => policies.close()];
  if (options.ownsDatabase !== false) closers.push(() => db.close());
  return {
    db,
    mailer,
    accounts,
    notifications,
    dataload,
    policies,
    admin,
    outbox,
    recoveries: { notifications: () => notifications.requeuePendingDeliveries() },
    readiness,
    async close() {
      for (const close of closers) {
        await close().catch((error: unknown) => {
          log.warn({ err: error }, 'error while closing');
        });
      }
    },
  };
}

/** What the task handlers declared with `uses`, as the worker provides it. */
export function workerDeps(services: Services): Deps {
  return new Deps()
    .provide(ACCOUNTS, services.accounts)
    .provide(NOTIFICATIONS, services.notifications)
    .provide(DATALOAD, services.dataload);
}

/** What the routes declared with `uses`, as the web process provides it. */
export function webDeps(services: Services): Deps {
  return new Deps()
    .provide(ACCOUNTS, services.accounts)
    .provide(NOTIFICATIONS, services.notifications)
    .provide(POLICIES, services.policies.search)
    .provide(ADMIN, services.admin);
}

/** The HTTP app of a web process: every module's routes on its services. */
export async function buildWebApp(core: Core, services: Services): Promise<App> {
  // Loaded here, not at the top: a worker never pays for Fastify and its plugins.
  const { buildApp } = await import('../http/app.ts');
  return buildApp({
    config: core.config,
    log: core.log,
    broker: core.broker,
    authenticator: (token) => services.accounts.authenticate(token),
    sessionReader: (sessionId) => services.accounts.viewerOfSession(sessionId),
    cookieSecret: await services.accounts.deriveKey('cookie-signing'),
    readiness: services.readiness,
    outbox: services.outbox,
    routes: await discoverRoutes(),
    provided: webDeps(services),
  });
}

import type { Config } from './config/config.ts';
import { migrate, openDatabase, type DatabaseHandle } from './db/index.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { createMailer } from './mail/index.ts';
import type { Mailer } from './mail/mailer.ts';
import { createAccountsService } from './modules/accounts/accounts.context.ts';
import type { AccountsService } from './modules/accounts/accounts.service.ts';
import { createNotificationsService } from './modules/notifications/notifications.context.ts';
import { createPublicDataServices } from './modules/dataload/dataload.context.ts';
import type { DataloadService } from './modules/dataload/dataload.service.ts';
import type { PolicySearchService } from './modules/policies/policies.service.ts';
import type { NotificationsService } from './modules/notifications/notifications.service.ts';
import { Broker, setDefaultBroker } from './tasks/broker.ts';
import { discoverTasks, type TaskRegistry } from './tasks/registry.ts';
import { ResultStore } from './tasks/results.ts';

/** Which process a context is built for; decides what it opens. */
export type ProcessRole = 'web' | 'worker' | 'beat' | 'all' | 'cli';

/**
 * The composition root: Config → clients → repositories → services. Everything a route or a
 * task handler needs comes from here; nothing else reads the environment or opens connections.
 */
export interface AppContext {
  config: Config;
  role: ProcessRole;
  log: Logger;
  broker: Broker;
  results: ResultStore;
  registry: TaskRegistry;
  /** The database; reading it in a context opened without one (beat) throws. */
  database: DatabaseHandle;
  /** SMTP (SMTP_URL) or the dev mailbox in the database. */
  mailer: Mailer;
  /** Signup, verification, login, password reset, and `authenticate` for the auth hooks. */
  accounts: AccountsService;
  /** Notices to consenting users: broadcast, deliveries, resume, unsubscribe. */
  notifications: NotificationsService;
  /** The weekly public-data load (정부24, 온통청년, 고용24 → Chroma); connects on first use. */
  dataload: DataloadService;
  /** Policy search over what the load collected; connects on first use. */
  policies: PolicySearchService;
  /** Extra readiness checks for /readyz (the database, …); each rejects when its service is down. */
  readiness: Record<string, () => Promise<unknown>>;
  /** Closes every client this context opened, in reverse order. */
  close(): Promise<void>;
}

declare module './tasks/define-task.ts' {
  // Task handlers receive the app context as `ctx.app`.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface TaskDependencies extends AppContext {}
}

export interface ContextOptions {
  role: ProcessRole;
  /** Defaults to a pino logger at the configured level. */
  log?: Logger;
  /**
   * The database to use: an already open handle (tests), `false` for none (beat), or by default
   * opened from the config (PGlite only for `all` and `cli`).
   */
  database?: DatabaseHandle | false;
  /** Apply pending migrations at start (`ainfo all` does). */
  migrate?: boolean;
}

export async function createContext(config: Config, options: ContextOptions): Promise<AppContext> {
  const log = options.log ?? createLogger(config.log.level, { role: options.role });
  const closers: (() => Promise<void>)[] = [];
  const broker = new Broker({
    redisUrl: config.redis.url,
    prefix: config.tasks.prefix,
    resultTtlSeconds: config.tasks.resultTtlSeconds,
    resultMaxCount: config.tasks.resultMaxCount,
  });
  setDefaultBroker(broker);
  closers.push(async () => {
    setDefaultBroker(undefined);
    await broker.close();
  });
  const registry = await discoverTasks({ extraModules: config.tasks.extraModules });

  let database: DatabaseHandle | undefined;
  if (options.database !== false) {
    if (options.database) {
      database = options.database;
    } else {
      database = await openDatabase(config, { allowEmbedded: options.role === 'all' || options.role === 'cli' });
      const opened = database;
      closers.push(() => opened.close());
    }
    if (options.migrate) {
      const applied = await migrate(database.sql);
      if (applied.length > 0) log.info({ applied }, 'database migrated');
    }
  }
  const getDatabase = (): DatabaseHandle => {
    if (!database) throw new Error(`the ${options.role} process was started without a database`);
    return database;
  };
  const mailer = createMailer(config, database ? getDatabase : undefined, log);
  closers.push(() => mailer.close());
  const accounts = createAccountsService({ config, database: getDatabase, broker, mailer, log });
  const notifications = createNotificationsService({ config, database: getDatabase, broker, mailer, log });
  const publicData = createPublicDataServices({ config, role: options.role, database: getDatabase, broker, log });
  closers.push(() => publicData.close());
  const readiness: Record<string, () => Promise<unknown>> = {};
  if (database) {
    const db = database;
    readiness.database = () => db.ping();
  }
  if (publicData.readiness) readiness.chroma = publicData.readiness;

  return {
    config,
    role: options.role,
    log,
    broker,
    results: new ResultStore(broker),
    registry,
    get database(): DatabaseHandle {
      if (!database) throw new Error(`the ${options.role} process was started without a database`);
      return database;
    },
    mailer,
    accounts,
    notifications,
    dataload: publicData.dataload,
    policies: publicData.policies,
    readiness,
    async close() {
      for (const close of closers.reverse()) {
        await close().catch((error: unknown) => {
          log.warn({ err: error }, 'error while closing');
        });
      }
    },
  };
}

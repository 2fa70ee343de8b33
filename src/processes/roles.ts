import { listScheduled, syncSchedules } from '../tasks/beat.ts';
import { OutboxRelay, TaskWorker, type QueueName, type RateLimit } from '../tasks/index.ts';
import { startCeleryWorker } from './celery.ts';
import type { Services } from './compose.ts';
import type { Core } from './core.ts';
import type { Stoppable } from './lifecycle.ts';

// The composition (every module) is imported by the roles that use it, so beat, which needs only
// the core, starts without loading it.

/** How often a running beat re-asserts the declared schedule (an operator may have removed one). */
const BEAT_RESYNC_MS = 60_000;

/** Where a person on this machine opens the app: `localhost` for a wildcard or loopback bind. */
function openableAddress(address: string, host: string): string {
  const url = new URL(address);
  if (['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost'].includes(host)) url.hostname = 'localhost';
  return url.origin;
}

/** The web role: the HTTP app on the services, listening; `address` is where it really listens. */
export async function startWeb(core: Core, services: Services, options: { port: number; host: string }): Promise<Stoppable & { address: string }> {
  const { buildWebApp } = await import('./compose.ts');
  const app = await buildWebApp(core, services);
  const address = openableAddress(await app.listen({ port: options.port, host: options.host }), options.host);
  core.log.info({ address, docs: `${address}/docs` }, 'web listening');
  const { metrics } = core.config;
  const { startMetricsListener } = await import('../http/metrics-access.ts');
  const metricsListener =
    metrics.enabled && !metrics.token ? await startMetricsListener({ broker: core.broker, outbox: services.outbox, host: metrics.host, port: metrics.port, log: core.log }) : undefined;
  if (metricsListener) core.log.info({ address: `${metricsListener.address}/metrics` }, 'metrics listening');
  return {
    name: 'web',
    address,
    stop: async () => {
      await app.close();
      await metricsListener?.close();
    },
  };
}

/**
 * The worker role: one BullMQ worker per queue, the task handlers getting their modules' services,
 * and the outbox relay.
 */
export async function startWorker(
  core: Core,
  services: Services,
  options: { queues: readonly QueueName[]; concurrency?: number; celeryQueues?: readonly string[] },
): Promise<Stoppable> {
  const { config, log, registry } = core;
  const { workerDeps } = await import('./compose.ts');
  const limits: Partial<Record<QueueName, RateLimit>> = {};
  // The mail rate limit lives in Redis, so it holds across every worker on every machine.
  if (config.mail.ratePerSecond > 0) limits.mail = { max: config.mail.ratePerSecond, durationMs: 1_000 };
  const worker = new TaskWorker({
    broker: core.broker,
    registry,
    deps: workerDeps(services),
    log,
    queues: options.queues,
    concurrency: options.concurrency ?? config.tasks.concurrency,
    lockMs: config.tasks.lockMs,
    limits,
    outbox: services.outbox,
  });
  await worker.start();
  // Every worker relays the outbox: any number may, and the work goes on while one is down.
  const relay = new OutboxRelay({ outbox: services.outbox, broker: core.broker, registry, log, recoveries: services.recoveries });
  relay.start();
  // Celery messages (--celery-queues, CELERY_QUEUES) run beside the BullMQ jobs, on the same runner.
  const celery = options.celeryQueues?.length
    ? await startCeleryWorker(core, worker, { ...options, queues: options.celeryQueues }).catch(async (error: unknown) => {
        await worker.close(0);
        throw error;
      })
    : undefined;
  log.info({ tasks: registry.names() }, 'tasks registered');
  // Running tasks get the grace less a second for closing the connections after them: the whole
  // shutdown is bounded by SHUTDOWN_GRACE_MS (lifecycle.ts).
  const grace = config.tasks.shutdownGraceMs;
  const taskGrace = Math.max(0, grace - Math.min(1_000, Math.floor(grace / 2)));
  return {
    name: 'worker',
    stop: async () => {
      await Promise.all([relay.stop(), worker.close(taskGrace), celery?.close(taskGrace)]);
    },
  };
}

/** The beat role: the broker and the registry's schedules, nothing else (no database). */
export async function startBeat(core: Core): Promise<Stoppable> {
  const { broker, registry, log } = core;
  let lastSchedule = '';
  const sync = async (): Promise<void> => {
    const report = await syncSchedules(broker, registry);
    const entries = await listScheduled(broker, registry);
    // Re-asserted every minute: said at start and when something changed (an entry removed,
    // paused, resumed or re-timed by an operator), otherwise only at debug.
    const schedule = JSON.stringify([report.removed, entries.map((entry) => [entry.id, entry.cron, entry.tz, entry.paused])]);
    const changed = schedule !== lastSchedule;
    lastSchedule = schedule;
    log[changed ? 'info' : 'debug'](
      {
        ...report,
        next: Object.fromEntries(entries.map((entry) => [entry.id, entry.paused ? 'paused' : entry.nextRunLocal])),
      },
      'periodic schedule synced',
    );
  };
  await sync();
  const timer = setInterval(() => {
    sync().catch((error: unknown) => {
      log.error({ err: error }, 'beat sync failed; retrying at the next interval');
    });
  }, BEAT_RESYNC_MS);
  return {
    name: 'beat',
    stop: () => {
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}

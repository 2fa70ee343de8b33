import type { AppContext } from '../context.ts';
import { buildApp } from '../http/app.ts';
import { listScheduled, syncSchedules } from '../tasks/beat.ts';
import type { QueueName } from '../tasks/queues.ts';
import { TaskWorker, type RateLimit } from '../tasks/worker.ts';
import type { Stoppable } from './lifecycle.ts';

/** How often a running beat re-asserts the declared schedule (an operator may have removed one). */
const BEAT_RESYNC_MS = 60_000;

export async function startWeb(ctx: AppContext, options: { port: number; host: string }): Promise<Stoppable> {
  const app = await buildApp(ctx);
  const address = await app.listen({ port: options.port, host: options.host });
  ctx.log.info({ address, docs: `${address}/docs` }, 'web listening');
  return { name: 'web', stop: () => app.close() };
}

export async function startWorker(
  ctx: AppContext,
  options: { queues: readonly QueueName[]; concurrency?: number },
): Promise<Stoppable> {
  const limits: Partial<Record<QueueName, RateLimit>> = {};
  // The mail rate limit lives in Redis, so it holds across every worker on every machine.
  if (ctx.config.mail.ratePerSecond > 0) limits.mail = { max: ctx.config.mail.ratePerSecond, durationMs: 1_000 };
  const worker = new TaskWorker({
    broker: ctx.broker,
    registry: ctx.registry,
    deps: ctx,
    log: ctx.log,
    queues: options.queues,
    concurrency: options.concurrency ?? ctx.config.tasks.concurrency,
    lockMs: ctx.config.tasks.lockMs,
    limits,
  });
  await worker.start();
  ctx.log.info({ tasks: ctx.registry.names() }, 'tasks registered');
  return { name: 'worker', stop: () => worker.close(ctx.config.tasks.shutdownGraceMs) };
}

export async function startBeat(ctx: AppContext): Promise<Stoppable> {
  const sync = async (): Promise<void> => {
    const report = await syncSchedules(ctx.broker, ctx.registry);
    const entries = await listScheduled(ctx.broker, ctx.registry);
    ctx.log.info(
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
      ctx.log.error({ err: error }, 'beat sync failed; retrying at the next interval');
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

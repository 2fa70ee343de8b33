import { CeleryTaskWorker, type TaskWorker } from '../tasks/index.ts';
import type { Core } from './core.ts';

/** Celery messages run at once when neither `--concurrency` nor WORKER_CONCURRENCY says otherwise (as the default and mail queues). */
const CELERY_DEFAULT_CONCURRENCY = 8;

/**
 * The worker role's Celery side (`--celery-queues`, CELERY_QUEUES): a CeleryTaskWorker on the
 * Celery Redis, running the tasks with a Celery mapping through the BullMQ worker's own runner.
 */
export async function startCeleryWorker(
  core: Core,
  worker: TaskWorker,
  options: { queues: readonly string[]; concurrency?: number },
): Promise<CeleryTaskWorker> {
  const { config, log, registry, broker } = core;
  const celery = new CeleryTaskWorker({
    registry,
    runner: worker.runner,
    log,
    queues: options.queues,
    concurrency: options.concurrency ?? config.tasks.concurrency ?? CELERY_DEFAULT_CONCURRENCY,
    brokerUrl: config.celery.brokerUrl,
    resultUrl: config.celery.resultUrl,
    visibilityTimeoutSeconds: config.celery.visibilityTimeoutSeconds,
    resultExpiresSeconds: config.celery.resultExpiresSeconds,
    activity: { redis: broker.connection, prefix: config.tasks.prefix },
  });
  await celery.start();
  return celery;
}

import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import { Broker, CeleryProducer, ResultStore, type TaskRegistry } from '../tasks/index.ts';
import { discoverTasks } from './discover.ts';

/** Which process is being composed; decides what it may open (the embedded PGlite and Chroma). */
export type ProcessRole = 'web' | 'worker' | 'beat' | 'all' | 'cli';

/**
 * What every process that talks to the task layer has: the broker (the TaskProducer), the
 * registry of discovered tasks and schedules, the result store. No database: beat runs on this alone.
 */
export interface Core {
  config: Config;
  log: Logger;
  role: ProcessRole;
  broker: Broker;
  registry: TaskRegistry;
  results: ResultStore;
  /** Sends tasks to Python Celery workers and reads Celery results (connects on first use). */
  celery: CeleryProducer;
  close(): Promise<void>;
}

export async function openCore(config: Config, log: Logger, role: ProcessRole): Promise<Core> {
  const registry = await discoverTasks(config.tasks.extraModules);
  const broker = new Broker({
    redisUrl: config.redis.url,
    cluster: config.redis.cluster,
    prefix: config.tasks.prefix,
    resultTtlSeconds: config.tasks.resultTtlSeconds,
    resultMaxCount: config.tasks.resultMaxCount,
  });
  // Its connection refuses commands until ready (producers fail fast): wait for it once, here.
  await broker.waitUntilReady().catch(async (error: unknown) => {
    await broker.close();
    throw error;
  });
  const celery = new CeleryProducer({ brokerUrl: config.celery.brokerUrl, resultUrl: config.celery.resultUrl });
  const close = async (): Promise<void> => {
    await celery.close();
    await broker.close();
  };
  return { config, log, role, broker, registry, results: new ResultStore(broker), celery, close };
}

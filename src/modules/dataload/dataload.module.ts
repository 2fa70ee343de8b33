import type { Cluster, Redis } from 'ioredis';
import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { TaskProducer } from '../../tasks/index.ts';
import { RedisLocks } from './dataload.lock.ts';
import { DocumentHashRepository, RunRepository } from './dataload.repository.ts';
import { DataloadService, type PolicyCatalogue, type SamplePeer } from './dataload.service.ts';
import { startPublicApisPeer, type PublicApisPeer } from './sample-server.ts';

/** What the dataload module is built from. */
export interface DataloadModuleDeps {
  db: DatabaseHandle;
  /** One-run-per-source locks. */
  redis: Redis | Cluster;
  producer: TaskProducer;
  /** Where documents go: the policies module's index. */
  catalogue: PolicyCatalogue;
  config: Config;
  log: Logger;
}

/**
 * The dataload module's factory: its service. Nothing is opened here; the sample peer starts on
 * the first sample-mode run and stops with `service.close()`.
 */
export function createDataload(deps: DataloadModuleDeps): DataloadService {
  const { config } = deps;
  const log = deps.log.child({ module: 'dataload' });
  let peer: Promise<PublicApisPeer> | undefined;
  const samplePeer: SamplePeer = {
    async endpoints() {
      peer ??= startPublicApisPeer().then((started) => {
        log.info({ url: started.url }, 'sample peer of the public APIs started (sample mode)');
        return started;
      });
      const started = await peer;
      return { baseUrls: started.baseUrls, apiKey: started.apiKey };
    },
    async stop() {
      const started = peer;
      peer = undefined;
      if (started) await (await started).stop();
    },
  };
  return new DataloadService({
    settings: {
      requestsPerSecond: config.publicApis.requestsPerSecond,
      timeoutMs: config.publicApis.timeoutMs,
      retries: config.publicApis.retries,
      backoffMs: config.publicApis.retryBackoffMs,
      sources: {
        gov24: { ...config.publicApis.gov24, pageSize: config.publicApis.pageSize },
        youth: { ...config.publicApis.youth, pageSize: config.publicApis.pageSize },
        work24: { ...config.publicApis.work24, pageSize: config.publicApis.pageSize },
      },
    },
    log,
    catalogue: deps.catalogue,
    runs: new RunRepository(deps.db.db),
    hashes: new DocumentHashRepository(deps.db.db),
    locks: new RedisLocks(deps.redis, config.tasks.prefix),
    samplePeer,
    producer: deps.producer,
  });
}

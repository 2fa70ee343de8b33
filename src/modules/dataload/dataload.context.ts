import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Broker } from '../../tasks/broker.ts';
import { createEmbedder, VectorStore, type Embedder } from '../../vector/index.ts';
import { PolicySearchService } from '../policies/policies.service.ts';
import { RedisLocks } from './dataload.lock.ts';
import { DocumentHashRepository, RunRepository } from './dataload.repository.ts';
import { DataloadService } from './dataload.service.ts';
import { startPublicApisPeer, type PublicApisPeer } from './sample-server.ts';

export interface PublicDataServices {
  dataload: DataloadService;
  policies: PolicySearchService;
  vector: VectorStore;
  embedder: Embedder;
  /**
   * A /readyz check when CHROMA_URL is set. Without it there is none: the embedded server starts
   * on first use, and a readiness probe must not be what starts it.
   */
  readiness: (() => Promise<void>) | undefined;
  /** Stops the sample peer and the embedded Chroma server if they were started. */
  close(): Promise<void>;
}

/**
 * Wires the public-data services for the composition root. Nothing is opened here: Chroma (or the
 * embedded Chroma server) is reached on first use, and the sample peer starts on the first
 * sample-mode run, so building a context stays fast.
 */
export function createPublicDataServices(options: {
  config: Config;
  role: string;
  database: () => DatabaseHandle;
  broker: Broker;
  log: Logger;
}): PublicDataServices {
  const { config, log } = options;
  const embedder = createEmbedder(config);
  const vector = new VectorStore({
    url: config.vector.chromaUrl,
    embeddedDir: config.vector.chromaDir,
    allowEmbedded: options.role === 'all' || options.role === 'cli',
    role: options.role,
    collection: config.vector.collection,
    log,
  });
  let peer: Promise<PublicApisPeer> | undefined;
  const samplePeer = (): Promise<PublicApisPeer> => {
    peer ??= startPublicApisPeer().then((started) => {
      log.info({ url: started.url }, 'sample peer of the public APIs started (sample mode)');
      return started;
    });
    return peer;
  };
  const dataload = new DataloadService({
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
    log: log.child({ module: 'dataload' }),
    vector,
    embedder,
    runs: new RunRepository(() => options.database().db),
    hashes: new DocumentHashRepository(() => options.database().db),
    locks: new RedisLocks(() => options.broker.connection, config.tasks.prefix),
    sampleEndpoints: async () => {
      const started = await samplePeer();
      return { baseUrls: started.baseUrls, apiKey: started.apiKey };
    },
  });
  return {
    dataload,
    policies: new PolicySearchService({ vector, embedder }),
    vector,
    embedder,
    readiness: config.vector.chromaUrl ? () => vector.ping() : undefined,
    async close() {
      const started = peer;
      peer = undefined;
      if (started) await (await started).stop();
      await vector.close();
    },
  };
}

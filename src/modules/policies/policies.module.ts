import type { Config } from '../../config/config.ts';
import type { Logger } from '../../log/logger.ts';
import { createEmbedder, VectorStore } from '../../vector/index.ts';
import { PolicyIndex } from './policies.index.ts';
import { PolicySearchService, type SearchTuning } from './policies.service.ts';

/** The policy catalogue: one Chroma collection, read by search and written through the index. */
export interface Policies {
  search: PolicySearchService;
  /** The catalogue's write side, given to dataload (its PolicyCatalogue). */
  index: PolicyIndex;
  /**
   * A /readyz check when CHROMA_URL is set. Without it there is none: the embedded server starts
   * on first use, and a readiness probe must not be what starts it.
   */
  readiness: (() => Promise<void>) | undefined;
  /** Chroma's URL, for other processes; starts the embedded server when this process owns it. */
  serverUrl(): Promise<string>;
  /** Stops the embedded Chroma server if this process started it. */
  close(): Promise<void>;
}

/**
 * The policies module's factory. Nothing is opened here: Chroma (or the embedded Chroma server,
 * which only `all` and the CLI may start) is reached on first use.
 */
export function createPolicies(deps: { config: Config; role: string; log: Logger; search?: SearchTuning }): Policies {
  const { config } = deps;
  const log = deps.log.child({ module: 'policies' });
  const embedder = createEmbedder(config);
  const vector = new VectorStore({
    url: config.vector.chromaUrl,
    embeddedDir: config.vector.chromaDir,
    allowEmbedded: deps.role === 'all' || deps.role === 'cli',
    role: deps.role,
    collection: config.vector.collection,
    log,
  });
  return {
    search: new PolicySearchService({ vector, embedder, log, ...(deps.search ? { tuning: deps.search } : {}) }),
    index: new PolicyIndex({ vector, embedder, log }),
    readiness: config.vector.chromaUrl ? () => vector.ping() : undefined,
    serverUrl: () => vector.serverUrl(),
    close: () => vector.close(),
  };
}

import type { Logger } from 'pino';
import type { Embedder, VectorRecord, VectorStore } from '../../vector/index.ts';
import type { HeldLock, RedisLocks } from './dataload.lock.ts';
import type { DocumentHashRepository, RunCounts, RunRepository } from './dataload.repository.ts';
import type { DataloadRunRow, RunMode } from './dataload.tables.ts';
import { SOURCE_INFO, SOURCE_NAMES, type LoadProgress, type PolicyDocument, type SourceName } from './dataload.types.ts';
import { categoryKeyOf, contentHash, documentText } from './normalise.ts';
import { PublicApiClient, PublicApiError } from './public-api-client.ts';
import { searchMetadataOf } from './search-metadata.ts';
import { gov24Source } from './sources/gov24.ts';
import type { Source, SourceEndpoint } from './sources/source.ts';
import { work24Source } from './sources/work24.ts';
import { youthSource } from './sources/youth.ts';

const SOURCES: Readonly<Record<SourceName, Source>> = { gov24: gov24Source, youth: youthSource, work24: work24Source };

/** Where the built-in peer of the three APIs listens (sample mode). */
export interface SampleEndpoints {
  baseUrls: Readonly<Record<SourceName, string>>;
  apiKey: string;
}

export interface DataloadSettings {
  requestsPerSecond: number;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  sources: Readonly<Record<SourceName, { apiKey: string | undefined; baseUrl: string; pageSize?: number }>>;
}

export interface DataloadDeps {
  settings: DataloadSettings;
  log: Logger;
  vector: VectorStore;
  embedder: Embedder;
  runs: RunRepository;
  hashes: DocumentHashRepository;
  locks: RedisLocks;
  /** Starts (once) the local peer used when a source has no API key. */
  sampleEndpoints: () => Promise<SampleEndpoints>;
}

export interface RunOptions {
  /** Use the built-in sample peer even when an API key is set. */
  sample?: boolean;
  taskId?: string;
  onProgress?: (progress: LoadProgress) => unknown;
}

export interface RunSummary extends RunCounts {
  runId: number;
  source: SourceName;
  mode: RunMode;
  state: 'SUCCESS' | 'FAILED';
  /** Documents embedded by this run (new and changed ones). */
  embedded: number;
  durationMs: number;
  error?: string;
}

/** A second run of a source while one holds its lock: refused. */
export class LoadInProgressError extends Error {
  constructor(
    readonly source: SourceName,
    readonly holder: string | undefined,
  ) {
    super(`[${source}] ${SOURCE_INFO[source].label} 수집이 이미 실행 중입니다${holder ? ` (${holder})` : ''}; 이번 실행은 건너뜁니다`);
    this.name = 'LoadInProgressError';
  }
}

/** A run that failed; the run record says FAILED and nothing was deleted. */
export class LoadRunError extends Error {
  constructor(
    message: string,
    readonly summary: RunSummary,
    /** Retrying the run cannot help (bad key, a request the API rejects). */
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LoadRunError';
  }
}

const SUMMARY_LENGTH = 300;
/** Documents compared and written per Chroma round trip. */
const WRITE_CHUNK = 1_000;
const REEMBED_LOCK = 'reembed';

function metadataOf(doc: PolicyDocument, hash: string, embedderId: string): VectorRecord['metadata'] {
  return {
    source: doc.source,
    nativeId: doc.nativeId,
    title: doc.title,
    summary: doc.summary.length > SUMMARY_LENGTH ? `${doc.summary.slice(0, SUMMARY_LENGTH)}…` : doc.summary,
    region: doc.region,
    regionKey: doc.regionKey,
    category: doc.category,
    categoryKey: categoryKeyOf(doc.category),
    url: doc.url,
    period: doc.period,
    updatedAt: doc.updatedAt,
    ...searchMetadataOf(doc),
    contentHash: hash,
    embedder: embedderId,
  };
}

/**
 * The weekly collection: fetch every page of a source, embed only new or changed documents,
 * upsert them, and only after a complete listing delete what the source no longer lists.
 */
export class DataloadService {
  constructor(private readonly deps: DataloadDeps) {}

  /** Whether a source would run in sample mode (no API key). */
  isSample(source: SourceName, forceSample = false): boolean {
    return forceSample || !this.deps.settings.sources[source].apiKey;
  }

  /** Sources that never completed a run: what a first start should load. */
  async sourcesNeverLoaded(): Promise<SourceName[]> {
    const loaded = new Set(await this.deps.runs.loadedSources());
    return SOURCE_NAMES.filter((source) => !loaded.has(source));
  }

  recentRuns(limit = 20, source?: SourceName): Promise<DataloadRunRow[]> {
    return this.deps.runs.recent(limit, source);
  }

  private async endpoint(source: SourceName, sample: boolean): Promise<SourceEndpoint> {
    const configured = this.deps.settings.sources[source];
    if (!sample && configured.apiKey) {
      return { baseUrl: configured.baseUrl, apiKey: configured.apiKey, ...(configured.pageSize ? { pageSize: configured.pageSize } : {}) };
    }
    const peer = await this.deps.sampleEndpoints();
    return { baseUrl: peer.baseUrls[source], apiKey: peer.apiKey, ...(configured.pageSize ? { pageSize: configured.pageSize } : {}) };
  }

  /**
   * Makes sure the collection holds vectors of the configured embedder only; when another
   * embedder built it, every stored document is re-embedded (from its stored text) first.
   */
  async ensureEmbedder(onProgress?: (done: number, total: number) => void): Promise<number> {
    const { vector, embedder, log } = this.deps;
    const stamp = await vector.embedderStamp();
    if (stamp?.id === embedder.id) return 0;
    const count = await vector.count();
    if (!stamp && count === 0) {
      if (embedder.dimension !== undefined) await vector.stampEmbedder({ id: embedder.id, dimension: embedder.dimension });
      return 0;
    }
    const lock = await this.acquireWithWait(REEMBED_LOCK, 'embedder change');
    try {
      const again = await vector.embedderStamp();
      if (again?.id === embedder.id) return 0;
      log.warn({ from: again?.id ?? '(unrecorded)', to: embedder.id, documents: count }, 're-embedding the collection for a new embedder');
      return await vector.rebuild(
        (stored) => embedder.embed(stored.map((json) => documentText(JSON.parse(json) as PolicyDocument))),
        () => ({ id: embedder.id, dimension: embedder.dimension }),
        onProgress,
      );
    } finally {
      await lock.release();
    }
  }

  private async acquireWithWait(name: string, description: string): Promise<HeldLock> {
    for (;;) {
      const lock = await this.deps.locks.acquire(name, description);
      if (lock) return lock;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /**
   * Runs one load of `source`. Resolves with the summary of a successful run; throws
   * LoadInProgressError when the source is already loading, and LoadRunError (after recording
   * the run as FAILED, with nothing deleted) when it fails.
   */
  async run(source: SourceName, options: RunOptions = {}): Promise<RunSummary> {
    const { locks, log, runs } = this.deps;
    const { label, keyVariable } = SOURCE_INFO[source];
    const sample = this.isSample(source, options.sample);
    const lock = await locks.acquire(source, `${options.taskId ? `task ${options.taskId}` : 'manual run'}, pid ${process.pid}`);
    if (!lock) throw new LoadInProgressError(source, await locks.holder(source));
    try {
      const abandoned = await runs.failAbandoned(source);
      if (abandoned > 0) log.warn({ source, abandoned }, 'marked interrupted load runs as failed');
      if (sample) {
        log.warn(
          { source, mode: 'sample' },
          `${label}: ${options.sample ? '--sample' : `${keyVariable}가 설정되지 않아`} 내장 샘플 데이터로 수집합니다 (sample mode: not the real API)`,
        );
      }
      return await this.runLocked(source, sample ? 'sample' : 'live', lock, options);
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  private async runLocked(source: SourceName, mode: RunMode, lock: HeldLock, options: RunOptions): Promise<RunSummary> {
    const { vector, embedder, runs, log, settings } = this.deps;
    const startedMs = Date.now();
    const run = await runs.start({ source, mode, taskId: options.taskId, embedder: embedder.id });
    const counts: RunCounts = { fetched: 0, added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
    let embedded = 0;
    const progress: LoadProgress = { source, phase: 'fetching', page: 0, pages: undefined, total: undefined, ...counts };
    const report = async (): Promise<void> => {
      if (!options.onProgress) return;
      try {
        await options.onProgress({ ...progress, ...counts });
      } catch (error) {
        log.debug({ err: error }, 'progress report failed');
      }
    };
    const summary = (state: 'SUCCESS' | 'FAILED', error?: string): RunSummary => ({
      runId: run.id,
      source,
      mode,
      state,
      ...counts,
      embedded,
      durationMs: Date.now() - startedMs,
      ...(error ? { error } : {}),
    });

    try {
      await this.ensureEmbedder((done, total) => {
        progress.phase = 'reembedding';
        progress.page = done;
        progress.pages = total;
        void report();
      });
      progress.phase = 'fetching';
      const endpoint = await this.endpoint(source, mode === 'sample');
      const client = new PublicApiClient({
        source,
        // The local peer needs no politeness; the real APIs get the configured pace.
        requestsPerSecond: mode === 'sample' ? Math.max(settings.requestsPerSecond, 100) : settings.requestsPerSecond,
        timeoutMs: settings.timeoutMs,
        retries: settings.retries,
        backoffMs: settings.backoffMs,
        log,
      });
      // Chroma says what is searchable, PostgreSQL what it was built from; the source lock keeps
      // anyone else from writing this source's records while we run. A stored id without a saved
      // hash is re-embedded; a saved hash without a stored id counts for nothing.
      const [storedIds, savedHashes] = await Promise.all([vector.listIds({ source }), this.deps.hashes.hashesOf(source)]);
      const stored = new Map(storedIds.map((id) => [id, savedHashes.get(id) ?? '']));
      const seen = new Set<string>();
      let pending: PolicyDocument[] = [];
      for await (const page of SOURCES[source].pages(client, endpoint)) {
        progress.page = page.page;
        progress.pages = page.pages;
        progress.total = page.total;
        counts.failed += page.failed;
        const fresh = page.documents.filter((doc) => {
          if (seen.has(doc.id)) return false;
          seen.add(doc.id);
          return true;
        });
        counts.fetched += fresh.length;
        pending.push(...fresh);
        // Chroma pays a fixed cost per call: compare and write in chunks, not per 100-record page.
        if (pending.length >= WRITE_CHUNK) {
          embedded += await this.store(pending, stored, counts);
          pending = [];
        }
        if (lock.lost) throw new Error('the source lock expired while the run was writing; another run may have started');
        await report();
      }
      embedded += await this.store(pending, stored, counts);
      if (seen.size === 0) {
        throw new PublicApiError(source, 'malformed', '목록이 비어 있습니다; 저장된 문서를 지우지 않으려고 실행을 실패로 처리합니다');
      }
      progress.phase = 'deleting';
      const gone = [...stored.keys()].filter((id) => !seen.has(id));
      const orphanHashes = [...savedHashes.keys()].filter((id) => !seen.has(id) && !stored.has(id));
      if (lock.lost) throw new Error('the source lock expired before deleting; another run may have started');
      // Hashes first: a crash between the two leaves a document without a hash (re-embedded next
      // time), never a hash that vouches for a document search no longer has.
      await this.deps.hashes.delete([...gone, ...orphanHashes]);
      await vector.delete(gone);
      counts.deleted = gone.length;
      progress.phase = 'done';
      await report();
      const result = summary('SUCCESS');
      await runs.finish(run.id, 'SUCCESS', counts);
      log.info({ ...result }, `${SOURCE_INFO[source].label} load finished`);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const result = summary('FAILED', message);
      await runs.finish(run.id, 'FAILED', counts, message).catch((finishError: unknown) => {
        log.error({ err: finishError, runId: run.id }, 'could not record the failed load run');
      });
      log.error({ ...result }, `${SOURCE_INFO[source].label} load failed; stored documents were left as they were`);
      const permanent = error instanceof PublicApiError && (error.failure === 'auth' || error.failure === 'rejected');
      throw new LoadRunError(message, result, permanent, { cause: error });
    }
  }

  /** Embeds and upserts the new and changed documents of one page; returns how many were embedded. */
  private async store(
    docs: readonly PolicyDocument[],
    existing: ReadonlyMap<string, string>,
    counts: RunCounts,
  ): Promise<number> {
    if (docs.length === 0) return 0;
    const { vector, embedder } = this.deps;
    const changed: { doc: PolicyDocument; hash: string; isNew: boolean }[] = [];
    for (const doc of docs) {
      const hash = contentHash(doc);
      const before = existing.get(doc.id);
      if (before === hash) {
        counts.unchanged += 1;
        continue;
      }
      changed.push({ doc, hash, isNew: before === undefined });
    }
    if (changed.length === 0) return 0;
    const vectors = await embedder.embed(changed.map(({ doc }) => documentText(doc)));
    const stampBefore = await vector.embedderStamp();
    if (!stampBefore) await vector.stampEmbedder({ id: embedder.id, dimension: embedder.dimension });
    await vector.upsert(
      changed.map(({ doc, hash }, index) => ({
        id: doc.id,
        embedding: vectors[index] ?? [],
        document: JSON.stringify(doc),
        metadata: metadataOf(doc, hash, embedder.id),
      })),
    );
    await this.deps.hashes.save(changed.map(({ doc, hash }) => ({ id: doc.id, source: doc.source, contentHash: hash })));
    for (const { isNew } of changed) {
      if (isNew) counts.added += 1;
      else counts.updated += 1;
    }
    return changed.length;
  }
}

import type { Logger } from 'pino';
import type { TaskProducer, TaskRef } from '../../tasks/index.ts';
import { LoadInProgressError, LoadRunError } from './dataload.errors.ts';
import type { HeldLock, RedisLocks } from './dataload.lock.ts';
import type { DocumentHashRepository, RunCounts, RunRepository } from './dataload.repository.ts';
import type { DataloadRunRow, RunMode } from './dataload.tables.ts';
import { LOAD_TASKS } from './dataload.tasks.ts';
import { SOURCE_INFO, SOURCE_NAMES, type LoadProgress, type PolicyDocument, type SourceName } from './dataload.types.ts';
import { contentHash } from './normalise.ts';
import { PublicApiClient, PublicApiError } from './public-api-client.ts';
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

/**
 * Where loaded documents go and what they are searched in: the policy catalogue, which the
 * policies module owns (its Chroma collection) and implements; dataload writes through it only.
 */
export interface PolicyCatalogue {
  /** The embedder that builds vectors now; recorded on each run. */
  readonly embedderId: string;
  /** Whether the stored vectors were made by another embedder (then every one must be rebuilt). */
  needsReembed(): Promise<boolean>;
  /** Re-embeds every stored document with the current embedder; returns how many. */
  reembedAll(onProgress?: (done: number, total: number) => void): Promise<number>;
  /** Ids of one source's stored documents. */
  storedIds(source: SourceName): Promise<string[]>;
  /** Embeds and stores (or replaces) documents, each with its content hash. */
  write(entries: readonly { doc: PolicyDocument; hash: string }[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
}

/** The built-in peer of the three APIs, started on the first sample-mode run. */
export interface SamplePeer {
  endpoints(): Promise<SampleEndpoints>;
  stop(): Promise<void>;
}

export interface DataloadDeps {
  settings: DataloadSettings;
  log: Logger;
  catalogue: PolicyCatalogue;
  runs: RunRepository;
  hashes: DocumentHashRepository;
  locks: RedisLocks;
  samplePeer: SamplePeer;
  /** Enqueues the load tasks (dataload.tasks.ts). */
  producer: TaskProducer;
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

/** Documents compared and written per Chroma round trip. */
const WRITE_CHUNK = 1_000;
const REEMBED_LOCK = 'reembed';
/** Writes of a failed run's record: 1, 2, 4, 8, 16 s apart, about 31 s in all (a database restart). */
const FAILURE_RECORD_ATTEMPTS = 6;
const FAILURE_RECORD_BACKOFF_MS = 1_000;

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

  /**
   * Hands a load of `source` to the workers ("collect now"); its task id follows it. The payload
   * says the mode the run will have (sample without an API key), so the task page and the run agree.
   */
  requestRun(source: SourceName, options: { sample?: boolean } = {}): Promise<TaskRef> {
    return this.deps.producer.enqueue(LOAD_TASKS[source], { sample: options.sample ?? this.isSample(source) });
  }

  /**
   * Enqueues a load of every source that never completed one, so that the first `npm start` fills
   * search (from the sample peer when no API key is set) instead of waiting for Wednesday. The fixed
   * task ids make a quick restart join the loads already queued. Never throws: a start-up must not
   * fail because of it.
   */
  async enqueueInitialLoads(): Promise<SourceName[]> {
    try {
      const sources = await this.sourcesNeverLoaded();
      for (const source of sources) await this.deps.producer.enqueue(LOAD_TASKS[source], {}, { id: `dataload-initial-${source}` });
      if (sources.length > 0) this.deps.log.info({ sources }, 'first start: public data loads enqueued (sample mode for sources without an API key)');
      return sources;
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not enqueue the initial public data loads; run `ainfo dataload run all`');
      return [];
    }
  }

  /** Stops the sample peer if a run started it. */
  close(): Promise<void> {
    return this.deps.samplePeer.stop();
  }

  private async endpoint(source: SourceName, sample: boolean): Promise<SourceEndpoint> {
    const configured = this.deps.settings.sources[source];
    if (!sample && configured.apiKey) {
      return { baseUrl: configured.baseUrl, apiKey: configured.apiKey, ...(configured.pageSize ? { pageSize: configured.pageSize } : {}) };
    }
    const peer = await this.deps.samplePeer.endpoints();
    return { baseUrl: peer.baseUrls[source], apiKey: peer.apiKey, ...(configured.pageSize ? { pageSize: configured.pageSize } : {}) };
  }

  /**
   * Makes sure the catalogue holds vectors of the configured embedder only; when another embedder
   * built it, every stored document is re-embedded (from its stored text) first, by one process at a time.
   */
  async ensureEmbedder(onProgress?: (done: number, total: number) => void): Promise<number> {
    const { catalogue } = this.deps;
    if (!(await catalogue.needsReembed())) return 0;
    const lock = await this.acquireWithWait(REEMBED_LOCK, 'embedder change');
    try {
      if (!(await catalogue.needsReembed())) return 0;
      return await catalogue.reembedAll(onProgress);
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
    const lock = await locks.acquire(
      source,
      `${options.taskId ? `task ${options.taskId}` : 'manual run'}, pid ${process.pid}`,
      // The same task holding it is a run of ours whose worker died (the task runs again after TASK_LOCK_MS).
      options.taskId ? { takeOverFrom: `task ${options.taskId},` } : {},
    );
    if (!lock) throw new LoadInProgressError(source, await locks.holder(source));
    if (lock.tookOver) log.warn({ source, taskId: options.taskId }, 'took the source lock over from an earlier run of this task whose worker stopped');
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

  /**
   * Records a failed run, retrying for about half a minute: the failure may be the database
   * itself going down, and a run left RUNNING would say it is still loading.
   */
  private async recordFailure(runId: number, counts: RunCounts, message: string): Promise<void> {
    const { runs, log } = this.deps;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await runs.finish(runId, 'FAILED', counts, message);
        if (attempt > 1) log.info({ runId, attempt }, 'recorded the failed load run once the database answered');
        return;
      } catch (error) {
        if (attempt >= FAILURE_RECORD_ATTEMPTS) {
          log.error({ err: error, runId }, 'could not record the failed load run; the next run of the source marks it failed');
          return;
        }
        if (attempt === 1) log.warn({ err: error, runId }, 'could not record the failed load run yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, FAILURE_RECORD_BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  }

  private async runLocked(source: SourceName, mode: RunMode, lock: HeldLock, options: RunOptions): Promise<RunSummary> {
    const { catalogue, runs, log, settings } = this.deps;
    const startedMs = Date.now();
    const run = await runs.start({ source, mode, taskId: options.taskId, embedder: catalogue.embedderId });
    const counts: RunCounts = { fetched: 0, added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 };
    let embedded = 0;
    const progress: LoadProgress = { source, phase: 'fetching', page: 0, pages: undefined, total: undefined, ...counts };
    // Documents fetched but not yet written (writes go in chunks), as they will count: progress
    // shows them at once rather than 0 until the first chunk.
    const pendingCounts = { added: 0, updated: 0, unchanged: 0 };
    const report = async (): Promise<void> => {
      if (!options.onProgress) return;
      try {
        await options.onProgress({
          ...progress,
          ...counts,
          added: counts.added + pendingCounts.added,
          updated: counts.updated + pendingCounts.updated,
          unchanged: counts.unchanged + pendingCounts.unchanged,
        });
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
      const [storedIds, savedHashes] = await Promise.all([catalogue.storedIds(source), this.deps.hashes.hashesOf(source)]);
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
        for (const doc of fresh) {
          const before = stored.get(doc.id);
          if (before === undefined) pendingCounts.added += 1;
          else if (before === contentHash(doc)) pendingCounts.unchanged += 1;
          else pendingCounts.updated += 1;
        }
        // Chroma pays a fixed cost per call: compare and write in chunks, not per 100-record page.
        if (pending.length >= WRITE_CHUNK) {
          embedded += await this.store(pending, stored, counts);
          pending = [];
          Object.assign(pendingCounts, { added: 0, updated: 0, unchanged: 0 });
        }
        if (lock.lost) throw new Error('the source lock expired while the run was writing; another run may have started');
        await report();
      }
      embedded += await this.store(pending, stored, counts);
      Object.assign(pendingCounts, { added: 0, updated: 0, unchanged: 0 });
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
      await catalogue.remove(gone);
      counts.deleted = gone.length;
      progress.phase = 'done';
      await report();
      const result = summary('SUCCESS');
      await runs.finish(run.id, 'SUCCESS', counts);
      log.info({ ...result }, `${SOURCE_INFO[source].label} load finished`);
      return result;
    } catch (error) {
      const message = `${error instanceof Error ? error.message : String(error)}. ${afterFailure(source, error)}`;
      const result = summary('FAILED', message);
      await this.recordFailure(run.id, counts, message);
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
    await this.deps.catalogue.write(changed);
    await this.deps.hashes.save(changed.map(({ doc, hash }) => ({ id: doc.id, source: doc.source, contentHash: hash })));
    for (const { isNew } of changed) {
      if (isNew) counts.added += 1;
      else counts.updated += 1;
    }
    return changed.length;
  }
}

/** What a failed run's message adds: that nothing stored was touched, and what to do next. */
function afterFailure(source: SourceName, error: unknown): string {
  const { keyVariable } = SOURCE_INFO[source];
  const again = `ainfo dataload run ${source}`;
  const kept = '저장된 문서는 지우지 않고 그대로 두었습니다(검색은 계속 됩니다)';
  if (!(error instanceof PublicApiError)) return `${kept}. 원인을 고친 뒤 다시 실행하세요: ${again}`;
  switch (error.failure) {
    case 'auth':
      return `${kept}. ${keyVariable} 값을 확인하고 다시 실행하세요: ${again}`;
    case 'rejected':
      return `${kept}. 요청이 거부되었습니다; ${keyVariable}로 신청한 API와 주소(*_BASE_URL)를 확인하세요`;
    case 'quota':
      return `${kept}. 호출 한도가 풀린 뒤(보통 다음 날) 다시 실행하세요: ${again}`;
    default:
      return `${kept}. API 쪽 장애로 보입니다; 잠시 뒤 다시 실행하세요: ${again}`;
  }
}

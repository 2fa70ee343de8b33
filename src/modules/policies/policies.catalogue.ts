import type { Logger } from 'pino';
import { AppError } from '../../utils/errors.ts';
import type { VectorStore } from '../../vector/index.ts';
import { CATALOGUE_VERSION_KEY, entryOf, type CatalogueEntry } from './policies.metadata.ts';
import { KeywordIndex } from './policies.ranking.ts';

/** Default time between two reads of the catalogue version (one small Chroma request each). */
export const CATALOGUE_CHECK_MS = 5_000;

/** What one build of the catalogue holds: every document's search fields and their keyword index. */
export interface CatalogueSnapshot {
  /** `<collection id>:<version token>`; a rebuilt collection or a new write changes it. */
  version: string;
  entries: ReadonlyMap<string, CatalogueEntry>;
  /**
   * Every document's stored JSON, as Chroma holds it: ask builds its prompt from the documents it
   * cites, and reading them here saves a Chroma round trip before the model is asked. Kept as the
   * string (parsed per use) since strings are the compact form in the heap.
   */
  documents: ReadonlyMap<string, string>;
  index: KeywordIndex;
}

const EMPTY: CatalogueSnapshot = Object.freeze({
  version: '',
  entries: new Map<string, CatalogueEntry>(),
  documents: new Map<string, string>(),
  index: new KeywordIndex([]),
});

/**
 * The whole collection's search fields in this process's memory, with the BM25 index over their
 * titles and summaries (IDF needs the whole corpus, and keyword-only hits need every document).
 * It is rebuilt when the catalogue version PolicyIndex writes into the collection's metadata
 * changes, read at most every `checkMs`: never per query. The first search waits for the first
 * build; later ones keep using the previous build while the next one is made, so a load in
 * progress never stalls a search (results may lag a write by `checkMs` plus one build).
 */
export class SearchCatalogue {
  private snapshot: CatalogueSnapshot | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<CatalogueSnapshot> | undefined;
  private building: Promise<CatalogueSnapshot> | undefined;
  private buildCount = 0;

  constructor(
    private readonly deps: {
      vector: VectorStore;
      embedderId: string;
      log: Logger;
      /** Default `CATALOGUE_CHECK_MS`. */
      checkMs?: number;
    },
  ) {}

  /** How many times the catalogue was read whole (for tests and metrics). */
  get builds(): number {
    return this.buildCount;
  }

  /**
   * The catalogue to search. Rejects with a 503 `AppError` when the collection was built by another
   * embedder (its vectors cannot be compared with this process's query vectors). An unstamped
   * collection (nothing loaded yet) is empty.
   */
  current(): Promise<CatalogueSnapshot> {
    const checkMs = this.deps.checkMs ?? CATALOGUE_CHECK_MS;
    if (this.snapshot && performance.now() - this.checkedAt < checkMs) return Promise.resolve(this.snapshot);
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(): Promise<CatalogueSnapshot> {
    const { vector, embedderId, log } = this.deps;
    const info = await vector.collectionInfo();
    this.checkedAt = performance.now();
    const stamp = info.stamp?.id;
    if (stamp === undefined) {
      this.snapshot = EMPTY;
      return EMPTY;
    }
    if (stamp !== embedderId) {
      this.snapshot = undefined;
      // The embedder ids can be model paths: the log has them, the answer does not.
      log.warn({ index: stamp, embedder: embedderId }, 'search index made by another embedder; run `ainfo dataload run all`');
      throw new AppError(503, 'SEARCH_INDEX_REBUILDING', '검색 색인을 다시 만드는 중입니다. 다음 공공데이터 수집이 끝난 뒤에 검색할 수 있습니다.');
    }
    const version = `${info.id}:${String(info.metadata[CATALOGUE_VERSION_KEY] ?? '')}`;
    const current = this.snapshot;
    if (current && current.version === version) return current;
    const build = (this.building ??= this.build(version).finally(() => {
      this.building = undefined;
    }));
    if (!current || current === EMPTY) return build;
    // Searches go on with the previous build; a failed rebuild is tried again at the next check.
    build.catch((error: unknown) => {
      log.warn({ err: error }, 'rebuilding the search catalogue failed; searching the previous one');
    });
    return current;
  }

  private async build(version: string): Promise<CatalogueSnapshot> {
    const started = performance.now();
    const entries = new Map<string, CatalogueEntry>();
    const documents = new Map<string, string>();
    for (const { id, document, metadata } of await this.deps.vector.listStored()) {
      const entry = entryOf(id, metadata);
      if (!entry) continue;
      entries.set(id, entry);
      if (document !== '') documents.set(id, document);
    }
    const snapshot: CatalogueSnapshot = { version, entries, documents, index: new KeywordIndex(entries.values()) };
    this.snapshot = snapshot;
    this.buildCount += 1;
    this.deps.log.info({ documents: entries.size, ms: Math.round(performance.now() - started) }, 'search catalogue built');
    return snapshot;
  }
}

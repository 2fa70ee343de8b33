import { ChromaClient, ChromaConnectionError, type Collection, type Metadata, type Where } from 'chromadb';
import type { Logger } from 'pino';
import { acquireDirLock } from '../db/dir-lock.ts';
import { startChromaServer, type ChromaServer } from './chroma-server.ts';

/** Flat metadata of one stored document (Chroma accepts no nested values and no undefined). */
export type VectorMetadata = Record<string, string | number | boolean>;

export interface VectorRecord {
  id: string;
  embedding: number[];
  /**
   * The stored document; `rebuild` hands it back to compute the vector again under another
   * embedder, so it must be enough to derive the embedded text from.
   */
  document: string;
  metadata: VectorMetadata;
}

export interface StoredVector {
  id: string;
  document: string;
  metadata: VectorMetadata;
}

export interface VectorHit extends StoredVector {
  /** Cosine similarity, 1 = same direction. */
  score: number;
}

/** Bounds on a number, both inclusive: `{ lte: 45 }` is Chroma's `$lte`. */
export interface VectorRange {
  gte?: number;
  lte?: number;
}

/** Every key must hold: a string is equality, an array "any of", a range bounds a number. */
export type VectorFilter = Record<string, string | readonly string[] | VectorRange>;

/** A nearest-neighbour search that returns ids and scores only (no documents, no metadata). */
export interface NearestOptions {
  limit: number;
  filter?: VectorFilter;
  /** At least one of these must hold too (Chroma's `$or`), besides `filter`. */
  anyOf?: readonly VectorFilter[];
  /** Only among these ids (Chroma compares them exhaustively). */
  ids?: readonly string[];
}

/** The collection as stored: its id (a rebuild gives a new one), its metadata and embedder stamp. */
export interface CollectionInfo {
  id: string;
  metadata: VectorMetadata;
  /** Which embedder built it; undefined while the collection is empty and unstamped. */
  stamp: EmbedderStamp | undefined;
}

/** Which embedder built the collection, as its metadata records it. */
export interface EmbedderStamp {
  id: string;
  dimension: number | undefined;
}

export interface VectorStoreOptions {
  /** A Chroma server to use; unset: start one under `embeddedDir`, when `allowEmbedded`. */
  url: string | undefined;
  embeddedDir: string;
  /** Only the process that owns ./data/chroma may start it (`all`, `cli`). */
  allowEmbedded: boolean;
  /** Which process asked, for the error message. */
  role: string;
  collection: string;
  log: Logger;
}

/** Thrown when Chroma is not configured for this process or does not answer. */
export class VectorStoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VectorStoreUnavailableError';
  }
}

const PAGE = 1_000;
const EMBEDDER_KEY = 'ainfo:embedder';
const DIMENSION_KEY = 'ainfo:dimension';

function clausesOf(filter: VectorFilter | undefined): Where[] {
  return Object.entries(filter ?? {}).flatMap(([key, value]): Where[] => {
    if (typeof value === 'string') return [{ [key]: { $eq: value } }];
    if (isRange(value)) {
      return [
        ...(value.gte !== undefined ? [{ [key]: { $gte: value.gte } }] : []),
        ...(value.lte !== undefined ? [{ [key]: { $lte: value.lte } }] : []),
      ];
    }
    return [{ [key]: { $in: [...value] } }];
  });
}

function isRange(value: string | readonly string[] | VectorRange): value is VectorRange {
  return typeof value === 'object' && !Array.isArray(value);
}

function allOf(clauses: Where[]): Where | undefined {
  if (clauses.length <= 1) return clauses[0];
  return { $and: clauses };
}

function toWhere(filter: VectorFilter | undefined, anyOf?: readonly VectorFilter[]): Where | undefined {
  const clauses = clausesOf(filter);
  const alternatives = (anyOf ?? []).map((each) => allOf(clausesOf(each)) ?? {});
  if (alternatives.length === 1 && alternatives[0]) clauses.push(alternatives[0]);
  else if (alternatives.length > 1) clauses.push({ $or: alternatives });
  return allOf(clauses);
}

function stampOf(metadata: VectorMetadata): EmbedderStamp | undefined {
  const id = metadata[EMBEDDER_KEY];
  if (typeof id !== 'string') return undefined;
  const dimension = metadata[DIMENSION_KEY];
  return { id, dimension: typeof dimension === 'number' ? dimension : undefined };
}

function flatMetadata(metadata: Metadata | null | undefined): VectorMetadata {
  const flat: VectorMetadata = {};
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') flat[key] = value;
  }
  return flat;
}

/**
 * The one Chroma collection of policy documents. Connects lazily: constructing it opens nothing,
 * so creating an app context stays cheap; the first call connects (or starts the embedded server).
 */
export class VectorStore {
  private connecting: Promise<ChromaClient> | undefined;
  private collectionPromise: Promise<Collection> | undefined;
  private embedded: ChromaServer | undefined;
  private releaseDir: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(private readonly options: VectorStoreOptions) {}

  get collectionName(): string {
    return this.options.collection;
  }

  private client(): Promise<ChromaClient> {
    this.connecting ??= this.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async connect(): Promise<ChromaClient> {
    if (this.closed) throw new VectorStoreUnavailableError('the vector store was closed');
    let url = this.options.url;
    if (!url) {
      if (!this.options.allowEmbedded) {
        throw new VectorStoreUnavailableError(
          `CHROMA_URL is not set: the ${this.options.role} process cannot start the embedded Chroma under ` +
            `${this.options.embeddedDir} (only \`ainfo all\` and the CLI own it). Start a Chroma server ` +
            '(e.g. `npx chroma run --path ./data/chroma --port 8001`) and set CHROMA_URL=http://127.0.0.1:8001 for every process.',
        );
      }
      try {
        this.releaseDir = await acquireDirLock(this.options.embeddedDir);
      } catch (error) {
        throw new VectorStoreUnavailableError(
          `The embedded Chroma directory ${this.options.embeddedDir} is in use by another process (probably \`ainfo all\`). ` +
            'Stop it, or run a Chroma server and set CHROMA_URL so that several processes share it.',
          { cause: error },
        );
      }
      this.options.log.info({ dir: this.options.embeddedDir }, 'starting the embedded Chroma server (CHROMA_URL is unset)');
      try {
        this.embedded = await startChromaServer({ dir: this.options.embeddedDir });
      } catch (error) {
        await this.releaseDir();
        this.releaseDir = undefined;
        throw error;
      }
      url = this.embedded.url;
      this.options.log.info({ url, pid: this.embedded.pid }, 'embedded Chroma server started');
    }
    const parsed = new URL(url);
    const client = new ChromaClient({
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80,
      ssl: parsed.protocol === 'https:',
    });
    try {
      await client.heartbeat();
    } catch (error) {
      throw new VectorStoreUnavailableError(`Chroma does not answer at ${url}`, { cause: error });
    }
    return client;
  }

  private collection(): Promise<Collection> {
    this.collectionPromise ??= this.client()
      .then((client) =>
        client.getOrCreateCollection({
          name: this.options.collection,
          // Vectors are always computed by our embedder; null keeps the client from loading a model.
          embeddingFunction: null,
          configuration: { hnsw: { space: 'cosine' } },
        }),
      )
      .catch((error: unknown) => {
        this.collectionPromise = undefined;
        throw error;
      });
    return this.collectionPromise;
  }

  /** Reads: a server gone after we connected is "unavailable" (a 503 for search), not a bug. */
  private async answering<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ChromaConnectionError) {
        throw new VectorStoreUnavailableError(`Chroma does not answer (${this.options.url ?? 'embedded server'})`, { cause: error });
      }
      throw error;
    }
  }

  /** The server's URL, the embedded one started first if this process may own it. */
  async serverUrl(): Promise<string> {
    await this.client();
    const url = this.options.url ?? this.embedded?.url;
    if (!url) throw new VectorStoreUnavailableError('the vector store was closed');
    return url;
  }

  /** Rejects when Chroma does not answer (for readiness checks). */
  async ping(): Promise<void> {
    await (await this.client()).heartbeat();
  }

  async count(): Promise<number> {
    return (await this.collection()).count();
  }

  /**
   * The collection's id and metadata, read afresh: another process may have re-stamped (rebuilt)
   * the collection since we opened it, and later calls then use the new one.
   */
  async collectionInfo(): Promise<CollectionInfo> {
    const cached = await this.collection();
    const current = await this.answering(async () => (await this.client()).getCollection({ name: this.options.collection }));
    if (current.id !== cached.id) this.collectionPromise = Promise.resolve(current);
    const metadata = flatMetadata(current.metadata);
    return { id: current.id, metadata, stamp: stampOf(metadata) };
  }

  /** The embedder recorded on the collection; undefined while the collection is empty and unstamped. */
  async embedderStamp(): Promise<EmbedderStamp | undefined> {
    return (await this.collectionInfo()).stamp;
  }

  /** Records which embedder built the collection. */
  async stampEmbedder(stamp: EmbedderStamp): Promise<void> {
    const metadata: Record<string, string | number> = { [EMBEDDER_KEY]: stamp.id };
    if (stamp.dimension !== undefined) metadata[DIMENSION_KEY] = stamp.dimension;
    await this.updateCollectionMetadata(metadata);
  }

  /**
   * Sets keys of the collection's metadata and keeps the others (Chroma's `modify` replaces the
   * whole metadata). Two writers racing may lose one's key; callers write values where the last
   * writer winning is fine (a stamp, a fresh version token).
   */
  async updateCollectionMetadata(patch: Readonly<Record<string, string | number>>): Promise<void> {
    const collection = await this.collection();
    const { metadata } = await this.collectionInfo();
    await collection.modify({ metadata: { ...metadata, ...patch } });
  }

  /** Every stored id matching the filter. */
  async listIds(filter?: VectorFilter): Promise<string[]> {
    const collection = await this.collection();
    const ids: string[] = [];
    const where = toWhere(filter);
    for (let offset = 0; ; offset += PAGE) {
      const result = await collection.get({ ...(where ? { where } : {}), include: [], limit: PAGE, offset });
      ids.push(...result.ids);
      if (result.ids.length < PAGE) return ids;
    }
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const collection = await this.collection();
    for (let start = 0; start < records.length; start += PAGE) {
      const batch = records.slice(start, start + PAGE);
      await collection.upsert({
        ids: batch.map((record) => record.id),
        embeddings: batch.map((record) => record.embedding),
        documents: batch.map((record) => record.document),
        metadatas: batch.map((record) => record.metadata),
      });
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    const collection = await this.collection();
    for (let start = 0; start < ids.length; start += PAGE) {
      await collection.delete({ ids: ids.slice(start, start + PAGE) });
    }
  }

  async get(id: string): Promise<StoredVector | undefined> {
    const collection = await this.collection();
    const result = await this.answering(() => collection.get({ ids: [id], include: ['documents', 'metadatas'] }));
    const foundId = result.ids[0];
    if (foundId === undefined) return undefined;
    return { id: foundId, document: result.documents[0] ?? '', metadata: flatMetadata(result.metadatas[0]) };
  }

  /** Every stored document with its metadata (paged reads of 1,000), for indexes kept beside Chroma. */
  async listStored(): Promise<StoredVector[]> {
    const collection = await this.collection();
    const entries: StoredVector[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const result = await this.answering(() => collection.get({ include: ['documents', 'metadatas'], limit: PAGE, offset }));
      result.ids.forEach((id, index) => entries.push({ id, document: result.documents[index] ?? '', metadata: flatMetadata(result.metadatas[index]) }));
      if (result.ids.length < PAGE) return entries;
    }
  }

  /** The stored documents of these ids that exist, in the order asked. */
  async getMany(ids: readonly string[]): Promise<StoredVector[]> {
    if (ids.length === 0) return [];
    const collection = await this.collection();
    const result = await this.answering(() => collection.get({ ids: [...ids], include: ['documents', 'metadatas'] }));
    const found = new Map(
      result.ids.map((id, index) => [id, { id, document: result.documents[index] ?? '', metadata: flatMetadata(result.metadatas[index]) }]),
    );
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * Ids and cosine similarities of the nearest documents, best first: the light query (reading
   * documents and metadata as well makes a 200-result query several times slower).
   */
  async nearest(embedding: number[], options: NearestOptions): Promise<{ id: string; score: number }[]> {
    if (options.ids?.length === 0) return [];
    const collection = await this.collection();
    const where = toWhere(options.filter, options.anyOf);
    const result = await this.answering(() =>
      collection.query({
        queryEmbeddings: [embedding],
        nResults: options.limit,
        ...(where ? { where } : {}),
        ...(options.ids ? { ids: [...options.ids] } : {}),
        include: ['distances'],
      }),
    );
    const distances = result.distances[0] ?? [];
    return (result.ids[0] ?? []).map((id, index) => ({ id, score: 1 - (distances[index] ?? 1) }));
  }

  /**
   * Cosine similarities of `embedding` to the stored vectors of these ids (those that exist),
   * computed here from the stored vectors: for a few ids, reading them is about half the cost of
   * a nearest query restricted to them.
   */
  async similarities(embedding: readonly number[], ids: readonly string[]): Promise<{ id: string; score: number }[]> {
    if (ids.length === 0) return [];
    const collection = await this.collection();
    const result = await this.answering(() => collection.get({ ids: [...ids], include: ['embeddings'] }));
    const norm = Math.hypot(...embedding);
    return result.ids.map((id, index) => {
      const stored = result.embeddings[index] ?? [];
      let dot = 0;
      for (let i = 0; i < stored.length; i += 1) dot += (stored[i] ?? 0) * (embedding[i] ?? 0);
      const length = norm * Math.hypot(...stored);
      return { id, score: length > 0 ? dot / length : 0 };
    });
  }

  /** Nearest documents to `embedding`, best first. */
  async query(embedding: number[], options: { limit: number; filter?: VectorFilter }): Promise<VectorHit[]> {
    const collection = await this.collection();
    const where = toWhere(options.filter);
    const result = await this.answering(() =>
      collection.query({
        queryEmbeddings: [embedding],
        nResults: options.limit,
        ...(where ? { where } : {}),
        include: ['documents', 'metadatas', 'distances'],
      }),
    );
    const ids = result.ids[0] ?? [];
    return ids.map((id, index) => ({
      id,
      document: result.documents[0]?.[index] ?? '',
      metadata: flatMetadata(result.metadatas[0]?.[index]),
      score: 1 - (result.distances[0]?.[index] ?? 1),
    }));
  }

  /**
   * Re-embeds every stored document with another embedder into a fresh collection, then swaps it
   * in under the same name. Vectors of two embedders never share a collection, and nothing has to
   * be fetched again from the public APIs: `embed` gets the stored documents. Each record's
   * `embedder` metadata is rewritten to the new embedder's id.
   */
  async rebuild(
    embed: (documents: string[]) => Promise<number[][]>,
    stamp: () => EmbedderStamp,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number> {
    const client = await this.client();
    const old = await this.collection();
    const total = await old.count();
    const tempName = `${this.options.collection}-rebuild-${Date.now()}`;
    const fresh = await client.createCollection({
      name: tempName,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
    });
    let done = 0;
    try {
      for (let offset = 0; ; offset += PAGE) {
        const page = await old.get({ include: ['documents', 'metadatas'], limit: PAGE, offset });
        if (page.ids.length > 0) {
          const texts = page.documents.map((text) => text ?? '');
          const vectors = await embed(texts);
          await fresh.upsert({
            ids: page.ids,
            embeddings: vectors,
            documents: texts,
            metadatas: page.metadatas.map((metadata) => ({ ...flatMetadata(metadata), embedder: stamp().id })),
          });
          done += page.ids.length;
          onProgress?.(done, total);
        }
        if (page.ids.length < PAGE) break;
      }
      const finalStamp = stamp();
      await fresh.modify({
        metadata: {
          [EMBEDDER_KEY]: finalStamp.id,
          ...(finalStamp.dimension !== undefined ? { [DIMENSION_KEY]: finalStamp.dimension } : {}),
        },
      });
    } catch (error) {
      await client.deleteCollection({ name: tempName }).catch(() => undefined);
      throw error;
    }
    await client.deleteCollection({ name: this.options.collection });
    await fresh.modify({ name: this.options.collection });
    this.collectionPromise = undefined;
    return done;
  }

  /** Stops the embedded server if this store started it. */
  async close(): Promise<void> {
    this.closed = true;
    // A start in progress would otherwise leave its server running after we return.
    await this.connecting?.catch(() => undefined);
    const embedded = this.embedded;
    this.embedded = undefined;
    if (embedded) await embedded.stop();
    if (this.releaseDir) await this.releaseDir();
    this.releaseDir = undefined;
  }
}

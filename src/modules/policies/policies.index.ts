import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Embedder, VectorRecord, VectorStore } from '../../vector/index.ts';
import { categoryKeyOf, documentText, type PolicyCatalogue, type PolicyDocument, type SourceName } from '../dataload/index.ts';
import { CATALOGUE_VERSION_KEY, searchMetadataOf } from './policies.metadata.ts';

const SUMMARY_LENGTH = 300;

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
 * The write side of the policy catalogue (the Chroma collection policies owns): what the weekly
 * load writes through. It embeds, stamps the collection with the embedder that built it, stores
 * the document with its search metadata, and rebuilds every vector when the embedder changes.
 * After each change it sets a new catalogue version on the collection, which tells every web
 * process to rebuild its keyword index (a rebuilt collection has a new id, which says the same).
 */
export class PolicyIndex implements PolicyCatalogue {
  constructor(private readonly deps: { vector: VectorStore; embedder: Embedder; log: Logger }) {}

  get embedderId(): string {
    return this.deps.embedder.id;
  }

  async needsReembed(): Promise<boolean> {
    const { vector, embedder } = this.deps;
    const stamp = await vector.embedderStamp();
    if (stamp?.id === embedder.id) return false;
    if (!stamp && (await vector.count()) === 0) {
      if (embedder.dimension !== undefined) await vector.stampEmbedder({ id: embedder.id, dimension: embedder.dimension });
      return false;
    }
    return true;
  }

  async reembedAll(onProgress?: (done: number, total: number) => void): Promise<number> {
    const { vector, embedder, log } = this.deps;
    const [stamp, count] = await Promise.all([vector.embedderStamp(), vector.count()]);
    log.warn({ from: stamp?.id ?? '(unrecorded)', to: embedder.id, documents: count }, 're-embedding the collection for a new embedder');
    return vector.rebuild(
      (stored) => embedder.embed(stored.map((json) => documentText(JSON.parse(json) as PolicyDocument))),
      () => ({ id: embedder.id, dimension: embedder.dimension }),
      onProgress,
    );
  }

  storedIds(source: SourceName): Promise<string[]> {
    return this.deps.vector.listIds({ source });
  }

  async write(entries: readonly { doc: PolicyDocument; hash: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const { vector, embedder } = this.deps;
    const vectors = await embedder.embed(entries.map(({ doc }) => documentText(doc)));
    if (!(await vector.embedderStamp())) await vector.stampEmbedder({ id: embedder.id, dimension: embedder.dimension });
    await vector.upsert(
      entries.map(({ doc, hash }, index) => ({
        id: doc.id,
        embedding: vectors[index] ?? [],
        document: JSON.stringify(doc),
        metadata: metadataOf(doc, hash, embedder.id),
      })),
    );
    await this.bumpVersion();
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.deps.vector.delete(ids);
    await this.bumpVersion();
  }

  /** A fresh token, not a counter: two loads bumping at once must still leave a value no reader has seen. */
  private bumpVersion(): Promise<void> {
    return this.deps.vector.updateCollectionMetadata({ [CATALOGUE_VERSION_KEY]: `${Date.now()}-${randomUUID()}` });
  }
}

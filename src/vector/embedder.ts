/**
 * Turns texts into vectors. Every implementation is deterministic for a given `id`: the vector
 * store records the id and refuses to mix vectors of two embedders in one collection.
 */
export interface Embedder {
  /** Stable identity, stored with the collection (`lexical-ngram-v1:1024`, `openai:text-embedding-3-small`). */
  readonly id: string;
  /** Human label for logs and the README (`built-in lexical n-gram hashing (offline)`). */
  readonly label: string;
  /** Vector length; undefined until a remote embedder has answered once. */
  readonly dimension: number | undefined;
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** Counts embeddings computed, so a caller can tell how many documents were (re-)embedded. */
export class CountingEmbedder implements Embedder {
  computed = 0;

  constructor(private readonly inner: Embedder) {}

  get id(): string {
    return this.inner.id;
  }

  get label(): string {
    return this.inner.label;
  }

  get dimension(): number | undefined {
    return this.inner.dimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors = await this.inner.embed(texts);
    this.computed += texts.length;
    return vectors;
  }
}

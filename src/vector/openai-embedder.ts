import OpenAI from 'openai';
import type { Embedder } from './embedder.ts';

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** `https://api.openai.com/v1` or any compatible server. */
  baseUrl: string;
  /** Default `text-embedding-3-small`, as the original. */
  model: string;
  /** Inputs per request. Default 96 (well under the API's 2,048, and small enough to retry cheaply). */
  batchSize?: number;
  /** Attempts per batch, the first included. Default 5. */
  attempts?: number;
  /** Per-request timeout. Default 60,000 ms. */
  timeoutMs?: number;
}

/**
 * An OpenAI-compatible `/embeddings` client on the official `openai` package: batched; the
 * client's timeout, and its retries with backoff (honouring `retry-after`) on 429, 5xx, timeouts
 * and dropped connections.
 */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly label: string;
  private knownDimension: number | undefined;
  private readonly batchSize: number;
  private readonly model: string;
  private readonly client: OpenAI;

  constructor(options: OpenAiEmbedderOptions) {
    this.id = `openai:${options.model}`;
    this.label = `OpenAI-compatible embeddings (${options.model} at ${options.baseUrl})`;
    this.batchSize = options.batchSize ?? 96;
    this.model = options.model;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? 60_000,
      maxRetries: (options.attempts ?? 5) - 1,
    });
  }

  get dimension(): number | undefined {
    return this.knownDimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(batch: readonly string[]): Promise<number[][]> {
    const response = await this.client.embeddings.create({
      model: this.model,
      // Empty strings are rejected by the API; a single space embeds as "nothing".
      input: batch.map((text) => (text.trim() === '' ? ' ' : text)),
      // Compatible servers do not all speak the client's default base64.
      encoding_format: 'float',
    });
    const data = response.data;
    if (data.length !== batch.length) throw new Error(`embeddings response has ${data.length} vectors for ${batch.length} inputs`);
    const vectors = [...data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    const first = vectors[0];
    if (first) this.knownDimension = first.length;
    return vectors;
  }
}

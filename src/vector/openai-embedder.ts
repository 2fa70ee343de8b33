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
  /** First backoff; doubles each retry. Default 1,000 ms. */
  backoffMs?: number;
  /** Per-request timeout. Default 60,000 ms. */
  timeoutMs?: number;
}

interface EmbeddingsResponse {
  data?: { index: number; embedding: number[] }[];
  error?: { message?: string };
}

class EmbeddingRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'EmbeddingRequestError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An OpenAI-compatible `/embeddings` client: batched, with timeouts and retries on 429/5xx/network errors. */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly label: string;
  private knownDimension: number | undefined;
  private readonly batchSize: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.id = `openai:${options.model}`;
    this.label = `OpenAI-compatible embeddings (${options.model} at ${options.baseUrl})`;
    this.batchSize = options.batchSize ?? 96;
    this.attempts = options.attempts ?? 5;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  get dimension(): number | undefined {
    return this.knownDimension;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatchWithRetries(texts.slice(start, start + this.batchSize))));
    }
    return vectors;
  }

  private async embedBatchWithRetries(batch: readonly string[]): Promise<number[][]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.embedBatch(batch);
      } catch (error) {
        const retryable = !(error instanceof EmbeddingRequestError) || error.retryable;
        if (!retryable || attempt >= this.attempts) throw error;
        const retryAfter = error instanceof EmbeddingRequestError ? error.retryAfterMs : undefined;
        await sleep(retryAfter ?? this.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  private async embedBatch(batch: readonly string[]): Promise<number[][]> {
    const response = await fetch(`${this.options.baseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}` },
      // Empty strings are rejected by the API; a single space embeds as "nothing".
      body: JSON.stringify({ model: this.options.model, input: batch.map((text) => (text.trim() === '' ? ' ' : text)) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const raw = await response.text();
    let body: EmbeddingsResponse = {};
    try {
      body = JSON.parse(raw) as EmbeddingsResponse;
    } catch {
      // A non-JSON answer is reported with its status below.
    }
    if (!response.ok) {
      const retryAfterSeconds = Number(response.headers.get('retry-after'));
      throw new EmbeddingRequestError(
        `embeddings request failed with HTTP ${response.status}: ${body.error?.message ?? raw.slice(0, 200)}`,
        response.status === 429 || response.status >= 500,
        Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, 60) * 1000 : undefined,
      );
    }
    const data = body.data;
    if (!data || data.length !== batch.length) {
      throw new EmbeddingRequestError(`embeddings response has ${data?.length ?? 0} vectors for ${batch.length} inputs`, true);
    }
    const vectors = [...data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    const first = vectors[0];
    if (first) this.knownDimension = first.length;
    return vectors;
  }
}

/** What several benchmarks share: percentiles, Redis clean-up, and the search as it was before issue 11 part B. */
import { Redis } from 'ioredis';
import { regionKeyOf } from '../src/modules/dataload/index.ts';
import type { Embedder, VectorFilter, VectorStore } from '../src/vector/index.ts';

/** The p-th percentile of ascending values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Deletes every key under `prefix:` (a bench's own keys on the shared Redis). */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The search before issue 11 part B, line for line: the query embedded, Chroma's nearest documents
 * (with their documents and metadata) under the 시도 filter, no floor, no keyword score, no
 * merging; age and status did not exist. The baseline the search benches compare against.
 */
export async function vectorOnlySearch(
  deps: { vector: VectorStore; embedder: Embedder },
  query: { q: string; region?: string; limit: number },
): Promise<{ id: string; score: number }[]> {
  const filter: VectorFilter = {};
  if (query.region) {
    const key = regionKeyOf(query.region);
    filter.regionKey = key === '전국' ? '전국' : [key, '전국'];
  }
  const [embedding] = await deps.embedder.embed([query.q]);
  if (!embedding) return [];
  const hits = await deps.vector.query(embedding, { limit: query.limit, filter });
  return hits.map((hit) => ({ id: hit.id, score: hit.score }));
}

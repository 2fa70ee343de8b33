import type { Logger } from '../../log/logger.ts';
import { depKey } from '../../utils/deps.ts';
import { AppError } from '../../utils/errors.ts';
import { VectorStoreUnavailableError, type Embedder, type VectorFilter, type VectorStore } from '../../vector/index.ts';
import { REGION_KEYS, regionKeyOf, SOURCE_INFO, type PolicyDocument, type SourceName } from '../dataload/index.ts';

export interface SearchQuery {
  q: string;
  source?: SourceName;
  /** A region key (`서울`) or name (`서울특별시`); nationwide (`전국`) documents match every region. */
  region?: string;
  /** Top-level category (`주거`, `일자리`, `주거·자립`, `취업지원`). */
  category?: string;
  limit: number;
  offset: number;
}

export interface SearchItem {
  id: string;
  source: SourceName;
  sourceLabel: string;
  title: string;
  summary: string;
  region: string;
  category: string;
  period: string;
  url: string;
  /** Cosine similarity to the query, 0..1 (higher is closer). */
  score: number;
}

export interface SearchResult {
  items: SearchItem[];
  limit: number;
  offset: number;
}

/** Results beyond this rank are not served: a vector search has no cheap deep paging. */
export const MAX_SEARCH_WINDOW = 200;
const STAMP_CACHE_MS = 10_000;

/**
 * A search with no vector store behind it is a 503 the caller can show, not an internal error. The
 * public message names the search index; Chroma's address and the reason go to the log.
 */
async function unavailableAs503<T>(log: Logger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof VectorStoreUnavailableError) {
      log.error({ err: error }, 'search unavailable');
      throw new AppError(503, 'SEARCH_UNAVAILABLE', '정책 검색을 지금 사용할 수 없습니다: 검색 색인(chroma)에 연결하지 못했습니다. 잠시 뒤에 다시 시도해 주세요.');
    }
    throw error;
  }
}

/** What the policies routes use: the search service. */
export const POLICIES = depKey<PolicySearchService>('policies');

/** Policy search over the Chroma collection the weekly load fills (through PolicyIndex). */
export class PolicySearchService {
  private stampCheckedAt = 0;
  private stampOk = false;

  constructor(
    private readonly deps: { vector: VectorStore; embedder: Embedder; log: Logger },
  ) {}

  /** Region keys filters accept, for forms. */
  readonly regions = REGION_KEYS;

  private async assertSameEmbedder(): Promise<boolean> {
    if (this.stampOk && Date.now() - this.stampCheckedAt < STAMP_CACHE_MS) return true;
    const stamp = await this.deps.vector.embedderStamp();
    this.stampCheckedAt = Date.now();
    if (!stamp) {
      this.stampOk = false;
      return false;
    }
    if (stamp.id !== this.deps.embedder.id) {
      // The embedder ids can be model paths: the log has them, the answer does not.
      this.deps.log.warn({ index: stamp.id, embedder: this.deps.embedder.id }, 'search index made by another embedder; run `ainfo dataload run all`');
      throw new AppError(503, 'SEARCH_INDEX_REBUILDING', '검색 색인을 다시 만드는 중입니다. 다음 공공데이터 수집이 끝난 뒤에 검색할 수 있습니다.');
    }
    this.stampOk = true;
    return true;
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    return unavailableAs503(this.deps.log, () => this.searchVectors(query));
  }

  private async searchVectors(query: SearchQuery): Promise<SearchResult> {
    const q = query.q.trim();
    if (q === '') throw new AppError(400, 'VALIDATION_FAILED', '검색어(q)를 입력하세요', [{ field: 'q', message: 'required' }]);
    const window = Math.min(query.offset + query.limit, MAX_SEARCH_WINDOW);
    const empty: SearchResult = { items: [], limit: query.limit, offset: query.offset };
    if (window <= query.offset) return empty;
    if (!(await this.assertSameEmbedder())) return empty;
    const filter: VectorFilter = {};
    if (query.source) filter.source = query.source;
    if (query.region) {
      const key = regionKeyOf(query.region);
      filter.regionKey = key === '전국' ? '전국' : [key, '전국'];
    }
    if (query.category) filter.categoryKey = query.category.trim();
    const [embedding] = await this.deps.embedder.embed([q]);
    if (!embedding) return empty;
    const hits = await this.deps.vector.query(embedding, { limit: window, filter });
    return {
      items: hits.slice(query.offset).map((hit) => {
        const source = hit.metadata.source as SourceName;
        return {
          id: hit.id,
          source,
          sourceLabel: SOURCE_INFO[source].label,
          title: String(hit.metadata.title ?? ''),
          summary: String(hit.metadata.summary ?? ''),
          region: String(hit.metadata.region ?? ''),
          category: String(hit.metadata.category ?? ''),
          period: String(hit.metadata.period ?? ''),
          url: String(hit.metadata.url ?? ''),
          score: Math.max(0, Math.round(hit.score * 10_000) / 10_000),
        };
      }),
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** The stored document; AppError 404 when there is none. */
  async get(id: string): Promise<PolicyDocument> {
    const stored = await unavailableAs503(this.deps.log, () => this.deps.vector.get(id));
    const json = stored?.document;
    if (!stored || !json) throw new AppError(404, 'POLICY_NOT_FOUND', `정책 ${id}을(를) 찾을 수 없습니다`);
    return JSON.parse(json) as PolicyDocument;
  }
}

import type { Logger } from 'pino';
import { applicationStatus, applicationStatusOn, seoulDay, type ApplicationStatus } from '../../utils/application-period.ts';
import { depKey } from '../../utils/deps.ts';
import { AppError, type FieldError } from '../../utils/errors.ts';
import { parseRegion, type Region } from '../../utils/regions.ts';
import { VectorStoreUnavailableError, type Embedder, type VectorStore } from '../../vector/index.ts';
import { isSourceName, SOURCE_INFO, type PolicyDocument, type SourceName } from '../dataload/index.ts';
import { SearchCatalogue, type CatalogueSnapshot } from './policies.catalogue.ts';
import { entryOf, whereOf, type CatalogueEntry } from './policies.metadata.ts';
import {
  fuse,
  passesFilters,
  rankDocuments,
  relevanceFloorFor,
  titleMatch,
  type Candidate,
  type RankedResult,
  type RankFilters,
} from './policies.ranking.ts';

/** `open`: only what one can apply to today (open, or always open). */
export const SEARCH_STATUSES = ['any', 'open'] as const;
export type SearchStatus = (typeof SEARCH_STATUSES)[number];

/** Inclusive bounds of a search request, shared by the HTTP schema and the programmatic API. */
export const SEARCH_LIMITS = { qMaxLength: 200, maxLimit: 50, maxAge: 120 } as const;

/** Results beyond this rank are not served: a vector search has no cheap deep paging. */
export const MAX_SEARCH_WINDOW = 200;

export interface SearchQuery {
  /** What to look for: words, a programme's name (1–200 characters once trimmed). */
  q: string;
  /** 만 나이, an integer 0–120: drops programmes whose known age range excludes it; unknown ranges stay. */
  age?: number;
  /**
   * Where the person lives: `서울`, `서울특별시`, `서울 강남구`, a unique 시군구 alone (`강남구`), or
   * `전국` (parsed by `parseRegion`), or a `Region` already parsed. Keeps programmes for 전국, the
   * enclosing 시도 (whole) and that 시군구; `전국` keeps nationwide programmes only.
   */
  region?: string | Region;
  /** `open` keeps what one can apply to today, in Asia/Seoul (`open` and `always`). Default `any`. */
  status?: SearchStatus;
  source?: SourceName;
  /** Top-level category (`주거`, `일자리`, `주거·자립`, `취업지원`). */
  category?: string;
  /** Items per page, 1–50. */
  limit: number;
  /** Items to skip, 0 to `MAX_SEARCH_WINDOW - 1`; past the results, `items` is empty. */
  offset: number;
}

/** One listing of a programme that was merged with others. */
export interface SearchSource {
  id: string;
  source: SourceName;
  sourceLabel: string;
  title: string;
  url: string;
}

export interface SearchItem {
  /** `source:nativeId`; `getMany([id])` gives the whole document. */
  id: string;
  source: SourceName;
  sourceLabel: string;
  title: string;
  /** At most 300 characters. */
  summary: string;
  /** Display name: `서울특별시 강남구`, `경기도`, `전국`. */
  region: string;
  category: string;
  /** The application period as the source wrote it. */
  period: string;
  url: string;
  /** Fused relevance, 0..1 (vector, keyword and title match): at least the relevance floor. */
  score: number;
  /** Whether one can apply today (Asia/Seoul), computed now from the parsed period. */
  status: ApplicationStatus;
  /** First and last day to apply (ISO days, inclusive); null when not stated. */
  applyStart: string | null;
  applyEnd: string | null;
  /** 만 나이 bounds; null when the source states none. */
  ageMin: number | null;
  ageMax: number | null;
  /**
   * Present when near-duplicates (same normalised title, region and organisation) were merged
   * into this item: every listing, this one first.
   */
  sources?: SearchSource[];
}

export interface SearchResult {
  items: SearchItem[];
  limit: number;
  offset: number;
  /** How many results there are in all (after filters, the floor and merging; at most 200). */
  total: number;
}

/** What the service needs besides the store: tuning that tests and the bench set. */
export interface SearchTuning {
  /** Results below this fused score are not returned. Default: calibrated for the embedder. */
  floor?: number;
  /** The moment statuses are computed for. Default: the real clock. */
  clock?: () => Date;
  /** Time between two reads of the catalogue version. Default 5 s. */
  catalogueCheckMs?: number;
  /**
   * A selective filter that keeps at most this many documents is sent to Chroma as their ids;
   * above it, as a `where`. Default 2,000 (see PUSHDOWN_SHARE for why).
   */
  maxIdFilter?: number;
}

/**
 * A filter that keeps fewer than this share of the documents is applied by Chroma (so it cannot
 * starve the vector window); one that keeps more is applied here to a window widened to hold about
 * `MAX_SEARCH_WINDOW` passing documents. Measured on 10,000 documents (docs/search.md): a nearest
 * query restricted to a list of up to 2,500 ids takes 13–18 ms, while a `where` takes 19 ms on one
 * key and 40–105 ms with a 시군구 and an age range, and a wider unfiltered window costs 1–3 ms.
 */
const PUSHDOWN_SHARE = 0.25;
const MAX_ID_FILTER = 2_000;
/** The most vector results read when filters are applied here instead (4 × the window). */
const MAX_VECTOR_RESULTS = 4 * MAX_SEARCH_WINDOW;
/** Keyword-only candidates considered per search, best first. */
const KEYWORD_CANDIDATES = 50;

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

interface ValidQuery {
  q: string;
  age: number | undefined;
  region: Region | undefined;
  status: SearchStatus;
  source: SourceName | undefined;
  category: string | undefined;
  limit: number;
  offset: number;
}

const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** Checks a query from any caller (HTTP validates first; the programmatic API only here). */
function validate(query: SearchQuery): ValidQuery {
  const fields: FieldError[] = [];
  const q = typeof query.q === 'string' ? query.q.trim() : '';
  if (q === '') fields.push({ field: 'q', message: '검색어(q)를 입력하세요' });
  else if (q.length > SEARCH_LIMITS.qMaxLength) fields.push({ field: 'q', message: `검색어(q)는 ${SEARCH_LIMITS.qMaxLength}자까지 입력할 수 있습니다` });
  if (query.age !== undefined && !isWhole(query.age, 0, SEARCH_LIMITS.maxAge)) {
    fields.push({ field: 'age', message: `나이(age)는 0부터 ${SEARCH_LIMITS.maxAge} 사이의 정수로 입력하세요` });
  }
  let region: Region | undefined;
  if (typeof query.region === 'string') {
    region = query.region.trim() === '' ? undefined : parseRegion(query.region);
    if (query.region.trim() !== '' && !region) {
      fields.push({
        field: 'region',
        message: `지역(region) "${query.region.trim()}"을(를) 알 수 없습니다. 시도(예: 서울)나 시도와 시군구(예: 서울 강남구)로 입력하세요`,
      });
    }
  } else {
    region = query.region;
  }
  const status = query.status ?? 'any';
  if (!(SEARCH_STATUSES as readonly string[]).includes(status)) fields.push({ field: 'status', message: 'status는 any 또는 open입니다' });
  if (query.source !== undefined && !isSourceName(query.source)) fields.push({ field: 'source', message: 'source는 work24, youth, gov24 중 하나입니다' });
  if (!isWhole(query.limit, 1, SEARCH_LIMITS.maxLimit)) fields.push({ field: 'limit', message: `limit은 1부터 ${SEARCH_LIMITS.maxLimit} 사이의 정수입니다` });
  if (!isWhole(query.offset, 0, MAX_SEARCH_WINDOW - 1)) fields.push({ field: 'offset', message: `offset은 0부터 ${MAX_SEARCH_WINDOW - 1} 사이의 정수입니다` });
  const [first] = fields;
  if (first) throw new AppError(400, 'VALIDATION_FAILED', first.message, fields);
  const category = query.category?.trim();
  return { q, age: query.age, region, status, source: query.source, category: category === '' ? undefined : category, limit: query.limit, offset: query.offset };
}

/** What the policies routes use: the search service. */
export const POLICIES = depKey<PolicySearchService>('policies');

/**
 * Policy search over the Chroma collection the weekly load fills (through PolicyIndex): the
 * vector search, fused with a keyword score over the whole collection, filtered by eligibility,
 * region and status, cut at a calibrated relevance floor, with near-duplicates merged
 * (docs/search.md). No HTTP here: the routes and the `ask` module call the same `search`.
 */
export class PolicySearchService {
  /** Results below this fused score are not returned. */
  readonly relevanceFloor: number;
  private readonly catalogue: SearchCatalogue;
  private readonly clock: () => Date;
  private warnedUncalibrated = false;

  constructor(private readonly deps: { vector: VectorStore; embedder: Embedder; log: Logger; tuning?: SearchTuning }) {
    const tuning = deps.tuning ?? {};
    this.relevanceFloor = tuning.floor ?? relevanceFloorFor(deps.embedder.id).floor;
    this.clock = tuning.clock ?? (() => new Date());
    this.catalogue = new SearchCatalogue({
      vector: deps.vector,
      embedderId: deps.embedder.id,
      log: deps.log,
      ...(tuning.catalogueCheckMs !== undefined ? { checkMs: tuning.catalogueCheckMs } : {}),
    });
  }

  /** How many times this process read the whole catalogue for its keyword index. */
  get catalogueBuilds(): number {
    return this.catalogue.builds;
  }

  /**
   * Ranked programmes for a query, best first; `items` is empty when nothing is relevant enough.
   * Throws `AppError` 400 naming the fields of a bad query, 503 when Chroma does not answer or was
   * built by another embedder.
   */
  async search(query: SearchQuery): Promise<SearchResult> {
    const valid = validate(query);
    return unavailableAs503(this.deps.log, () => this.run(valid));
  }

  private async run(query: ValidQuery): Promise<SearchResult> {
    const empty: SearchResult = { items: [], limit: query.limit, offset: query.offset, total: 0 };
    const { embedder } = this.deps;
    this.warnIfUncalibrated();
    const [catalogue, embeddings] = await Promise.all([this.catalogue.current(), embedder.embed([query.q])]);
    const embedding = embeddings[0];
    if (catalogue.version === '' || !embedding) return empty;

    const now = this.clock();
    const today = seoulDay(now);
    const filters: RankFilters = { now, status: query.status, ...(query.age !== undefined ? { age: query.age } : {}), ...(query.region ? { region: query.region } : {}) };
    const accepts = (entry: CatalogueEntry): boolean =>
      (!query.source || entry.source === query.source) &&
      (!query.category || entry.categoryKey === query.category) &&
      passesFilters(entry, filters, applicationStatusOn(entry, today));

    const { hits, complete } = await this.nearest(query, embedding, catalogue, accepts, today);
    const listings = await this.entriesOf(hits.map((hit) => hit.id), catalogue);
    const candidates: Candidate<CatalogueEntry>[] = [];
    for (const hit of hits) {
      const entry = listings.get(hit.id);
      if (entry && accepts(entry)) candidates.push({ doc: entry, vectorScore: hit.score });
    }
    if (!complete) candidates.push(...(await this.keywordOnly(query.q, embedding, hits, catalogue, accepts)));

    const ranked = rankDocuments(query.q, candidates, { ...filters, floor: this.relevanceFloor }, catalogue.index).slice(0, MAX_SEARCH_WINDOW);
    const byId = new Map(candidates.map(({ doc }) => [doc.id, doc]));
    return {
      items: ranked.slice(query.offset, query.offset + query.limit).map((result) => itemOf(result, byId)),
      limit: query.limit,
      offset: query.offset,
      total: ranked.length,
    };
  }

  /**
   * The vector window: the nearest documents, with the filters applied by Chroma when they are
   * selective (as the list of the ids they keep, or as a `where` when that list would be long),
   * and otherwise over a window widened by the share they keep. `complete` says the window holds
   * every document the filters allow (there was room to spare).
   */
  private async nearest(
    query: ValidQuery,
    embedding: number[],
    catalogue: CatalogueSnapshot,
    accepts: (entry: CatalogueEntry) => boolean,
    today: string,
  ): Promise<{ hits: { id: string; score: number }[]; complete: boolean }> {
    const { vector } = this.deps;
    const filtered = query.age !== undefined || query.region !== undefined || query.status === 'open' || query.source !== undefined || query.category !== undefined;
    const passing: string[] = [];
    if (filtered) for (const entry of catalogue.entries.values()) if (accepts(entry)) passing.push(entry.id);
    const share = filtered && catalogue.entries.size > 0 ? passing.length / catalogue.entries.size : 1;
    let want = MAX_SEARCH_WINDOW;
    let hits: { id: string; score: number }[];
    if (share >= PUSHDOWN_SHARE) {
      want = Math.min(MAX_VECTOR_RESULTS, Math.ceil(MAX_SEARCH_WINDOW / share));
      hits = await vector.nearest(embedding, { limit: want });
    } else if (passing.length <= (this.deps.tuning?.maxIdFilter ?? MAX_ID_FILTER)) {
      hits = await vector.nearest(embedding, { limit: want, ids: passing });
    } else {
      const where = whereOf({
        ...(query.source ? { source: query.source } : {}),
        ...(query.category ? { category: query.category } : {}),
        ...(query.region ? { region: query.region } : {}),
        ...(query.age !== undefined ? { age: query.age } : {}),
        ...(query.status === 'open' ? { openOn: today } : {}),
      });
      hits = await vector.nearest(embedding, { limit: want, ...where });
    }
    return { hits, complete: hits.length < want };
  }

  /** The catalogue entries of these ids; ids written since the last build are read from Chroma. */
  private async entriesOf(ids: readonly string[], catalogue: CatalogueSnapshot): Promise<Map<string, CatalogueEntry>> {
    const found = new Map<string, CatalogueEntry>();
    const missing: string[] = [];
    for (const id of ids) {
      const entry = catalogue.entries.get(id);
      if (entry) found.set(id, entry);
      else missing.push(id);
    }
    for (const stored of await this.deps.vector.getMany(missing)) {
      const entry = entryOf(stored.id, stored.metadata);
      if (entry) found.set(stored.id, entry);
    }
    return found;
  }

  /**
   * Documents the keyword index finds that the vector window missed (an exact name the embedder
   * scores low). Their cosine is at most the window's last score, so only those that could pass
   * the floor with that bound are scored exactly, from their stored vectors. (A window
   * that was not full held every document the filters allow: then there is nothing to add.)
   */
  private async keywordOnly(
    q: string,
    embedding: number[],
    hits: readonly { id: string; score: number }[],
    catalogue: CatalogueSnapshot,
    accepts: (entry: CatalogueEntry) => boolean,
  ): Promise<Candidate<CatalogueEntry>[]> {
    const last = hits[hits.length - 1];
    if (!last) return [];
    const seen = new Set(hits.map((hit) => hit.id));
    const { index, entries } = catalogue;
    const asked = index.queryWords(q).join(' ');
    const hopeful = index
      .search(q, KEYWORD_CANDIDATES, (id) => {
        const entry = entries.get(id);
        return !seen.has(id) && entry !== undefined && accepts(entry);
      })
      .filter(({ id, score }) => fuse(last.score, score, titleMatch(asked, entries.get(id)?.title ?? '')) >= this.relevanceFloor);
    if (hopeful.length === 0) return [];
    const scored = await this.deps.vector.similarities(embedding, hopeful.map(({ id }) => id));
    return scored.flatMap(({ id, score }) => {
      const entry = entries.get(id);
      return entry ? [{ doc: entry, vectorScore: score }] : [];
    });
  }

  private warnIfUncalibrated(): void {
    if (this.warnedUncalibrated || this.deps.tuning?.floor !== undefined) return;
    this.warnedUncalibrated = true;
    const { calibrated, floor } = relevanceFloorFor(this.deps.embedder.id);
    if (!calibrated) {
      this.deps.log.warn(
        { embedder: this.deps.embedder.id, floor },
        'no relevance floor is calibrated for this embedder; using the default. Calibrate it with `npm run bench:search` (docs/search.md)',
      );
    }
  }

  /** Whether one can apply to a document today (Asia/Seoul), by this service's clock. */
  statusOf(doc: Pick<PolicyDocument, 'applyStart' | 'applyEnd' | 'periodKind'>): ApplicationStatus {
    return applicationStatus(doc, this.clock());
  }

  /** The stored documents of these ids, in the order asked; unknown ids are left out. */
  async getMany(ids: readonly string[]): Promise<PolicyDocument[]> {
    const stored = await unavailableAs503(this.deps.log, () => this.deps.vector.getMany(ids));
    return stored.filter((each) => each.document !== '').map((each) => storedDocument(each.document));
  }

  /**
   * The stored documents of these ids, in the order asked, unknown ids left out, as this process's
   * catalogue holds them (the build search ranks with): no Chroma read, except for ids written
   * since that build. Like search results, they may lag a write by the catalogue's check interval
   * plus one build; `getMany` reads Chroma itself.
   */
  async documentsOf(ids: readonly string[]): Promise<PolicyDocument[]> {
    return unavailableAs503(this.deps.log, async () => {
      const { documents } = await this.catalogue.current();
      const missing = ids.filter((id) => !documents.has(id));
      const read = new Map((await this.deps.vector.getMany(missing)).map((stored) => [stored.id, stored.document]));
      return ids.flatMap((id) => {
        const json = documents.get(id) ?? read.get(id) ?? '';
        return json === '' ? [] : [storedDocument(json)];
      });
    });
  }

  /** The stored document; AppError 404 when there is none. */
  async get(id: string): Promise<PolicyDocument> {
    const [doc] = await this.getMany([id]);
    if (!doc) throw new AppError(404, 'POLICY_NOT_FOUND', `정책 ${id}을(를) 찾을 수 없습니다`);
    return doc;
  }
}

/** Structured fields a document stored before they existed lacks, until the next load rewrites it. */
const STRUCTURED_DEFAULTS = {
  regionSido: null,
  regionSigungu: null,
  ageMin: null,
  ageMax: null,
  applyStart: null,
  applyEnd: null,
  periodKind: 'unknown',
  conditions: null,
} as const satisfies Partial<PolicyDocument>;

function storedDocument(json: string): PolicyDocument {
  return { ...STRUCTURED_DEFAULTS, ...(JSON.parse(json) as Partial<PolicyDocument>) } as PolicyDocument;
}

function itemOf(result: RankedResult<CatalogueEntry>, listings: ReadonlyMap<string, CatalogueEntry>): SearchItem {
  const { doc } = result;
  const item: SearchItem = {
    id: doc.id,
    source: doc.source,
    sourceLabel: SOURCE_INFO[doc.source].label,
    title: doc.title,
    summary: doc.summary,
    region: doc.region,
    category: doc.category,
    period: doc.period,
    url: doc.url,
    score: Math.round(result.score * 10_000) / 10_000,
    status: result.status,
    applyStart: doc.applyStart,
    applyEnd: doc.applyEnd,
    ageMin: doc.ageMin,
    ageMax: doc.ageMax,
  };
  if (result.sources.length > 1) {
    item.sources = result.sources.flatMap(({ id }) => {
      const listing = listings.get(id);
      return listing ? [{ id, source: listing.source, sourceLabel: SOURCE_INFO[listing.source].label, title: listing.title, url: listing.url }] : [];
    });
  }
  return item;
}

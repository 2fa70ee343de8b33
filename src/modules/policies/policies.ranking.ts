import { applicationStatusOn, seoulDay, type ApplicationStatus, type PeriodKind } from '../../utils/application-period.ts';
import { regionMatches, type Region } from '../../utils/regions.ts';

/**
 * Ranking of policy search results, pure (no IO): a keyword score (BM25 over title and summary, on
 * Korean character bigrams), fused with the vector score by a calibrated linear blend, filters on
 * eligibility and application status, a relevance floor, and near-duplicate merging.
 *
 * Why a linear blend and not reciprocal-rank fusion: RRF only sees ranks, so the best of a list of
 * poor matches scores as high as the best of good ones, and a search could never say "nothing
 * matched". The blend keeps an absolute scale (0..1) a floor can cut: the vector score is a cosine,
 * and the keyword score is normalised per query to "how much of the query, weighted by rarity, the
 * title and summary contain" (1 = every term present once in a document of average length).
 *
 * Calibrating the floor: `npm run bench:search` runs the labelled query set (bench/search-queries.ts,
 * a quarter of the queries with nothing relevant) through the real search with `floor: 0`, sweeps
 * the floor from 0 to 0.6 in steps of 0.01 and picks the middle of the widest run of floors that
 * maximise (share of no-answer queries answered with nothing) + (precision@5 of the others),
 * subject to no query in the data's own words (names, topics, filters) losing its relevant first
 * result. Do it per embedder (the lexical default and OpenAI give cosines on different scales)
 * and keep the result in `RELEVANCE_FLOORS`, with the sweep table in docs/benchmarks.md.
 */

/** What ranking reads of a document; `PolicyDocument` has all of it. */
export interface RankableDocument {
  id: string;
  source: string;
  title: string;
  summary: string;
  organization: string;
  regionSido: string | null;
  regionSigungu: string | null;
  ageMin: number | null;
  ageMax: number | null;
  applyStart: string | null;
  applyEnd: string | null;
  periodKind: PeriodKind;
}

/** A document the vector search returned, with its cosine similarity to the query. */
export interface Candidate<D extends RankableDocument> {
  doc: D;
  vectorScore: number;
}

export interface RankFilters {
  /** The moment statuses are computed for (Asia/Seoul days). */
  now: Date;
  /** Drops documents whose known age bounds exclude this age (unknown bounds stay). */
  age?: number;
  /** Keeps documents for 전국, the enclosing 시도 and the same 시군구 (`regionMatches`). */
  region?: Region;
  /** `open` keeps documents one can apply to now: `open` and `always`. Default `any`. */
  status?: 'any' | 'open';
}

export interface RankOptions extends RankFilters {
  /** Results whose fused score is below this are not returned. Default `DEFAULT_RELEVANCE_FLOOR`. */
  floor?: number;
  /** Weight of the vector score in the blend, 0..1; the keyword score gets the rest. Default 0.5. */
  vectorWeight?: number;
  /** Share of the final score given to the title matching the query itself. Default 0.2. */
  titleBoost?: number;
}

export interface RankedResult<D extends RankableDocument> {
  /** The best-scoring listing of the programme. */
  doc: D;
  /** Fused score, 0..1. */
  score: number;
  vectorScore: number;
  keywordScore: number;
  status: ApplicationStatus;
  /** Every listing merged into this result, best first (one entry when nothing was merged). */
  sources: { id: string; source: string }[];
}

/**
 * The floor of an embedder nobody has calibrated: the lexical embedder's, the only one calibrated
 * here (an embedder with another similarity scale should get its own, as described above).
 */
export const DEFAULT_RELEVANCE_FLOOR = 0.35;

/**
 * Relevance floors calibrated per embedder id by `npm run bench:search` (the sweep is in
 * docs/benchmarks.md). An embedder without one gets `DEFAULT_RELEVANCE_FLOOR`, and search logs
 * that it is uncalibrated.
 */
export const RELEVANCE_FLOORS: Readonly<Record<string, number>> = {
  // 0.34–0.36 maximise (no-answer share + precision@5) on the 59 labelled queries: every no-answer
  // query empty, precision@5 0.89, no exact name or topic losing its first result.
  'lexical-ngram-v1:1024': 0.35,
};

/** The floor for an embedder, and whether it was calibrated for it. */
export function relevanceFloorFor(embedderId: string): { floor: number; calibrated: boolean } {
  const floor = RELEVANCE_FLOORS[embedderId];
  return floor === undefined ? { floor: DEFAULT_RELEVANCE_FLOOR, calibrated: false } : { floor, calibrated: true };
}
const DEFAULT_VECTOR_WEIGHT = 0.5;
const DEFAULT_TITLE_BOOST = 0.2;
/** BM25 saturation and length normalisation, the usual values. */
const K1 = 1.2;
const B = 0.75;
/** A term in the title counts as this many occurrences (BM25F-style field weight). */
const TITLE_WEIGHT = 2;

const HANGUL_RUN = /[\p{Script=Hangul}]+/gu;
const OTHER_WORD = /[\p{L}\p{N}]+/gu;

/**
 * The terms of a text: each run of Hangul gives its character bigrams (a lone syllable gives
 * itself) and, when longer than two syllables, the whole run, so 청년월세 matches 청년 월세 and
 * an exact compound counts extra; other letters and digits give lower-case words (`ai`, `2026`).
 * No Korean morphological analyser runs offline here, and bigrams are the usual substitute.
 */
export function searchTerms(text: string): string[] {
  const normalised = text.normalize('NFKC').toLowerCase();
  const terms: string[] = [];
  for (const [run] of normalised.matchAll(HANGUL_RUN)) {
    if (run.length === 1) {
      terms.push(run);
      continue;
    }
    for (let i = 0; i + 1 < run.length; i += 1) terms.push(run.slice(i, i + 2));
    if (run.length > 2) terms.push(`=${run}`);
  }
  for (const [word] of normalised.replace(HANGUL_RUN, ' ').matchAll(OTHER_WORD)) terms.push(word);
  return terms;
}

/**
 * Words of a request that carry no topic (`월세 지원받고 싶어요`, `면접 볼 때 정장 빌려주는 곳`).
 * A search box mostly gets keywords; turning whole questions into keywords is the ask module's
 * work, this only keeps the commonest request endings, dependent nouns (때, 곳, 것) and light verb
 * forms (받는, 하는, 볼) from counting as missing rare terms against every document.
 */
const REQUEST_WORDS = new Set([
  '싶어요', '싶어', '싶습니다', '싶은데', '주세요', '알려줘', '알려주세요', '있나요', '있을까요', '있어요', '어떻게', '무엇', '뭐가', '뭐', '좀',
  '때', '곳', '것', '수', '데', '등', '및', '또는', '더', '꼭', '때문에', '경우', '어디', '어디서', '언제', '어떤', '무슨',
  '받고', '받는', '받을', '받으려면', '하고', '하는', '할', '하려면', '볼', '보는', '주는', '되는', '있는', '없는', '위한', '위해', '대한', '관련',
]);

/**
 * A predicate's polite or plain ending (`힘들어요`, `받을래요`, `없습니다`): in a question it says how
 * the person feels or what they do, not which programme they mean. Such a word is dropped when the
 * collection does not know how it begins; a known one (`지원해요` → 지원) is cut as any other word.
 */
const PREDICATE_ENDING = /[\p{Script=Hangul}](?:어요|아요|해요|예요|에요|래요|네요|세요|니다|나요|까요|죠)$/u;

export interface KeywordFields {
  id: string;
  title: string;
  summary: string;
}

/**
 * BM25 over titles and summaries. Build it over the whole collection (IDF needs the corpus: a
 * term found everywhere, 지원 or 청년, must weigh little); `KeywordIndex.of(candidates)` is the
 * fallback when only the candidates are at hand. Postings are kept per term, so a 10,000-document
 * index costs a few MB and a search touches only the query's terms.
 */
export class KeywordIndex {
  private readonly ids: string[] = [];
  private readonly position = new Map<string, number>();
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, { docs: number[]; tfs: number[] }>();
  private readonly averageLength: number;

  constructor(documents: Iterable<KeywordFields>) {
    let total = 0;
    for (const { id, title, summary } of documents) {
      if (this.position.has(id)) continue;
      const index = this.ids.length;
      this.ids.push(id);
      this.position.set(id, index);
      const counts = new Map<string, number>();
      for (const term of searchTerms(title)) counts.set(term, (counts.get(term) ?? 0) + TITLE_WEIGHT);
      for (const term of searchTerms(summary)) counts.set(term, (counts.get(term) ?? 0) + 1);
      let length = 0;
      for (const [term, tf] of counts) {
        length += tf;
        let posting = this.postings.get(term);
        if (!posting) {
          posting = { docs: [], tfs: [] };
          this.postings.set(term, posting);
        }
        posting.docs.push(index);
        posting.tfs.push(tf);
      }
      this.lengths.push(length);
      total += length;
    }
    this.averageLength = this.ids.length > 0 ? total / this.ids.length : 1;
  }

  static of(documents: Iterable<KeywordFields>): KeywordIndex {
    return new KeywordIndex(documents);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.position.has(id);
  }

  /** Inverse document frequency, never negative; a term no document has weighs the most. */
  idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + (this.ids.length - df + 0.5) / (df + 0.5));
  }

  /**
   * The words of a query as they count. A word whose beginning the index knows but whose ending it
   * does not (`월세를`, `지원받고`, `청년월세를`) is cut to its longest known beginning: otherwise
   * the particle's or ending's bigram (`세를`), found nowhere, would count as a missing rare term
   * against every document. A word unknown from its first bigram (`장학금`, `zzzz`) is kept whole:
   * that absence is what tells a search nothing matched; unless it is a predicate (`힘들어요`).
   */
  queryWords(query: string): string[] {
    const words = query
      .normalize('NFKC')
      .toLowerCase()
      .split(/\s+/)
      .filter((word) => word.length > 0 && !REQUEST_WORDS.has(word) && !(PREDICATE_ENDING.test(word) && !this.postings.has(word.slice(0, 2))));
    return words.map((word) => {
      if (!/^[\p{Script=Hangul}]{3,}$/u.test(word) || !this.postings.has(word.slice(0, 2))) return word;
      let end = 2;
      while (end < word.length && this.postings.has(word.slice(end - 1, end + 1))) end += 1;
      return word.slice(0, end);
    });
  }

  /** The distinct search terms of the query's words (`queryWords`). */
  queryTerms(query: string): string[] {
    return [...new Set(this.queryWords(query).flatMap((word) => searchTerms(word)))];
  }

  private termScore(tf: number, length: number): number {
    return (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / this.averageLength));
  }

  /**
   * The keyword score of an indexed document, 0..1: its BM25 score over the query's total IDF,
   * capped at 1. Zero for an id the index does not hold.
   */
  score(terms: readonly string[], id: string): number {
    const index = this.position.get(id);
    if (index === undefined || terms.length === 0) return 0;
    const length = this.lengths[index] ?? 0;
    let score = 0;
    let weight = 0;
    for (const term of terms) {
      const idf = this.idf(term);
      weight += idf;
      const posting = this.postings.get(term);
      if (!posting) continue;
      const at = binarySearch(posting.docs, index);
      if (at >= 0) score += idf * this.termScore(posting.tfs[at] ?? 0, length);
    }
    return weight > 0 ? Math.min(1, score / weight) : 0;
  }

  /**
   * The best documents by keyword score alone, for candidates the vector search missed; `accept`
   * filters before the limit is applied, so a selective filter still gets `limit` documents.
   */
  search(query: string, limit: number, accept?: (id: string) => boolean): { id: string; score: number }[] {
    const totals = new Float64Array(this.ids.length);
    const touched: number[] = [];
    let weight = 0;
    for (const term of this.queryTerms(query)) {
      const idf = this.idf(term);
      weight += idf;
      const posting = this.postings.get(term);
      if (!posting) continue;
      for (let at = 0; at < posting.docs.length; at += 1) {
        const index = posting.docs[at] ?? 0;
        if (totals[index] === 0) touched.push(index);
        totals[index] = (totals[index] ?? 0) + idf * this.termScore(posting.tfs[at] ?? 0, this.lengths[index] ?? 0);
      }
    }
    if (weight === 0) return [];
    touched.sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0) || a - b);
    const hits: { id: string; score: number }[] = [];
    for (const index of touched) {
      if (hits.length >= limit) break;
      const id = this.ids[index] ?? '';
      if (!accept || accept(id)) hits.push({ id, score: Math.min(1, (totals[index] ?? 0) / weight) });
    }
    return hits;
  }
}

function binarySearch(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = sorted[middle] ?? 0;
    if (found === value) return middle;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Text reduced for comparison: no spaces, punctuation or year tags (`(2026)`, `2026년`), lower case. */
function comparable(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[([]\s*20\d{2}\s*(?:년도?)?\s*[)\]]|20\d{2}\s*년도?/g, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * How much the title itself answers the query: 1 when they are the same name, 0.5 when the title
 * contains the whole query (at least three letters), else 0. This is what makes an exact
 * programme name win over a long document that happens to share many words with it.
 */
export function titleMatch(query: string, title: string): number {
  const q = comparable(query);
  const t = comparable(title);
  if (q.length === 0) return 0;
  if (q === t) return 1;
  return q.length >= 3 && t.includes(q) ? 0.5 : 0;
}

/**
 * The fused score, 0..1: the blend of the vector and keyword scores, with a share given to how
 * much the title itself answers the query (`titleMatch`). Raising any input never lowers it, so
 * it also bounds the score of a document whose vector score is only known to be at most `vector`.
 */
export function fuse(
  vector: number,
  keyword: number,
  title: number,
  options: Pick<RankOptions, 'vectorWeight' | 'titleBoost'> = {},
): number {
  const vectorWeight = options.vectorWeight ?? DEFAULT_VECTOR_WEIGHT;
  const titleBoost = options.titleBoost ?? DEFAULT_TITLE_BOOST;
  const blend = vectorWeight * Math.min(1, Math.max(0, vector)) + (1 - vectorWeight) * keyword;
  return (1 - titleBoost) * blend + titleBoost * title;
}

/** Same programme, listed twice: same normalised title, region and organisation. */
export function duplicateKey(doc: RankableDocument): string {
  return [comparable(doc.title), doc.regionSido ?? '전국', doc.regionSigungu ?? '', comparable(doc.organization)].join('|');
}

/** Whether a document passes the eligibility, region and status filters. */
export function passesFilters(doc: RankableDocument, filters: RankFilters, status = applicationStatusOn(doc, seoulDay(filters.now))): boolean {
  const { age, region } = filters;
  if (age !== undefined && ((doc.ageMin !== null && age < doc.ageMin) || (doc.ageMax !== null && age > doc.ageMax))) return false;
  if (region && !regionMatches({ sido: doc.regionSido, sigungu: doc.regionSigungu }, region)) return false;
  if (filters.status === 'open' && status !== 'open' && status !== 'always') return false;
  return true;
}

/**
 * Ranks the vector search's candidates for a query: filters, scores (the blend of vector and
 * keyword scores, plus the title boost), merges near-duplicates into their best listing, and
 * drops what falls below the floor. Best first; ties go to the keyword score, then the id.
 * `index` should cover the whole collection; without it, IDF comes from the candidates alone.
 */
export function rankDocuments<D extends RankableDocument>(
  query: string,
  candidates: readonly Candidate<D>[],
  options: RankOptions,
  index: KeywordIndex = KeywordIndex.of(candidates.map(({ doc }) => doc)),
): RankedResult<D>[] {
  const floor = options.floor ?? DEFAULT_RELEVANCE_FLOOR;
  const terms = index.queryTerms(query);
  const asked = index.queryWords(query).join(' ');
  // Candidates the index does not hold (written after it was built) are scored by a small index of their own.
  const missing = candidates.filter(({ doc }) => !index.has(doc.id)).map(({ doc }) => doc);
  const extra = missing.length > 0 ? KeywordIndex.of(missing) : undefined;

  const today = seoulDay(options.now);
  const scored: RankedResult<D>[] = [];
  for (const { doc, vectorScore } of candidates) {
    const status = applicationStatusOn(doc, today);
    if (!passesFilters(doc, options, status)) continue;
    const vector = Math.min(1, Math.max(0, vectorScore));
    const keyword = index.has(doc.id) ? index.score(terms, doc.id) : (extra?.score(extra.queryTerms(query), doc.id) ?? 0);
    const score = fuse(vector, keyword, titleMatch(asked, doc.title), options);
    scored.push({ doc, score, vectorScore: vector, keywordScore: keyword, status, sources: [{ id: doc.id, source: doc.source }] });
  }
  scored.sort((a, b) => b.score - a.score || b.keywordScore - a.keywordScore || a.doc.id.localeCompare(b.doc.id));

  const merged = new Map<string, RankedResult<D>>();
  for (const result of scored) {
    const key = duplicateKey(result.doc);
    const best = merged.get(key);
    if (best) best.sources.push(...result.sources);
    else merged.set(key, result);
  }
  return [...merged.values()].filter((result) => result.score >= floor);
}

/**
 * The policies module's public API: the only file other code imports from this folder.
 *
 * It owns the Chroma collection of collected policies: `PolicyIndex` is the write side the weekly
 * load (dataload) writes through, and `PolicySearchService` the read side every caller shares,
 * the HTTP routes and the `ask` module alike. Build it once per process with `createPolicies`
 * (the composition root does); the service is `policies.search`.
 *
 * Searching without HTTP:
 * ```ts
 * const { items, total } = await policies.search.search({
 *   q: '청년 월세 지원',      // required, 1–200 characters
 *   age: 27,                   // optional 만 나이 0–120: drops programmes whose known range excludes it
 *   region: '서울 강남구',     // optional: a 시도, `시도 시군구`, a unique 시군구, `전국`, or a parsed Region
 *   status: 'open',            // optional 'any' (default) | 'open' (open or always open today, Asia/Seoul)
 *   source: 'youth',           // optional 'work24' | 'youth' | 'gov24'
 *   limit: 5,                  // 1–50
 *   offset: 0,                 // 0–199
 * });
 * const documents = await policies.search.getMany(items.map((item) => item.id)); // whole PolicyDocuments
 * const cited = await policies.search.documentsOf(ids); // the same, from the in-memory catalogue (ask's prompt)
 * ```
 * - `items` are best first, each with `status`, `applyStart`/`applyEnd`, `ageMin`/`ageMax`, a fused
 *   `score` (0..1) and, when listings of the same programme were merged, `sources`.
 * - An empty `items` (with `total: 0`) means nothing was relevant enough: answer "nothing found",
 *   do not retry with other words hoping for a result.
 * - A bad query throws `AppError` 400 with `fields` naming each bad field (`q`, `age`, `region`,
 *   `status`, `source`, `limit`, `offset`); Chroma down or built by another embedder throws
 *   `AppError` 503. `get(id)` throws 404 for an unknown id; `getMany` leaves unknown ids out.
 * - `statusOf(doc)` gives a document's status today by the same clock.
 * How ranking, the floor and merging work, and how to recalibrate the floor: docs/search.md.
 */
export { createPolicies, type Policies } from './policies.module.ts';
export {
  POLICIES,
  PolicySearchService,
  MAX_SEARCH_WINDOW,
  SEARCH_LIMITS,
  SEARCH_STATUSES,
  type SearchItem,
  type SearchQuery,
  type SearchResult,
  type SearchSource,
  type SearchStatus,
  type SearchTuning,
} from './policies.service.ts';
export { PolicyIndex } from './policies.index.ts';
export { safeUrl, statusBadge } from './policies.page.ts';

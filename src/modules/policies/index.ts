// The policies module's public API: the only file other code imports from this folder.
export { createPolicies, type Policies } from './policies.module.ts';
export { POLICIES, PolicySearchService, MAX_SEARCH_WINDOW, type SearchItem, type SearchQuery, type SearchResult } from './policies.service.ts';
export { PolicyIndex } from './policies.index.ts';

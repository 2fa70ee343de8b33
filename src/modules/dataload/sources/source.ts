import type { PolicyDocument, SourceName } from '../dataload.types.ts';
import { PublicApiError, type PublicApiClient } from '../public-api-client.ts';

export interface SourceEndpoint {
  baseUrl: string;
  apiKey: string;
  /** Records per page; each source has its own default and maximum. */
  pageSize?: number;
}

/** One fetched page, normalised. */
export interface SourcePage {
  /** 1-based, counting every request of the run (gov24 counts its detail pages too). */
  page: number;
  /** Pages the run will fetch in all, once known. */
  pages: number | undefined;
  /** Records the source says it lists. */
  total: number | undefined;
  documents: PolicyDocument[];
  /** Records on this page that could not be normalised (no id or no title). */
  failed: number;
}

/**
 * A public data source. `pages` yields every page and returns normally only when the listing was
 * fetched completely; any failure throws, so the caller never mistakes a partial listing for the
 * whole and deletes what it did not see.
 */
export interface Source {
  readonly name: SourceName;
  pages(client: PublicApiClient, endpoint: SourceEndpoint): AsyncGenerator<SourcePage, void, undefined>;
}

/** Thrown when a listing ends before the total the source announced. */
export function incompleteListing(source: SourceName, seen: number, total: number): PublicApiError {
  return new PublicApiError(source, 'malformed', `목록이 도중에 끝났습니다 (${seen}/${total}건)`);
}

export function withQuery(base: string, params: Record<string, string | number>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  return url.toString();
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { Logger } from 'pino';
import { SOURCE_INFO, type SourceName } from './dataload.types.ts';

/** Why a request to a public API failed. */
export type PublicApiFailure = 'auth' | 'quota' | 'server' | 'timeout' | 'network' | 'malformed' | 'rejected';

const RETRYABLE: ReadonlySet<PublicApiFailure> = new Set(['quota', 'server', 'timeout', 'network', 'malformed']);

/** A failed public API call; `message` names the source, and for a bad key the variable to fix. */
export class PublicApiError extends Error {
  readonly source: SourceName;
  readonly failure: PublicApiFailure;
  readonly retryAfterMs: number | undefined;

  constructor(source: SourceName, failure: PublicApiFailure, detail: string, retryAfterMs?: number, request?: string) {
    const { label, keyVariable } = SOURCE_INFO[source];
    const prefix =
      failure === 'auth'
        ? `${label} API 인증키가 거부되었습니다. ${keyVariable}를 확인하세요`
        : failure === 'quota'
          ? `${label} API 호출 한도를 초과했습니다`
          : `${label} API 호출에 실패했습니다`;
    super(`[${source}] ${prefix}: ${detail}${request ? ` (요청: ${request})` : ''}`);
    this.name = 'PublicApiError';
    this.source = source;
    this.failure = failure;
    this.retryAfterMs = retryAfterMs;
    this.detail = detail;
  }

  /** What went wrong, without the source's prefix. */
  readonly detail: string;

  /** The same failure, naming the request it happened on. */
  on(url: string): PublicApiError {
    return new PublicApiError(this.source, this.failure, this.detail, this.retryAfterMs, describeRequest(url));
  }

  get isRetryable(): boolean {
    return RETRYABLE.has(this.failure);
  }
}

export interface PublicApiClientOptions {
  source: SourceName;
  /** Requests started per second, at most. */
  requestsPerSecond: number;
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff; doubles each retry (plus up to 25% jitter). */
  backoffMs: number;
  log: Logger;
}

/** What a parser returns for one response body. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; failure: PublicApiFailure; detail: string };

export interface RawResponse {
  status: number;
  body: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Query parameters that number the pages of a listing, in the sources' spellings. */
const PAGE_PARAMETERS = ['page', 'pageNo', 'pageNum', 'startPage'];

/** `host/path, 3쪽`: where a request went, for a person; never its query (API keys travel there). */
export function describeRequest(url: string): string {
  try {
    const parsed = new URL(url);
    const page = PAGE_PARAMETERS.map((name) => parsed.searchParams.get(name)).find((value) => value !== null);
    return `${parsed.host}${parsed.pathname}${page ? `, ${page}쪽` : ''}`;
  } catch {
    return 'unknown URL';
  }
}

/**
 * A response body as one short line for an error message: an HTML error page becomes its title
 * (or its text without tags), never raw markup.
 */
export function summariseBody(body: string, max = 120): string {
  let text = body;
  if (/<(!doctype|html|head|body|h1|div|p)\b/i.test(body)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(body)?.[1];
    text = (title ?? body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')).replace(/<[^>]*>/g, ' ');
    text = `HTML: ${text.replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')}`;
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Hides API keys in URLs before they reach a log or an error message. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:serviceKey|apiKeyNm|authKey)=)[^&]*/g, '$1***');
}

/**
 * HTTP for one source: spaced requests (the APIs publish no limits; about 1/s is the polite
 * norm), a timeout on the whole exchange, and retries with exponential backoff on 5xx, 429,
 * timeouts, broken bodies and the error envelopes that mean "try later".
 */
export class PublicApiClient {
  private nextStartAt = 0;

  constructor(private readonly options: PublicApiClientOptions) {}

  private async throttle(): Promise<void> {
    const intervalMs = 1000 / this.options.requestsPerSecond;
    const now = Date.now();
    const startAt = Math.max(now, this.nextStartAt);
    this.nextStartAt = startAt + intervalMs;
    if (startAt > now) await sleep(startAt - now);
  }

  private async once(url: string, headers: Record<string, string>): Promise<RawResponse> {
    await this.throttle();
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
      const body = await response.text();
      if (response.status === 429 || response.status >= 500) {
        const retryAfter = Number(response.headers.get('retry-after'));
        throw new PublicApiError(
          this.options.source,
          response.status === 429 ? 'quota' : 'server',
          `HTTP ${response.status} ${summariseBody(body)}`.trim(),
          Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 120) * 1000 : undefined,
        );
      }
      return { status: response.status, body };
    } catch (error) {
      if (error instanceof PublicApiError) throw error;
      const name = error instanceof Error ? error.name : '';
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new PublicApiError(this.options.source, 'timeout', `${this.options.timeoutMs} ms 안에 응답이 없습니다`);
      }
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new PublicApiError(
        this.options.source,
        'network',
        `${error instanceof Error ? error.message : String(error)}${cause}`,
      );
    }
  }

  /** GETs `url` and parses it, retrying what can be retried; throws PublicApiError otherwise. */
  async get<T>(url: string, parse: (response: RawResponse) => Parsed<T>, headers: Record<string, string> = {}): Promise<T> {
    const { retries, backoffMs, log, source } = this.options;
    for (let attempt = 0; ; attempt += 1) {
      let failure: PublicApiError;
      try {
        const parsed = parse(await this.once(url, headers));
        if (parsed.ok) return parsed.value;
        failure = new PublicApiError(source, parsed.failure, parsed.detail);
      } catch (error) {
        if (!(error instanceof PublicApiError)) throw error;
        failure = error;
      }
      if (!failure.isRetryable || attempt >= retries) throw failure.on(url);
      const delayMs = failure.retryAfterMs ?? backoffMs * 2 ** attempt * (1 + Math.random() / 4);
      log.warn({ source, url: redactUrl(url), attempt: attempt + 1, delayMs: Math.round(delayMs), error: failure.message }, 'public API call failed; retrying');
      await sleep(delayMs);
    }
  }
}

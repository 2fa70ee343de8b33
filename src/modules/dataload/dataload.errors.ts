import { SOURCE_INFO, type SourceName } from './dataload.types.ts';
import type { RunSummary } from './dataload.service.ts';

/** A second run of a source while one holds its lock: refused. */
export class LoadInProgressError extends Error {
  constructor(
    readonly source: SourceName,
    readonly holder: string | undefined,
  ) {
    super(`[${source}] ${SOURCE_INFO[source].label} 수집이 이미 실행 중입니다${holder ? ` (${holder})` : ''}; 이번 실행은 건너뜁니다`);
    this.name = 'LoadInProgressError';
  }
}

/** A run that failed; the run record says FAILED and nothing was deleted. */
export class LoadRunError extends Error {
  constructor(
    message: string,
    readonly summary: RunSummary,
    /** Retrying the run cannot help (bad key, a request the API rejects). */
    readonly permanent: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LoadRunError';
  }
}

import type { ApplicationStatus } from '../../utils/application-period.ts';
import type { PolicyDocument } from '../dataload/index.ts';
import type { Aspect } from './ask.extract.ts';

/** One retrieved programme, numbered as the answer cites it (`[1]` is `n: 1`). */
export interface NumberedDocument {
  n: number;
  doc: PolicyDocument;
  status: ApplicationStatus;
}

/** The filters a turn searched with, in words for the lead sentence and the suggestions. */
export interface AnswerFilters {
  age: number | undefined;
  /** Display name (`서울특별시 강남구`). */
  regionLabel: string | undefined;
  /** The 시도's display name when a 시군구 is set, to suggest widening to it. */
  sidoLabel: string | undefined;
  openOnly: boolean;
}

export interface AnswerRequest {
  question: string;
  /** What was searched for (the question without its filter words). */
  topic: string;
  /** Best first; empty when nothing was relevant enough. */
  documents: readonly NumberedDocument[];
  filters: AnswerFilters;
  /** Set when the question is about the previous answer's programmes. */
  followUp: { aspect: Aspect | undefined } | undefined;
  /** Aborted when the asker went away. */
  signal?: AbortSignal;
}

/** How an answer ended: which programmes it cites (by `n`) and who wrote it. */
export interface AnswerOutcome {
  cited: number[];
  /** `extractive`, `openai`, or `openai-fallback` (the extractive answer after the model failed). */
  answerer: string;
}

/**
 * An answer streamed as text pieces, ending with its outcome. Implementations never state what
 * is not in `documents`; with no documents they say nothing matched.
 */
export interface Answerer {
  readonly name: string;
  answer(request: AnswerRequest): AsyncGenerator<string, AnswerOutcome>;
}

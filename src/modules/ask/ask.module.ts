import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import type { Answerer } from './answerer.ts';
import { AskRepository } from './ask.repository.ts';
import { AskService, type AskPolicies, type AskProfileSource } from './ask.service.ts';
import { ExtractiveAnswerer } from './extractive-answerer.ts';
import { OpenAiAnswerer } from './openai-answerer.ts';

/** What the ask module is built from. */
export interface AskModuleDeps {
  db: DatabaseHandle;
  config: Config;
  log: Logger;
  /** The policies search (its public service). */
  policies: AskPolicies;
  /** Signed-in askers' profiles (accounts); absent: no profile fills the filters. */
  profiles?: AskProfileSource;
  /** Another answerer than ASK_ANSWERER's (benches, tests of the fallback). */
  answerer?: Answerer;
  /** Dates `99년생` and the retention cut-off. Default: the real clock. */
  clock?: () => Date;
}

/** The answerer ASK_ANSWERER names: `openai` needs LLM_BASE_URL and LLM_MODEL. */
export function createAnswerer(config: Config, log: Logger): Answerer {
  const extractive = new ExtractiveAnswerer();
  if (config.ask.answerer === 'extractive') return extractive;
  const { baseUrl, model, apiKey, timeoutMs, maxRetries } = config.llm;
  if (!baseUrl || !model) throw new Error('ASK_ANSWERER=openai needs LLM_BASE_URL and LLM_MODEL (or unset ASK_ANSWERER for the offline extractive answerer)');
  return new OpenAiAnswerer({ baseUrl, model, apiKey, timeoutMs, maxRetries, fallback: extractive, log });
}

/** The ask module's factory: its service. Nothing is opened here; the model is reached per question. */
export function createAsk(deps: AskModuleDeps): AskService {
  const log = deps.log.child({ module: 'ask' });
  return new AskService({
    repository: new AskRepository(deps.db),
    policies: deps.policies,
    answerer: deps.answerer ?? createAnswerer(deps.config, log),
    profiles: deps.profiles,
    log,
    retentionDays: deps.config.ask.retentionDays,
    rateLimitPerMinute: deps.config.ask.rateLimitPerMinute,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
}

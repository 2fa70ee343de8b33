/**
 * The ask module's public API: Ask AInfo, Korean answers with citations from the collected
 * policies (docs/ask.md). Build it once per process with `createAsk`; `ASK` is its DI key.
 *
 * - `ask.ask({ question, conversationId?, profile?, userId? })` → the whole answer;
 *   `ask.start(…)` → the same as events (`token`…, `citations`, `done`) for streaming.
 * - `AskProfileSource` is the port a signed-in asker's profile comes through (accounts provides
 *   it when wired; absent, only the question and the request fill the filters).
 * - `extractQuestion` reads age, region and "지금 신청 가능한" from a Korean question.
 */
export { createAsk, createAnswerer, type AskModuleDeps } from './ask.module.ts';
export {
  ASK,
  ASK_LIMITS,
  AskService,
  type AskAnswer,
  type AskCitation,
  type AskEvent,
  type AskFilters,
  type AskInput,
  type AskPolicies,
  type AskProfileSource,
  type AskStream,
} from './ask.service.ts';
export type { Answerer, AnswerOutcome, AnswerRequest, NumberedDocument } from './answerer.ts';
export { ExtractiveAnswerer } from './extractive-answerer.ts';
export { OpenAiAnswerer, FALLBACK_NOTICE, SYSTEM_PROMPT } from './openai-answerer.ts';
export { extractQuestion, type ExtractedQuestion } from './ask.extract.ts';
export { pruneAskConversations } from './ask.tasks.ts';

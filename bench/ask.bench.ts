/**
 * Ask AInfo's cost, on the bundled sample data:
 *   (1) the offline (extractive) answerer end to end (`ask.ask`: extraction, search, documents,
 *       answer, the turn stored), p50/p99, and the share of it spent in retrieval (the policies
 *       search and reading the cited documents), against the search alone in the same run;
 *   (2) with a local OpenAI-compatible server whose first token comes after a fixed 100 ms, the
 *       time to the first answer token over HTTP/SSE (`POST /api/ask`), against the same model
 *       server reached directly with the same client: the difference is what ask adds on top
 *       (retrieval, prompt, streaming). Target: under 20 ms at p50. Measured by a client in a
 *       worker thread (as a browser: the server's work after sending a token cannot delay its
 *       reading) and, alternating with it, by one in the server's own thread as before.
 *
 * Usage: npm run bench:ask [-- --rounds 5]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { openPglite } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/log/logger.ts';
import { createAsk, ExtractiveAnswerer, OpenAiAnswerer, type AskPolicies } from '../src/modules/ask/index.ts';
import { loadFixtures, PublicApisPeer, SAMPLE_NOW, SOURCE_NAMES } from '../src/modules/dataload/index.ts';
import { createPolicies } from '../src/modules/policies/index.ts';
import { buildServices, buildWebApp, openCore } from '../src/processes/compose.ts';
import { startChromaServer } from '../src/vector/chroma-server.ts';
import { startLlmServer } from '../test/helpers/llm-server.ts';
import { measure, startClientThread, type ClientRequest, type Timing } from './ask.client.ts';
import { deletePrefix, percentile } from './bench-kit.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FIRST_TOKEN_MS = 100;

const QUESTIONS = [
  '서울 사는 27살인데 월세 지원 받을 수 있어?',
  '지금 신청 가능한 구직활동 지원금',
  '부산에 사는 스물다섯 살 취업 지원 알려줘',
  '경기도 수원시 거주 29세 주거 지원',
  '면접 준비 프로그램 있어?',
  '자격증 응시료 지원',
  '03년생인데 교통비 지원 받을 수 있나요',
  '강남구 청년 월세',
  '우주비행사 훈련 지원',
  '청년 창업 지원금',
];

const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-bench-ask-'));
const chroma = await startChromaServer({ dir });
const peer = await new PublicApisPeer(await loadFixtures(), 'bench-key').start();
/** When the model server received its latest request (ms since the epoch, comparable across threads). */
let llmReceivedAt = 0;
const llm = await startLlmServer(() => {
  llmReceivedAt = performance.timeOrigin + performance.now();
  return { firstTokenMs: FIRST_TOKEN_MS, chunks: ['찾은 자료로 답합니다 [1]. ', '자세한 조건은 원문을 확인하세요 [2].'] };
});
const database = await openPglite(undefined);
await migrate(database.sql);
const prefix = `ainfo-bench-ask-${randomBytes(4).toString('hex')}`;
const config = loadConfig({
  LOG_LEVEL: 'error',
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  CHROMA_URL: chroma.url,
  CHROMA_COLLECTION: 'bench-ask',
  GOV24_BASE_URL: peer.baseUrls.gov24,
  GOV24_API_KEY: 'bench-key',
  YOUTH_POLICY_BASE_URL: peer.baseUrls.youth,
  YOUTH_POLICY_API_KEY: 'bench-key',
  WORK24_BASE_URL: peer.baseUrls.work24,
  WORK24_API_KEY: 'bench-key',
  PUBLIC_API_REQUESTS_PER_SECOND: '1000',
  ASK_RATE_LIMIT_PER_MINUTE: '100000',
});
const log = createLogger('error');
const core = await openCore(config, log, 'web');
const services = buildServices(core, database, { ownsDatabase: false });
const policies = createPolicies({ config, role: 'web', log, search: { clock: () => SAMPLE_NOW } });

/** The search, timed: every call's duration adds to `spent`. */
let spent = 0;
async function counted<T>(work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    spent += performance.now() - started;
  }
}
const timed: AskPolicies = {
  search: (query) => counted(() => policies.search.search(query)),
  documentsOf: (ids) => counted(() => policies.search.documentsOf(ids)),
  statusOf: (doc) => policies.search.statusOf(doc),
};

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const summary = (sorted: number[]): string => `p50 ${ms(percentile(sorted, 50))}  p99 ${ms(percentile(sorted, 99))}`;
const ascending = (list: number[]): number[] => [...list].sort((a, b) => a - b);

try {
  for (const source of SOURCE_NAMES) await services.dataload.run(source);
  const offline = createAsk({ db: database, config, log, policies: timed, answerer: new ExtractiveAnswerer(), clock: () => SAMPLE_NOW });
  // Warm-up: the keyword catalogue is built on the first search.
  for (const question of QUESTIONS) await offline.ask({ question });

  const totals: number[] = [];
  const retrieval: number[] = [];
  const searchAlone: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const question of QUESTIONS) {
      spent = 0;
      const started = performance.now();
      await offline.ask({ question });
      totals.push(performance.now() - started);
      retrieval.push(spent);
      const searched = performance.now();
      await policies.search.search({ q: question, limit: 5, offset: 0 });
      searchAlone.push(performance.now() - searched);
    }
  }
  const share = retrieval.reduce((sum, value) => sum + value, 0) / totals.reduce((sum, value) => sum + value, 0);
  console.log(`\n(1) offline (extractive) answers, ${totals.length} questions (${QUESTIONS.length} phrasings × ${ROUNDS} rounds)`);
  console.log(`  ask (end to end, turn stored)   ${summary(ascending(totals))}`);
  console.log(`  of which retrieval              ${summary(ascending(retrieval))}  (${(share * 100).toFixed(0)}% of the time)`);
  console.log(`  the search alone (same queries) ${summary(ascending(searchAlone))}`);
  console.log(`  ask / search alone at p50       ${(percentile(ascending(totals), 50) / percentile(ascending(searchAlone), 50)).toFixed(2)}×`);

  const answerer = new OpenAiAnswerer({ baseUrl: llm.url, model: 'bench', apiKey: undefined, timeoutMs: 5_000, maxRetries: 0, fallback: new ExtractiveAnswerer(), log });
  const streaming = await buildWebApp(core, { ...services, ask: createAsk({ db: database, config, log, policies: timed, answerer, clock: () => SAMPLE_NOW }) });
  const base = await streaming.listen({ host: '127.0.0.1', port: 0 });
  const thread = startClientThread();
  const sameThread = { measure: (request: ClientRequest): Promise<Timing> => measure(request) };
  const clients = [
    { label: 'client in its own thread (as a browser, which does not share the server’s event loop)', client: thread },
    { label: 'client in the server’s thread (the method before 2026-12-02)', client: sameThread },
  ].map((each) => ({ ...each, viaAsk: [] as number[], headersFirst: [] as number[], direct: [] as number[], askBefore: [] as number[], directBefore: [] as number[] }));
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    for (const question of QUESTIONS) {
      for (const each of clients) {
        const asked = await each.client.measure({ kind: 'ask', base, question });
        const askReached = llmReceivedAt - asked.startedAt;
        const straight = await each.client.measure({ kind: 'direct', llmUrl: llm.url, question });
        const directReached = llmReceivedAt - straight.startedAt;
        // The first round warms connections up and is not counted.
        if (round === 0 || asked.firstTokenMs === undefined || straight.firstTokenMs === undefined) continue;
        each.viaAsk.push(asked.firstTokenMs);
        each.headersFirst.push(asked.headersMs ?? 0);
        each.direct.push(straight.firstTokenMs);
        each.askBefore.push(askReached);
        each.directBefore.push(directReached);
      }
    }
  }
  await thread.stop();
  await streaming.close();
  console.log(`\n(2) first answer token over SSE with a local model server at ${FIRST_TOKEN_MS} ms to first token, ${clients[0]?.viaAsk.length ?? 0} questions, alternating`);
  for (const { label, viaAsk, headersFirst, direct, askBefore, directBefore } of clients) {
    const added = viaAsk.map((value, index) => value - (direct[index] ?? 0));
    // Before: until the model server has the request. After: from then (plus its 100 ms) to the client's first token.
    const addedBefore = askBefore.map((value, index) => value - (directBefore[index] ?? 0));
    const addedAfter = added.map((value, index) => value - (addedBefore[index] ?? 0));
    console.log(`  ${label}`);
    console.log(`    POST /api/ask, first token       ${summary(ascending(viaAsk))}`);
    console.log(`    POST /api/ask, response headers  ${summary(ascending(headersFirst))}`);
    console.log(`    the model server directly        ${summary(ascending(direct))}`);
    console.log(`    added by ask (per question)      ${summary(ascending(added))}   target: p50 < 20 ms`);
    console.log(`      before the model has the request ${summary(ascending(addedBefore))}`);
    console.log(`      after the model's first token    ${summary(ascending(addedAfter))}`);
  }
} finally {
  await policies.close();
  await services.close();
  await core.close();
  await database.close();
  await llm.stop();
  await peer.stop();
  await chroma.stop();
  await rm(dir, { recursive: true, force: true });
  await deletePrefix(REDIS_URL, prefix);
}

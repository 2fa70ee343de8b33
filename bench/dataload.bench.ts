/**
 * The public-data pipeline end to end with the default (lexical) embedder: N generated records
 * served by the local peer of the three APIs over HTTP → normalise → hash → embed → a real Chroma
 * server, with load runs in an in-memory PGlite and the source locks in Redis.
 *   - the weekly re-run against the original's: ours fetches and hashes everything and writes
 *     nothing when nothing changed; the original cleared the collection and loaded everything again,
 *     which is here the same pipeline run into a new, empty collection (every document added and
 *     embedded), dropped afterwards. Emptying the collection by deleting its ids instead made the
 *     reload 4× slower (HNSW keeps the deleted entries), which would flatter ours. Their ratio is the unchanged re-run's time as a fraction of the full
 *     load (target < 10%); the full reload gives the full-load rate (documents/s);
 *   - search: p50/p99 of `policies.search` over the loaded documents (a quarter plain, a quarter
 *     with a region, a quarter with age and 시군구, a quarter `status=open`; target p99 < 50 ms),
 *     against the vector-only search of before issue 11 part B on the same queries, in the same
 *     run; and the first search's time, which builds the keyword catalogue of the collection.
 * After a first full load and a warm-up, both comparisons run for `--rounds` rounds: the loads side
 * after side (ABBA order over the rounds), the searches alternating query by query; each measure is
 * printed as the median of the per-round ratios with its min–max, and each round with the load
 * average at its end. `--profile` runs one more unchanged re-run under V8's CPU profiler.
 * Usage: npm run bench:dataload [-- --records 10000 --queries 300 --rounds 5 --profile]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ChromaClient } from 'chromadb';
import { loadConfig } from '../src/config/config.ts';
import { buildServices, openCore } from '../src/processes/compose.ts';
import { openPglite } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/log/logger.ts';
import { generateDataset, PublicApisPeer, SOURCE_NAMES, type RunSummary, type SourceName } from '../src/modules/dataload/index.ts';
import { startChromaServer } from '../src/vector/chroma-server.ts';
import { createEmbedder, VectorStore } from '../src/vector/index.ts';
import { deletePrefix, percentile, vectorOnlySearch } from './bench-kit.ts';
import { interleave, machineLoad, ratioTable, withCpuProfile, type Measure, type RoundsResult } from './lib/rounds.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '5' },
    // The search rounds alone, when they should differ from the load rounds.
    'search-rounds': { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(values.records);
const QUERIES = Number(values.queries);
const ROUNDS = Number(values.rounds);
const SEARCH_ROUNDS = Number(values['search-rounds'] ?? values.rounds);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const QUERY_TEXTS = [
  '청년 월세 지원', '구직활동 지원금', '면접 준비 프로그램', '자격증 응시료', '창업 지원금', '전세보증금 이자',
  '마음건강 상담', '문화예술패스', '아동수당', '국민취업지원제도', '경력단절 여성 재취업', '대중교통비 환급',
  '청년 자산형성 통장', '난임 시술비', '에너지바우처', '이사비 지원',
];

async function loadAll(run: (source: SourceName) => Promise<RunSummary>): Promise<{ ms: number; summaries: RunSummary[] }> {
  const started = performance.now();
  const summaries: RunSummary[] = [];
  for (const source of SOURCE_NAMES) summaries.push(await run(source));
  return { ms: performance.now() - started, summaries };
}

const third = Math.floor(RECORDS / 3);
const data = generateDataset({ gov24: RECORDS - 2 * third, youth: third, work24: third }, 7);
const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-bench-chroma-'));
const chroma = await startChromaServer({ dir });
const peer = await new PublicApisPeer(data, 'bench-key').start();
const database = await openPglite(undefined);
await migrate(database.sql);
const prefix = `ainfo-bench-dataload-${randomBytes(4).toString('hex')}`;
const urls = peer.baseUrls;
const env = {
  LOG_LEVEL: 'error',
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  CHROMA_URL: chroma.url,
  CHROMA_COLLECTION: 'bench-policies',
  GOV24_BASE_URL: urls.gov24,
  GOV24_API_KEY: 'bench-key',
  YOUTH_POLICY_BASE_URL: urls.youth,
  YOUTH_POLICY_API_KEY: 'bench-key',
  WORK24_BASE_URL: urls.work24,
  WORK24_API_KEY: 'bench-key',
  // The peer is local: the polite 1 request/s would only measure the sleep.
  PUBLIC_API_REQUESTS_PER_SECOND: '1000',
};
const config = loadConfig(env);
const core = await openCore(config, createLogger('error'), 'worker');
const services = buildServices(core, database, { ownsDatabase: false });

let reloads = 0;

/**
 * The original's weekly run: everything fetched, embedded and written again into an emptied
 * collection; here a new collection (a fresh index, as after dropping it), removed afterwards.
 */
async function originalReload(): Promise<{ ms: number; summaries: RunSummary[] }> {
  reloads += 1;
  const collection = `bench-reload-${reloads}`;
  const reloadCore = await openCore(loadConfig({ ...env, CHROMA_COLLECTION: collection }), createLogger('error'), 'worker');
  const reloadServices = buildServices(reloadCore, database, { ownsDatabase: false });
  try {
    return await loadAll((source) => reloadServices.dataload.run(source));
  } finally {
    await reloadServices.close();
    await reloadCore.close();
    const url = new URL(chroma.url);
    await new ChromaClient({ host: url.hostname, port: Number(url.port) }).deleteCollection({ name: collection });
  }
}

type LoadFigures = { seconds: number; documentsPerS: number; embedded: number };
type SearchFigures = { p50: number; p99: number };

console.log(`dataload bench: ${RECORDS} records, ${QUERIES} queries per search round, ${ROUNDS} load rounds and ${SEARCH_ROUNDS} search rounds after a warm-up; at the start: ${machineLoad()}`);
const vector = new VectorStore({ url: chroma.url, embeddedDir: dir, allowEmbedded: false, role: 'bench', collection: 'bench-policies', log: createLogger('error') });
try {
  const first = await loadAll((source) => services.dataload.run(source));
  const loaded = first.summaries.reduce((sum, summary) => sum + summary.fetched, 0);
  const figuresOf = (load: { ms: number; summaries: RunSummary[] }): LoadFigures => ({
    seconds: load.ms / 1000,
    documentsPerS: loaded / (load.ms / 1000),
    embedded: load.summaries.reduce((sum, summary) => sum + summary.embedded, 0),
  });
  console.log(`first full load: ${(first.ms / 1000).toFixed(1)} s, ${figuresOf(first).documentsPerS.toFixed(0)} documents/s`);
  for (const summary of first.summaries) console.log(`  ${summary.source}: ${summary.fetched} in ${(summary.durationMs / 1000).toFixed(1)} s`);
  const loads = await interleave<LoadFigures>({
    rounds: ROUNDS,
    ours: async () => figuresOf(await loadAll((source) => services.dataload.run(source))),
    theirs: async () => figuresOf(await originalReload()),
    onRound: (round, ours, theirs) => {
      if (ours.embedded !== 0 || theirs.embedded !== loaded) throw new Error(`round ${round}: re-run embedded ${ours.embedded}, full reload ${theirs.embedded} of ${loaded}`);
      console.log(
        `  load round ${round}: unchanged re-run ${ours.seconds.toFixed(2)} s, full reload ${theirs.seconds.toFixed(1)} s ` +
          `(${theirs.documentsPerS.toFixed(0)} documents/s) = ${((ours.seconds / theirs.seconds) * 100).toFixed(1)}%; ${machineLoad()}`,
      );
    },
  });

  /** A quarter each: plain, a 시도, age and 시군구, open now (the old search knows only the 시도). */
  const queryAt = (i: number): { q: string; region?: string; age?: number; status?: 'open' } => {
    const q = QUERY_TEXTS[i % QUERY_TEXTS.length] ?? '청년';
    switch (i % 4) {
      case 1:
        return { q, region: '서울' };
      case 2:
        return { q, region: '경기 수원시', age: 27 };
      case 3:
        return { q, status: 'open' };
      default:
        return { q };
    }
  };
  const search = services.policies.search;
  let started = performance.now();
  await search.search({ q: '청년', limit: 10, offset: 0 });
  const firstSearchMs = performance.now() - started;
  const embedder = createEmbedder(config);
  let empty = 0;
  /** One round of QUERIES searches per side, alternating query by query: the same seconds of load. */
  const searchRound = async (count: boolean): Promise<{ ours: SearchFigures; theirs: SearchFigures }> => {
    const fresh: number[] = [];
    const old: number[] = [];
    for (let i = 0; i < QUERIES; i += 1) {
      const query = queryAt(i);
      started = performance.now();
      await vectorOnlySearch({ vector, embedder }, { q: query.q, limit: 10, ...(query.region ? { region: query.region } : {}) });
      old.push(performance.now() - started);
      started = performance.now();
      const result = await search.search({ ...query, limit: 10, offset: 0 });
      fresh.push(performance.now() - started);
      if (count && result.items.length === 0) empty += 1;
    }
    fresh.sort((x, y) => x - y);
    old.sort((x, y) => x - y);
    return { ours: { p50: percentile(fresh, 50), p99: percentile(fresh, 99) }, theirs: { p50: percentile(old, 50), p99: percentile(old, 99) } };
  };
  await searchRound(true);
  const searches: RoundsResult<SearchFigures> = { ours: [], theirs: [] };
  for (let round = 0; round < SEARCH_ROUNDS; round += 1) {
    const { ours, theirs } = await searchRound(false);
    searches.ours.push(ours);
    searches.theirs.push(theirs);
    console.log(
      `  search round ${round + 1}: new p50 ${ours.p50.toFixed(1)} / p99 ${ours.p99.toFixed(1)} ms, ` +
        `old p50 ${theirs.p50.toFixed(1)} / p99 ${theirs.p99.toFixed(1)} ms; ${machineLoad()}`,
    );
  }
  if (values.profile) {
    const { value, file } = await withCpuProfile('dataload-rerun', () => loadAll((source) => services.dataload.run(source)));
    console.log(`profiled unchanged re-run: ${(value.ms / 1000).toFixed(2)} s; CPU profile: ${file}`);
  }

  const loadMeasures: Measure<LoadFigures>[] = [{ key: 'seconds', label: 'weekly re-run, nothing changed', unit: 's', digits: 2 }];
  const searchMeasures: Measure<SearchFigures>[] = [
    { key: 'p50', label: `search p50, limit 10, ${QUERIES} queries a round`, unit: 'ms', digits: 1 },
    { key: 'p99', label: 'search p99', unit: 'ms', digits: 1 },
  ];
  const reloads = [...loads.theirs].sort((x, y) => x.documentsPerS - y.documentsPerS);
  console.log(`\n${ratioTable(loads, loadMeasures, { ours: 'ours: unchanged re-run', theirs: "original's: full reload" })}`);
  console.log(
    `full load (the reloads): median ${(reloads[Math.floor(reloads.length / 2)]?.documentsPerS ?? 0).toFixed(0)} documents/s, ` +
      `min–max ${(reloads[0]?.documentsPerS ?? 0).toFixed(0)}–${(reloads[reloads.length - 1]?.documentsPerS ?? 0).toFixed(0)} over ${reloads.length} rounds (${loaded} documents)`,
  );
  console.log(`\n${ratioTable(searches, searchMeasures, { ours: 'new search', theirs: 'vector-only of before' })}`);
  console.log(`first search (builds the keyword catalogue): ${firstSearchMs.toFixed(0)} ms; ${empty} of ${QUERIES} queries answered with nothing`);
  console.log(`at the end: ${machineLoad()}`);
} finally {
  await vector.close();
  await services.close();
  await core.close();
  await database.close();
  await peer.stop();
  await chroma.stop();
  await rm(dir, { recursive: true, force: true });
  await deletePrefix(REDIS_URL, prefix);
}

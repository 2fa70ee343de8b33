/**
 * The public-data pipeline end to end with the default (lexical) embedder: N generated records
 * served by the local peer of the three APIs over HTTP → normalise → hash → embed → a real Chroma
 * server, with load runs in an in-memory PGlite and the source locks in Redis.
 *   - full load: documents/s over the three sources;
 *   - unchanged re-run: its time as a fraction of the full load (target < 10%);
 *   - search: p50/p99 of `policies.search` over the loaded documents (a quarter plain, a quarter
 *     with a region, a quarter with age and 시군구, a quarter `status=open`; target p99 < 50 ms),
 *     against the vector-only search of before issue 11 part B on the same queries, in the same
 *     run; and the first search's time, which builds the keyword catalogue of the collection.
 *   The searches run in rounds (each prints its own figures and the load average at its end), so
 *   a round disturbed by other work on the machine shows as such.
 * Usage: npm run bench:dataload [-- --records 10000 --queries 300 --search-rounds 3]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { buildServices, openCore } from '../src/processes/compose.ts';
import { openPglite } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createLogger } from '../src/log/logger.ts';
import { generateDataset, PublicApisPeer, SOURCE_NAMES, type RunSummary, type SourceName } from '../src/modules/dataload/index.ts';
import { startChromaServer } from '../src/vector/chroma-server.ts';
import { createEmbedder, VectorStore } from '../src/vector/index.ts';
import { deletePrefix, percentile, vectorOnlySearch } from './bench-kit.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    queries: { type: 'string', default: '300' },
    'search-rounds': { type: 'string', default: '3' },
  },
});
const RECORDS = Number(values.records);
const QUERIES = Number(values.queries);
const SEARCH_ROUNDS = Number(values['search-rounds']);
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
const config = loadConfig({
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
});
const core = await openCore(config, createLogger('error'), 'worker');
const services = buildServices(core, database, { ownsDatabase: false });

try {
  const full = await loadAll((source) => services.dataload.run(source));
  const loaded = full.summaries.reduce((sum, summary) => sum + summary.fetched, 0);
  const embedded = full.summaries.reduce((sum, summary) => sum + summary.embedded, 0);
  const rerun = await loadAll((source) => services.dataload.run(source));
  const reembedded = rerun.summaries.reduce((sum, summary) => sum + summary.embedded, 0);

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
  const vector = new VectorStore({ url: chroma.url, embeddedDir: dir, allowEmbedded: false, role: 'bench', collection: 'bench-policies', log: createLogger('error') });
  const embedder = createEmbedder(config);
  const latencies: number[] = [];
  const oldLatencies: number[] = [];
  const roundLines: string[] = [];
  let empty = 0;
  for (let round = 0; round < SEARCH_ROUNDS; round += 1) {
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
      if (round === 0 && result.items.length === 0) empty += 1;
    }
    fresh.sort((a, b) => a - b);
    old.sort((a, b) => a - b);
    latencies.push(...fresh);
    oldLatencies.push(...old);
    roundLines.push(
      `  search round ${round + 1}: new p50 ${percentile(fresh, 50).toFixed(1)} / p99 ${percentile(fresh, 99).toFixed(1)} ms, ` +
        `old p50 ${percentile(old, 50).toFixed(1)} / p99 ${percentile(old, 99).toFixed(1)} ms, load average ${os.loadavg()[0]?.toFixed(2) ?? '?'}`,
    );
  }
  await vector.close();
  latencies.sort((a, b) => a - b);
  oldLatencies.sort((a, b) => a - b);

  const rows: [string, string][] = [
    ['records (gov24 / youth / work24)', `${loaded.toLocaleString('en-US')} (${full.summaries.map((summary) => `${summary.source} ${summary.fetched}`).join(', ')})`],
    ['full load', `${(full.ms / 1000).toFixed(1)} s, ${Math.round(loaded / (full.ms / 1000)).toLocaleString('en-US')} documents/s, ${embedded} embedded`],
    ['unchanged re-run', `${(rerun.ms / 1000).toFixed(2)} s = ${((rerun.ms / full.ms) * 100).toFixed(1)}% of the full load, ${reembedded} embedded`],
    [
      'search (limit 10; plain, 시도, age + 시군구, open now)',
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms over ${SEARCH_ROUNDS} × ${QUERIES} queries (${empty} of ${QUERIES} answered with nothing)`,
    ],
    [
      'vector-only search of before (same queries, same run)',
      `p50 ${percentile(oldLatencies, 50).toFixed(1)} ms, p99 ${percentile(oldLatencies, 99).toFixed(1)} ms; new/old p50 ${(percentile(latencies, 50) / percentile(oldLatencies, 50)).toFixed(2)}×, p99 ${(percentile(latencies, 99) / percentile(oldLatencies, 99)).toFixed(2)}×`,
    ],
    ['first search (builds the keyword catalogue)', `${firstSearchMs.toFixed(0)} ms`],
    ['load average (1, 5, 15 min) after the searches', os.loadavg().map((load) => load.toFixed(2)).join(', ')],
  ];
  console.log(`| measure | result |\n|---|---|\n${rows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}`);
  for (const line of roundLines) console.log(line);
  for (const summary of full.summaries) {
    console.log(`  full ${summary.source}: ${summary.fetched} in ${(summary.durationMs / 1000).toFixed(1)} s`);
  }
  for (const summary of rerun.summaries) {
    console.log(`  re-run ${summary.source}: ${summary.unchanged} unchanged in ${(summary.durationMs / 1000).toFixed(2)} s`);
  }
} finally {
  await services.close();
  await core.close();
  await database.close();
  await peer.stop();
  await chroma.stop();
  await rm(dir, { recursive: true, force: true });
  await deletePrefix(REDIS_URL, prefix);
}

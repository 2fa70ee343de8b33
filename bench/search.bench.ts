/**
 * Search quality on the bundled sample data, the old search against the new in the same run:
 *   (a) old: the vector search alone, as before issue 11 part B (the query embedded, Chroma's
 *       nearest documents with the 시도 filter, no floor, no keyword score, no merging; age and
 *       status did not exist, so they are not applied);
 *   (b) new: `policies.search` (hybrid vector + BM25 ranking, title match, filters, the relevance
 *       floor configured for the embedder, near-duplicates merged).
 * Over the labelled queries of bench/search-queries.ts it prints precision@5, MRR, the share of
 * no-answer queries answered with nothing, the junk shown, duplicate programmes on a page, and
 * p50/p99 latency; then the floor sweep: the new search with floor 0, cut at every floor from 0
 * to 0.6, and the floor that maximises (no-answer share + precision@5) without losing the
 * relevant first result of any query in the data's own words (names, topics, filtered). Run it per embedder (it uses the configured EMBEDDINGS) and put the
 * floor in RELEVANCE_FLOORS (src/modules/policies/policies.ranking.ts); docs/search.md says how.
 *
 * Definitions (per query, top 10 shown): a programme is relevant as bench/search-queries.ts says;
 * a second listing of a programme already shown counts as not relevant. precision@5 = relevant
 * programmes in the first 5 / min(5, relevant programmes), over answerable queries. MRR = mean of
 * 1 / rank of the first relevant result (0 when none in the top 10). Junk = shown results in the
 * top 5 that are not relevant, over all shown results in the top 5.
 *
 * Latency: after a warm-up pass, `--rounds` rounds of `--passes` passes over the queries, the
 * two searches alternating query by query; p50/p99 per round and side, printed as the median of the
 * per-round ratios new/old with its min–max (bench/lib/rounds.ts). The quality figures are not
 * timings and come from the first measured pass (they do not change between passes but for
 * Chroma's approximate index, built once per run).
 *
 * `--profile` runs one more pass of the new search under V8's CPU profiler (after the rounds).
 *
 * Usage: npm run bench:search [-- --rounds 5 --passes 2 --verbose --profile]
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
import { loadFixtures, PublicApisPeer, SAMPLE_NOW, SOURCE_NAMES, type PolicyDocument } from '../src/modules/dataload/index.ts';
import { createPolicies, type SearchItem } from '../src/modules/policies/index.ts';
import { buildServices, openCore } from '../src/processes/compose.ts';
import { applicationStatus } from '../src/utils/application-period.ts';
import { parseRegion, regionMatches } from '../src/utils/regions.ts';
import { startChromaServer } from '../src/vector/chroma-server.ts';
import { createEmbedder, VectorStore } from '../src/vector/index.ts';
import { deletePrefix, percentile, vectorOnlySearch } from './bench-kit.ts';
import { machineLoad, ratioTable, withCpuProfile, type Measure, type RoundsResult } from './lib/rounds.ts';
import { LABELLED_QUERIES, type LabelledQuery } from './search-queries.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    passes: { type: 'string', default: '2' },
    verbose: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const PASSES = Number(values.passes);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SHOWN = 10;
const COLLECTION = 'bench-search';

/** One result as the metrics see it: which listing, at what score. */
interface Shown {
  id: string;
  score: number;
}

/** One programme however many listings it has: the same title in the same place. */
const programmeOf = (doc: PolicyDocument): string => [doc.title.replace(/\s+/g, ''), doc.regionSido ?? '', doc.regionSigungu ?? ''].join('|');

/** Whether the person of the query may use the document, by its own age, region and status. */
function eligible(doc: PolicyDocument, query: LabelledQuery): boolean {
  if (query.age !== undefined && ((doc.ageMin !== null && query.age < doc.ageMin) || (doc.ageMax !== null && query.age > doc.ageMax))) return false;
  const region = query.region ? parseRegion(query.region) : undefined;
  if (region && !regionMatches({ sido: doc.regionSido, sigungu: doc.regionSigungu }, region)) return false;
  if (query.status === 'open' && !['open', 'always'].includes(applicationStatus(doc, SAMPLE_NOW))) return false;
  return true;
}

function relevantProgrammes(query: LabelledQuery, docs: readonly PolicyDocument[]): Set<string> {
  const matches = (title: string): boolean => query.relevant.some((label) => (typeof label === 'string' ? label === title : label.test(title)));
  return new Set(docs.filter((doc) => matches(doc.title) && eligible(doc, query)).map(programmeOf));
}

interface Metrics {
  precisionAt5: number;
  mrr: number;
  /** No-answer queries answered with nothing. */
  emptyAnswers: number;
  noAnswerQueries: number;
  junk: number;
  shownTop5: number;
  pagesWithDuplicates: number;
}

function measure(runs: readonly Shown[][], relevant: readonly Set<string>[], docsById: ReadonlyMap<string, PolicyDocument>): Metrics {
  let precision = 0;
  let reciprocal = 0;
  let answerable = 0;
  const metrics: Metrics = { precisionAt5: 0, mrr: 0, emptyAnswers: 0, noAnswerQueries: 0, junk: 0, shownTop5: 0, pagesWithDuplicates: 0 };
  runs.forEach((shown, at) => {
    const wanted = relevant[at] ?? new Set<string>();
    const seen = new Set<string>();
    let hitsTop5 = 0;
    let firstRank = 0;
    let duplicate = false;
    for (const [rank, { id }] of shown.slice(0, SHOWN).entries()) {
      const doc = docsById.get(id);
      const programme = doc ? programmeOf(doc) : id;
      const repeated = seen.has(programme);
      duplicate ||= repeated;
      seen.add(programme);
      const good = !repeated && wanted.has(programme);
      if (good && firstRank === 0) firstRank = rank + 1;
      if (rank < 5) {
        metrics.shownTop5 += 1;
        if (good) hitsTop5 += 1;
        else metrics.junk += 1;
      }
    }
    if (duplicate) metrics.pagesWithDuplicates += 1;
    if (wanted.size === 0) {
      metrics.noAnswerQueries += 1;
      if (shown.length === 0) metrics.emptyAnswers += 1;
      return;
    }
    answerable += 1;
    precision += hitsTop5 / Math.min(5, wanted.size);
    reciprocal += firstRank > 0 ? 1 / firstRank : 0;
  });
  metrics.precisionAt5 = answerable > 0 ? precision / answerable : 0;
  metrics.mrr = answerable > 0 ? reciprocal / answerable : 0;
  return metrics;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-bench-search-'));
const chroma = await startChromaServer({ dir });
const peer = await new PublicApisPeer(await loadFixtures(), 'bench-key').start();
const database = await openPglite(undefined);
await migrate(database.sql);
const prefix = `ainfo-bench-search-${randomBytes(4).toString('hex')}`;
const passThrough = Object.fromEntries(
  ['EMBEDDINGS', 'OPENAI_API_KEY', 'EMBEDDINGS_BASE_URL', 'EMBEDDINGS_MODEL'].flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])),
) as Record<string, string>;
const config = loadConfig({
  LOG_LEVEL: 'error',
  REDIS_URL,
  QUEUE_PREFIX: prefix,
  CHROMA_URL: chroma.url,
  CHROMA_COLLECTION: COLLECTION,
  GOV24_BASE_URL: peer.baseUrls.gov24,
  GOV24_API_KEY: 'bench-key',
  YOUTH_POLICY_BASE_URL: peer.baseUrls.youth,
  YOUTH_POLICY_API_KEY: 'bench-key',
  WORK24_BASE_URL: peer.baseUrls.work24,
  WORK24_API_KEY: 'bench-key',
  PUBLIC_API_REQUESTS_PER_SECOND: '1000',
  ...passThrough,
});
const log = createLogger('error');
const core = await openCore(config, log, 'worker');
const services = buildServices(core, database, { ownsDatabase: false });
const clock = (): Date => SAMPLE_NOW;
const configured = createPolicies({ config, role: 'worker', log, search: { clock } });
const unfloored = createPolicies({ config, role: 'worker', log, search: { clock, floor: 0 } });
const embedder = createEmbedder(config);
const vector = new VectorStore({ url: chroma.url, embeddedDir: dir, allowEmbedded: false, role: 'bench', collection: COLLECTION, log });

const oldSearch = (query: LabelledQuery, limit: number): Promise<Shown[]> =>
  vectorOnlySearch({ vector, embedder }, { q: query.q, limit, ...(query.region ? { region: query.region } : {}) });

async function newSearch(search: typeof configured.search, query: LabelledQuery, limit: number): Promise<Shown[]> {
  const result = await search.search({
    q: query.q,
    limit,
    offset: 0,
    ...(query.age !== undefined ? { age: query.age } : {}),
    ...(query.region ? { region: query.region } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  return result.items.map((item: SearchItem) => ({ id: item.id, score: item.score }));
}

const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;

console.log(`search bench: ${ROUNDS} latency rounds of ${PASSES} passes after a warm-up pass; at the start: ${machineLoad()}`);
try {
  for (const source of SOURCE_NAMES) await services.dataload.run(source);
  const docs = await configured.search.getMany(await vector.listIds());
  const docsById = new Map(docs.map((doc) => [doc.id, doc]));
  const relevant = LABELLED_QUERIES.map((query) => relevantProgrammes(query, docs));
  LABELLED_QUERIES.forEach((query, at) => {
    if (query.kind !== 'none' && (relevant[at]?.size ?? 0) === 0) throw new Error(`label matches nothing: ${query.q}`);
    if (query.kind === 'none' && (relevant[at]?.size ?? 0) > 0) throw new Error(`a no-answer query has answers: ${query.q}`);
  });

  // Warm-up: the first new search builds the keyword catalogue; then one unmeasured pass.
  await newSearch(configured.search, LABELLED_QUERIES[0] ?? { q: '청년', kind: 'topic', relevant: [] }, 5);
  for (const query of LABELLED_QUERIES) {
    await oldSearch(query, SHOWN);
    await newSearch(configured.search, query, SHOWN);
  }
  const oldRuns: Shown[][] = [];
  const newRuns: Shown[][] = [];
  const oldLatency: number[] = [];
  const newLatency: number[] = [];
  type Latency = { p50: number; p99: number };
  const rounds: RoundsResult<Latency> = { ours: [], theirs: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const oldRound: number[] = [];
    const newRound: number[] = [];
    for (let pass = 0; pass < PASSES; pass += 1) {
      for (const query of LABELLED_QUERIES) {
        let started = performance.now();
        const before = await oldSearch(query, SHOWN);
        oldRound.push(performance.now() - started);
        started = performance.now();
        const after = await newSearch(configured.search, query, SHOWN);
        newRound.push(performance.now() - started);
        if (round === 0 && pass === 0) {
          oldRuns.push(before);
          newRuns.push(after);
        }
      }
    }
    oldRound.sort((a, b) => a - b);
    newRound.sort((a, b) => a - b);
    oldLatency.push(...oldRound);
    newLatency.push(...newRound);
    rounds.ours.push({ p50: percentile(newRound, 50), p99: percentile(newRound, 99) });
    rounds.theirs.push({ p50: percentile(oldRound, 50), p99: percentile(oldRound, 99) });
    console.log(
      `latency round ${round + 1}: new p50 ${percentile(newRound, 50).toFixed(1)} / p99 ${percentile(newRound, 99).toFixed(1)} ms, ` +
        `old p50 ${percentile(oldRound, 50).toFixed(1)} / p99 ${percentile(oldRound, 99).toFixed(1)} ms; ${machineLoad()}`,
    );
  }
  oldLatency.sort((a, b) => a - b);
  newLatency.sort((a, b) => a - b);
  if (values.profile) {
    const { file } = await withCpuProfile('search-new', async () => {
      for (const query of LABELLED_QUERIES) await newSearch(configured.search, query, SHOWN);
    });
    console.log(`CPU profile of one pass of the new search: ${file}`);
  }
  const before = measure(oldRuns, relevant, docsById);
  const after = measure(newRuns, relevant, docsById);
  const noAnswer = LABELLED_QUERIES.filter((query) => query.kind === 'none').length;
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');

  console.log(
    `embedder ${embedder.id}; ${docs.length} documents; ${LABELLED_QUERIES.length} queries, ${noAnswer} with nothing relevant; ` +
      `floor ${configured.search.relevanceFloor}; ${ROUNDS} rounds of ${PASSES} passes; ${machineLoad()}`,
  );
  const rows: [string, string, string, string][] = [
    ['precision@5', before.precisionAt5.toFixed(3), after.precisionAt5.toFixed(3), ratio(after.precisionAt5, before.precisionAt5)],
    ['MRR', before.mrr.toFixed(3), after.mrr.toFixed(3), ratio(after.mrr, before.mrr)],
    ['no-answer queries answered with nothing', `${before.emptyAnswers}/${before.noAnswerQueries}`, `${after.emptyAnswers}/${after.noAnswerQueries}`, ''],
    ['junk in the top 5 (not relevant or a repeat)', `${before.junk}/${before.shownTop5} = ${pct(before.junk / Math.max(1, before.shownTop5))}`, `${after.junk}/${after.shownTop5} = ${pct(after.junk / Math.max(1, after.shownTop5))}`, ''],
    ['pages showing a programme twice', String(before.pagesWithDuplicates), String(after.pagesWithDuplicates), ''],
    [`latency p50 (all ${oldLatency.length} searches)`, `${percentile(oldLatency, 50).toFixed(1)} ms`, `${percentile(newLatency, 50).toFixed(1)} ms`, ratio(percentile(newLatency, 50), percentile(oldLatency, 50))],
    [`latency p99 (all ${oldLatency.length} searches)`, `${percentile(oldLatency, 99).toFixed(1)} ms`, `${percentile(newLatency, 99).toFixed(1)} ms`, ratio(percentile(newLatency, 99), percentile(oldLatency, 99))],
  ];
  console.log(`\n| measure | old: vector only | new: hybrid + floor + merging | new/old |\n|---|---|---|---|\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}`);

  const latencyMeasures: Measure<Latency>[] = [
    { key: 'p50', label: `latency p50, ${PASSES * LABELLED_QUERIES.length} searches a round`, unit: 'ms', digits: 1 },
    { key: 'p99', label: 'latency p99', unit: 'ms', digits: 1 },
  ];
  console.log(`\n${ratioTable(rounds, latencyMeasures, { ours: 'new', theirs: 'old' })}`);

  const kinds = [...new Set(LABELLED_QUERIES.map((query) => query.kind))];
  console.log('\n| kind | queries | old P@5 | new P@5 | old MRR | new MRR | old empty | new empty |\n|---|---|---|---|---|---|---|---|');
  for (const kind of kinds) {
    const at = LABELLED_QUERIES.flatMap((query, index) => (query.kind === kind ? [index] : []));
    const pick = <T>(list: readonly T[]): T[] => at.flatMap((index) => (list[index] === undefined ? [] : [list[index]]));
    const b = measure(pick(oldRuns), pick(relevant), docsById);
    const a = measure(pick(newRuns), pick(relevant), docsById);
    console.log(
      `| ${kind} | ${at.length} | ${b.precisionAt5.toFixed(2)} | ${a.precisionAt5.toFixed(2)} | ${b.mrr.toFixed(2)} | ${a.mrr.toFixed(2)} | ${b.emptyAnswers}/${b.noAnswerQueries} | ${a.emptyAnswers}/${a.noAnswerQueries} |`,
    );
  }

  // The sweep: every floor applied to the same floor-0 results (the floor only cuts a list sorted by score).
  const open = await Promise.all(LABELLED_QUERIES.map((query) => newSearch(unfloored.search, query, SHOWN)));
  // Queries in the data's own words must keep their relevant first result; paraphrases measure
  // what the embedder understands, and the lexical one understands none (docs/dataload.md).
  const mustKeep = open.flatMap((shown, at) => {
    if (LABELLED_QUERIES[at]?.kind === 'paraphrase') return [];
    const first = shown[0];
    const doc = first ? docsById.get(first.id) : undefined;
    return first && doc && relevant[at]?.has(programmeOf(doc)) ? [first.score] : [];
  });
  const lowestFirst = Math.min(...mustKeep);
  const sweep: { floor: number; metrics: Metrics; objective: number; feasible: boolean }[] = [];
  for (let step = 0; step <= 60; step += 1) {
    const floor = step / 100;
    const metrics = measure(open.map((shown) => shown.filter((item) => item.score >= floor)), relevant, docsById);
    const objective = metrics.emptyAnswers / Math.max(1, metrics.noAnswerQueries) + metrics.precisionAt5;
    sweep.push({ floor, metrics, objective, feasible: floor <= lowestFirst });
  }
  const best = Math.max(...sweep.filter((row) => row.feasible).map((row) => row.objective));
  // The middle of the widest run of best floors: as far as the data allows from both kinds of error.
  let run: number[] = [];
  let widest: number[] = [];
  for (const row of sweep) {
    if (row.feasible && row.objective >= best - 1e-9) run.push(row.floor);
    else run = [];
    if (run.length > widest.length) widest = [...run];
  }
  const chosen = widest[Math.floor((widest.length - 1) / 2)] ?? 0;
  console.log(`\nfloor sweep for ${embedder.id} (lowest score of a relevant first result, paraphrases aside: ${lowestFirst.toFixed(3)}):`);
  console.log('| floor | no-answer → nothing | precision@5 | MRR | junk in top 5 | objective |\n|---|---|---|---|---|---|');
  for (const row of sweep) {
    if (Math.round(row.floor * 100) % 2 !== 0 && !widest.includes(row.floor)) continue;
    const { metrics } = row;
    console.log(
      `| ${row.floor.toFixed(2)}${widest.includes(row.floor) ? ' *' : ''}${row.feasible ? '' : ' (loses a first result)'} | ${metrics.emptyAnswers}/${metrics.noAnswerQueries} | ${metrics.precisionAt5.toFixed(3)} | ${metrics.mrr.toFixed(3)} | ${metrics.junk}/${metrics.shownTop5} | ${row.objective.toFixed(3)} |`,
    );
  }
  console.log(`best floors (*): ${widest[0]?.toFixed(2)}–${widest[widest.length - 1]?.toFixed(2)}; recommended ${chosen.toFixed(2)}; configured ${configured.search.relevanceFloor}`);
  console.log(`at the end: ${machineLoad()}`);

  if (values.verbose) {
    LABELLED_QUERIES.forEach((query, at) => {
      const describe = (shown: readonly Shown[]): string =>
        shown.slice(0, 5).map(({ id, score }) => {
          const doc = docsById.get(id);
          const mark = doc && relevant[at]?.has(programmeOf(doc)) ? '+' : '-';
          return `${mark}${doc?.title ?? id} (${score.toFixed(2)})`;
        }).join('; ') || '(nothing)';
      console.log(`\n[${query.kind}] ${query.q}${query.age !== undefined ? ` age=${query.age}` : ''}${query.region ? ` region=${query.region}` : ''}${query.status ? ` status=${query.status}` : ''} — ${relevant[at]?.size ?? 0} relevant`);
      console.log(`  old: ${describe(oldRuns[at] ?? [])}`);
      console.log(`  new: ${describe(newRuns[at] ?? [])}`);
    });
  }
} finally {
  await Promise.all([configured.close(), unfloored.close(), vector.close()]);
  await services.close();
  await core.close();
  await database.close();
  await peer.stop();
  await chroma.stop();
  await rm(dir, { recursive: true, force: true });
  await deletePrefix(REDIS_URL, prefix);
}

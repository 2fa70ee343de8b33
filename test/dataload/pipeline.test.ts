import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadInProgressError, LoadRunError, LOAD_TASKS, type DataloadService, type RunSummary, type SourceName } from '../../src/modules/dataload/index.ts';
import { work24Key } from '../../src/modules/dataload/sources/work24.ts';
import type { PolicySearchService } from '../../src/modules/policies/index.ts';
import { workerDeps } from '../../src/processes/compose.ts';
import { listScheduled, syncSchedules } from '../../src/tasks/beat.ts';
import { TaskWorker } from '../../src/tasks/index.ts';
import { VectorStore } from '../../src/vector/index.ts';
import { TEST_API_KEY, type PublicApisPeer } from '../helpers/public-apis-server.ts';
import { runAinfo } from '../helpers/processes.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

const SOURCES: readonly SourceName[] = ['work24', 'youth', 'gov24'];

async function runError(promise: Promise<unknown>): Promise<LoadRunError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoadRunError) return error;
    throw error;
  }
  throw new Error('the run succeeded');
}

describe('public data load: local API peer → real Chroma, runs in real PostgreSQL', () => {
  let stack: Stack;
  let peer: PublicApisPeer;
  let dataload: DataloadService;
  let policies: PolicySearchService;
  const firstLoad: { summary: RunSummary; expected: number }[] = [];

  const idsOf = (source: SourceName): string[] => {
    if (source === 'youth') return peer.data.youth.map((item) => `youth:${(item.plcyNo ?? '').trim()}`);
    if (source === 'gov24') return peer.data.gov24List.map((item) => `gov24:${String(item['서비스ID'])}`);
    return peer.data.work24.map((item) => `work24:${work24Key(item)}`);
  };
  const countOf = (source: SourceName): number => idsOf(source).length;
  const storedIds = async (source: SourceName): Promise<string[]> => {
    const found = await Promise.all(idsOf(source).map(async (id) => ((await policies.get(id).catch(() => undefined)) ? id : undefined)));
    return found.filter((id): id is string => id !== undefined);
  };

  beforeAll(async () => {
    stack = await startStack({ label: 'dataload', role: 'worker', database: 'postgres', chroma: true, publicApis: true });
    if (!stack.peer) throw new Error('no API peer');
    peer = stack.peer;
    dataload = stack.services.dataload;
    policies = stack.services.policies.search;
    // The first full load: every test below starts from a complete, searchable collection.
    for (const source of SOURCES) firstLoad.push({ summary: await dataload.run(source), expected: countOf(source) });
  });

  afterAll(() => stack.stop());

  it('loads every record of each source, searchable with the right fields, and records the runs', async () => {
    for (const { summary, expected } of firstLoad) {
      expect(summary).toMatchObject({ state: 'SUCCESS', mode: 'live', fetched: expected, added: expected, updated: 0, unchanged: 0, deleted: 0, failed: 0, embedded: expected });
    }

    const rent = await policies.get('youth:20250512005400211562');
    expect(rent).toMatchObject({
      source: 'youth',
      nativeId: '20250512005400211562',
      title: '청년월세 한시 특별지원',
      region: '전국',
      regionKey: '전국',
      regionSido: null,
      regionSigungu: null,
      category: '주거 > 전월세 및 주거급여 지원',
      period: '2026-02-24 ~ 2026-12-31',
      applyStart: '2026-02-24',
      applyEnd: '2026-12-31',
      periodKind: 'dates',
      // The record says sprtTrgtAgeLmtYn = N beside real ages, as the live API does: the ages stay.
      ageMin: 19,
      ageMax: 34,
      conditions: null,
      url: 'https://www.bokjiro.go.kr',
      organization: '국토교통부',
      updatedAt: '2026-05-12',
    });
    expect(rent.target).toContain('만 19세 ~ 만 34세');
    // `\r\n` became `\n`, and `" "` blanks became empty strings, not spaces.
    expect(rent.content).toContain('240만원) 지원합니다.\n○ 월세');
    expect(rent.content).not.toContain('\r');
    expect(await policies.get('youth:20250301005400211201')).toMatchObject({ regionSido: '서울', regionSigungu: null, periodKind: 'dates', applyEnd: '2026-04-30' });
    expect(await policies.get('youth:20250620005400211899')).toMatchObject({ regionSido: '부산', periodKind: 'always', applyStart: null, applyEnd: null });

    const gov = await policies.get('gov24:000000465790');
    expect(gov).toMatchObject({
      title: '청년월세 특별지원',
      category: '주거·자립',
      region: '전국',
      regionSido: null,
      applyMethod: '온라인신청, 방문신청',
      // Joined from serviceDetail and supportConditions on 서비스ID.
      documents: '임대차계약서, 월세 이체 증명서류, 가족관계증명서',
      ageMin: 19,
      ageMax: 34,
      conditions: { singleHousehold: true, noHome: true, incomeBands: ['0-50', '51-75'], female: false, universityStudent: false },
      period: '2026. 2. 24. ~ 2026. 12. 31.',
      applyStart: '2026-02-24',
      applyEnd: '2026-12-31',
      periodKind: 'dates',
      url: 'https://www.gov.kr/portal/rcvfvrSvc/dtlEx/000000465790',
      updatedAt: '2026-02-27',
    });
    expect(gov.target).toContain('지원 조건: 만 19세 ~ 만 34세, 1인가구, 무주택세대, 기준 중위소득 0~50%·51~75%');
    expect(peer.requests.some((request) => request.api === 'gov24' && request.path.endsWith('/supportConditions'))).toBe(true);
    const withoutConditions = peer.data.gov24List.find((item) => !peer.data.gov24Conditions.some((row) => row['서비스ID'] === item['서비스ID']));
    expect(await policies.get(`gov24:${String(withoutConditions?.['서비스ID'])}`)).toMatchObject({ conditions: null, ageMin: null, ageMax: null });

    const firstProgramme = peer.data.work24[0];
    expect(firstProgramme).toBeDefined();
    const programme = await policies.get(`work24:${work24Key(firstProgramme ?? {})}`);
    expect(programme.title).toContain(firstProgramme?.pgmNm ?? '?');
    expect(programme.organization).toBe(firstProgramme?.orgNm);
    expect(programme.period).toMatch(/^\d{4}-\d{2}-\d{2} ~ \d{4}-\d{2}-\d{2}$/);
    expect(programme.applyEnd).toBe(programme.period.slice(0, 10));
    expect(programme.url).toMatch(/^https:\/\/www\.work24\.go\.kr\/cm\/f\/c\/0100\/selectUnifySearch\.do\?/);
    expect(new URL(programme.url).searchParams.get('topQueryData')).toBe(firstProgramme?.pgmNm);
    const afternoon = peer.data.work24.find((item) => item.openTimeClcd === '2' && item.openTime === '01:30');
    expect(afternoon).toBeDefined();
    expect((await policies.get(`work24:${work24Key(afternoon ?? {})}`)).content).toContain('시작시간: 13:30');

    // The eligibility and period fields reach Chroma's metadata in a form `where` filters can use.
    const store = new VectorStore({ url: stack.config.vector.chromaUrl, embeddedDir: '/nonexistent', allowEmbedded: false, role: 'test', collection: stack.config.vector.collection, log: stack.core.log });
    try {
      expect((await store.get('gov24:000000465790'))?.metadata).toMatchObject({
        regionSido: '', regionSigungu: '', ageMin: 19, ageMax: 34, applyStart: '2026-02-24', applyEnd: '2026-12-31',
        applyStartDay: 20260224, applyEndDay: 20261231, periodKind: 'dates', organization: '국토교통부',
        conditions: 'singleHousehold,noHome,income:0-50,income:51-75',
      });
      expect((await store.get('youth:20250620005400211899'))?.metadata).toMatchObject({
        regionSido: '부산', ageMin: 18, ageMax: 34, applyStartDay: 0, applyEndDay: 99991231, periodKind: 'always', conditions: '',
      });
    } finally {
      await store.close();
    }

    const firstRuns = new Map(firstLoad.map(({ summary, expected }) => [summary.runId, expected]));
    const runs = (await dataload.recentRuns(100)).filter((run) => firstRuns.has(run.id));
    expect(runs.map((run) => run.source).sort()).toEqual(['gov24', 'work24', 'youth']);
    for (const run of runs) {
      expect(run).toMatchObject({ state: 'SUCCESS', mode: 'live', embedder: 'lexical-ngram-v1:1024', error: null });
      expect(run.fetched).toBe(firstRuns.get(run.id));
      expect(run.finishedAt).toBeInstanceOf(Date);
    }
  });

  it('computes no embedding when nothing changed', async () => {
    for (const source of SOURCES) {
      const summary = await dataload.run(source);
      expect(summary).toMatchObject({ state: 'SUCCESS', embedded: 0, added: 0, updated: 0, deleted: 0, unchanged: countOf(source) });
    }
  });

  it('re-embeds exactly the one record that changed', async () => {
    const record = peer.data.youth[7];
    if (!record) throw new Error('fixture too small');
    record.plcySprtCn = '지원 내용이 바뀌었습니다: 월 30만원 지원';
    const summary = await dataload.run('youth');
    expect(summary).toMatchObject({ embedded: 1, updated: 1, added: 0, unchanged: countOf('youth') - 1 });
    expect((await policies.get(`youth:${record.plcyNo ?? ''}`)).content).toContain('월 30만원 지원');
  });

  it('deletes a record the source no longer lists, after a complete fetch', async () => {
    const removed = peer.data.gov24List.splice(10, 1)[0];
    if (!removed) throw new Error('fixture too small');
    const summary = await dataload.run('gov24');
    expect(summary).toMatchObject({ deleted: 1, embedded: 0, fetched: countOf('gov24') });
    await expect(policies.get(`gov24:${String(removed['서비스ID'])}`)).rejects.toMatchObject({ status: 404 });
  });

  it('re-adds a document that vanished from Chroma although its hash was saved', async () => {
    const store = new VectorStore({ url: stack.chroma?.url, embeddedDir: '/nonexistent', allowEmbedded: false, role: 'test', collection: stack.config.vector.collection, log: stack.core.log });
    const id = idsOf('work24')[3] ?? '';
    await store.delete([id]);
    await store.close();
    const summary = await dataload.run('work24');
    expect(summary).toMatchObject({ state: 'SUCCESS', added: 1, embedded: 1, unchanged: countOf('work24') - 1 });
    expect((await policies.get(id)).id).toBe(id);
  });

  it('fails a run whose API keeps failing on page 3 and keeps every stored document', async () => {
    const before = await storedIds('youth');
    peer.data.youth.pop();
    peer.setFault('youth', { kind: 'http500', page: 3 });
    try {
      const error = await runError(dataload.run('youth'));
      expect(error.summary).toMatchObject({ state: 'FAILED', deleted: 0 });
      expect(error.message).toContain('온통청년');
      expect(error.message).toContain('HTTP 500');
      // The request (page, endpoint), the HTML error page summarised, what was kept, what to do.
      expect(error.message).toMatch(/요청: [^)]*getPlcy, 3쪽/);
      expect(error.message).toContain('HTML: 500 Internal Server Error');
      expect(error.message).not.toMatch(/<[a-z]/i);
      expect(error.message).toContain('저장된 문서는 지우지 않고 그대로 두었습니다');
      expect(error.message).toContain('ainfo dataload run youth');
      // Page 3 was asked for once and retried twice (PUBLIC_API_RETRIES=2).
      expect(peer.requests.filter((request) => request.api === 'youth' && request.page === 3).length).toBeGreaterThanOrEqual(3);
    } finally {
      peer.clearFaults();
    }
    const [lastRun] = await dataload.recentRuns(1, 'youth');
    expect(lastRun).toMatchObject({ state: 'FAILED', deleted: 0 });
    expect(lastRun?.error).toContain('HTTP 500');
    const after = await Promise.all(before.map((id) => policies.get(id).then(() => id)));
    expect(after).toEqual(before);
    // The next complete run removes the record the source dropped.
    expect(await dataload.run('youth')).toMatchObject({ state: 'SUCCESS', deleted: 1 });
  });

  it('rides out a 429, a truncated body and a timeout by retrying', async () => {
    for (const fault of [{ kind: 'http429' }, { kind: 'truncated' }, { kind: 'slow', delayMs: 2_500 }] as const) {
      peer.setFault('work24', { ...fault, page: 1, times: 1 });
      const summary = await dataload.run('work24');
      expect(summary, fault.kind).toMatchObject({ state: 'SUCCESS', unchanged: countOf('work24') });
    }
    peer.clearFaults();
  });

  it("reports each API's error envelope as a clear error naming the source", async () => {
    const cases: { source: SourceName; fault: Parameters<PublicApisPeer['setFault']>[1]; expected: RegExp; permanent: boolean }[] = [
      { source: 'gov24', fault: { kind: 'envelope', code: -10 }, expected: /^\[gov24\] 정부24 API 호출 한도를 초과했습니다: code -10: 트래픽 허용 횟수를 초과하였습니다\./, permanent: false },
      { source: 'gov24', fault: { kind: 'envelope', code: -4 }, expected: /^\[gov24\] 정부24 API 인증키가 거부되었습니다\. GOV24_API_KEY를 확인하세요: code -4/, permanent: true },
      { source: 'youth', fault: { kind: 'envelope', code: 500 }, expected: /^\[youth\] 온통청년 API 호출에 실패했습니다: resultCode 500/, permanent: false },
      { source: 'work24', fault: { kind: 'envelope', message: '일일 호출 건수를 초과하였습니다' }, expected: /^\[work24\] 고용24 API 호출 한도를 초과했습니다: 일일 호출 건수를 초과하였습니다/, permanent: false },
      { source: 'work24', fault: { kind: 'envelope', message: '신청하신 OpenApi 서비스가 존재하지 않습니다' }, expected: /^\[work24\] 고용24 API 호출에 실패했습니다: 신청하신 OpenApi/, permanent: true },
    ];
    for (const { source, fault, expected, permanent } of cases) {
      const stored = (await storedIds(source)).length;
      peer.setFault(source, fault);
      try {
        const error = await runError(dataload.run(source));
        expect(error.message).toMatch(expected);
        expect(error.permanent).toBe(permanent);
      } finally {
        peer.clearFaults();
      }
      expect(await storedIds(source)).toHaveLength(stored);
    }
  });

  it('fails a 정부24 run when /supportConditions keeps answering its quota envelope, and rides out one 500 there', async () => {
    const stored = (await storedIds('gov24')).length;
    const before = peer.requests.length;
    peer.setFault('gov24', { kind: 'envelope', code: -10, endpoint: 'supportConditions' });
    try {
      const error = await runError(dataload.run('gov24'));
      expect(error.message).toMatch(/^\[gov24\] 정부24 API 호출 한도를 초과했습니다: code -10/);
      expect(error.summary).toMatchObject({ state: 'FAILED', deleted: 0 });
      // serviceDetail answered; the run stopped at supportConditions and never reached serviceList.
      const paths = new Set(peer.requests.slice(before).map((request) => request.path.split('/').pop()));
      expect([...paths].sort()).toEqual(['serviceDetail', 'supportConditions']);
    } finally {
      peer.clearFaults();
    }
    expect(await storedIds('gov24')).toHaveLength(stored);

    peer.setFault('gov24', { kind: 'http500', endpoint: 'supportConditions', page: 1, times: 1 });
    try {
      expect(await dataload.run('gov24')).toMatchObject({ state: 'SUCCESS', deleted: 0 });
    } finally {
      peer.clearFaults();
    }
    expect((await policies.get('gov24:000000465790')).conditions).toMatchObject({ noHome: true });
  });

  it('names the source and its key variable when the key is refused', async () => {
    const key = peer.apiKey;
    peer.apiKey = 'another-key';
    try {
      const expectations: Record<SourceName, RegExp> = {
        gov24: /^\[gov24\] 정부24 API 인증키가 거부되었습니다\. GOV24_API_KEY를 확인하세요: code -401: 유효하지 않은 인증키 입니다\./,
        youth: /^\[youth\] 온통청년 API 인증키가 거부되었습니다\. YOUTH_POLICY_API_KEY를 확인하세요: e001: invalid api key\. \(HTTP 403\)/,
        work24: /^\[work24\] 고용24 API 인증키가 거부되었습니다\. WORK24_API_KEY를 확인하세요: 인증키가 존재하지 않습니다/,
      };
      for (const source of SOURCES) {
        const error = await runError(dataload.run(source));
        expect(error.message).toMatch(expectations[source]);
        expect(error.permanent).toBe(true);
      }
    } finally {
      peer.apiKey = key;
    }
    expect(TEST_API_KEY).toBe(key);
  });

  it('runs one load of a source at a time: a second one is refused', async () => {
    peer.setFault('youth', { kind: 'slow', delayMs: 400, page: 1, times: 1 });
    const outcomes = await Promise.allSettled([dataload.run('youth'), dataload.run('youth')]);
    peer.clearFaults();
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(LoadInProgressError);
    expect((rejected[0]?.reason as Error).message).toContain('온통청년 수집이 이미 실행 중입니다');
    // Other sources are not blocked by it.
    expect((await dataload.run('work24')).state).toBe('SUCCESS');
  });

  it('runs as a task with progress, and a task during a manual run is skipped', async () => {
    const { broker, registry, results, log } = stack.core;
    const worker = new TaskWorker({ broker, registry, deps: workerDeps(stack.services), log, queues: ['dataload'], lockMs: 10_000 });
    await worker.start();
    try {
      const ref = await broker.enqueue(LOAD_TASKS.gov24, {});
      const result = await results.wait(ref.id, { timeoutMs: 30_000 });
      expect(result).toMatchObject({ state: 'SUCCESS', result: { state: 'SUCCESS', source: 'gov24', embedded: 0 } });
      expect(result.progress).toMatchObject({ source: 'gov24', phase: 'done', fetched: countOf('gov24') });

      peer.setFault('youth', { kind: 'slow', delayMs: 1_500, page: 1, times: 1 });
      const asked = peer.requests.length;
      const manual = dataload.run('youth');
      // The manual run holds the source's lock once its first page is asked for.
      await waitUntil(() => peer.requests.slice(asked).some((request) => request.api === 'youth'), 10_000, 'the manual run started');
      const skipped = await broker.enqueue(LOAD_TASKS.youth, {});
      const skippedResult = await results.wait(skipped.id, { timeoutMs: 30_000 });
      expect(skippedResult).toMatchObject({ state: 'SUCCESS', result: { state: 'SKIPPED', source: 'youth' } });
      expect((await manual).state).toBe('SUCCESS');
    } finally {
      peer.clearFaults();
      await worker.close(5_000);
    }
  });

  it('dataload run --queue prints a retried failure with its time and error and exits 1', async () => {
    const { broker, registry, results, log } = stack.core;
    const worker = new TaskWorker({ broker, registry, deps: workerDeps(stack.services), log, queues: ['dataload'], lockMs: 10_000 });
    await worker.start();
    peer.setFault('work24', { kind: 'http500', page: 1 });
    let taskId: string | undefined;
    try {
      const run = await runAinfo(['dataload', 'run', 'work24', '--queue'], stack.childEnv({ LOG_LEVEL: 'warn' }));
      taskId = /작업 (\S+)를 큐/.exec(run.stderr)?.[1];
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/고용24: RETRY — 시도 1번째가 실패했습니다; \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\(서울\)에 다시 시도합니다: .*HTTP 500/);
      expect(run.stderr).toContain('--wait-retries');
      expect(run.stderr).not.toContain('<html');
      expect(run.stdout).toBe('');
    } finally {
      peer.clearFaults();
      // The retry is 15 minutes away: it must not run into the tests after this one.
      if (taskId) await results.revoke(taskId);
      await worker.close(5_000);
    }
  });

  it('schedules the three loads on Wednesday nights in Asia/Seoul under the original names', async () => {
    await syncSchedules(stack.core.broker, stack.core.registry);
    const rows = (await listScheduled(stack.core.broker, stack.core.registry)).filter((row) => row.queue === 'dataload');
    const byId = new Map(rows.map((row) => [row.id, row]));
    const expected: [string, string, string, string][] = [
      ['load-employment-data-every-wednesday-1am', 'dataload.loadEmploymentData', '0 1 * * 3', '01:00:00'],
      ['load-youth_policy-data-every-wednesday-1.5am', 'dataload.loadYouthPolicyData', '30 1 * * 3', '01:30:00'],
      ['load-gov24-data-every-wednesday-2am', 'dataload.loadGov24Data', '0 2 * * 3', '02:00:00'],
    ];
    expect(rows).toHaveLength(3);
    for (const [id, task, cron, time] of expected) {
      const row = byId.get(id);
      expect(row, id).toMatchObject({ task, cron, tz: 'Asia/Seoul', declared: true, paused: false });
      expect(row?.nextRunLocal).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} ${time} \\(Asia/Seoul\\)$`));
      const next = new Date(row?.nextRunAt ?? 0);
      const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Seoul', weekday: 'short' }).format(next);
      expect(weekday).toBe('Wed');
      expect(next.getTime() - Date.now()).toBeGreaterThan(0);
      expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    }
  });

  it('ranks the youth rent-support records first for "청년 월세 지원"', async () => {
    const rentIds = [
      'youth:20250512005400211562',
      'youth:20250301005400211201',
      'youth:20250415005400211377',
      'youth:20250620005400211899',
      'gov24:000000465790',
    ];
    const result = await policies.search({ q: '청년 월세 지원', limit: 10, offset: 0 });
    expect(result.items.slice(0, rentIds.length).map((item) => item.id).sort()).toEqual([...rentIds].sort());
    const lastRent = result.items[rentIds.length - 1]?.score ?? 0;
    const firstOther = result.items[rentIds.length]?.score ?? 0;
    expect(lastRent).toBeGreaterThan(firstOther);

    const seoul = await policies.search({ q: '청년 월세 지원', region: '서울', source: 'youth', limit: 3, offset: 0 });
    expect(seoul.items[0]?.id).toBe('youth:20250301005400211201');
    for (const item of seoul.items) expect(item.region === '전국' || item.region.startsWith('서울특별시')).toBe(true);
  });
});

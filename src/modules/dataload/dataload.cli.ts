import { table, type RegisterCommands } from '../../cli/kit.ts';
import type { Core } from '../../processes/compose.ts';
import { isFinished } from '../../tasks/index.ts';
import { formatSeoulTime } from '../../utils/time.ts';
import { LoadInProgressError, LoadRunError } from './dataload.errors.ts';
import type { DataloadService, RunSummary } from './dataload.service.ts';
import type { DataloadRunRow } from './dataload.tables.ts';
import { LOAD_TASKS, type LoadTaskResult } from './dataload.tasks.ts';
import { SOURCE_INFO, SOURCE_NAMES, isSourceName, type LoadProgress, type SourceName } from './dataload.types.ts';

const number = (value: number): string => value.toLocaleString('ko-KR');

/** One progress line; on a terminal it redraws itself in place. */
function progressLine(progress: LoadProgress): string {
  const { label } = SOURCE_INFO[progress.source];
  const width = 24;
  const ratio = progress.pages ? Math.min(1, progress.page / progress.pages) : 0;
  const filled = Math.round(ratio * width);
  const bar = progress.pages ? `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${progress.page}/${progress.pages}쪽` : `${progress.page}쪽`;
  const phase = progress.phase === 'reembedding' ? ' 다시 임베딩 중' : progress.phase === 'deleting' ? ' 삭제 확인 중' : '';
  return `${label} ${bar}${phase} · ${number(progress.fetched)}건 (새 ${number(progress.added)} · 바뀜 ${number(progress.updated)} · 그대로 ${number(progress.unchanged)})`;
}

function progressReporter(): { report: (progress: LoadProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    report(progress) {
      if (!tty) return;
      process.stderr.write(`\r\u001b[2K${progressLine(progress)}`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

function summaryRow(summary: RunSummary): string[] {
  return [
    SOURCE_INFO[summary.source].label,
    summary.mode === 'sample' ? '샘플' : '실제',
    summary.state,
    number(summary.fetched),
    number(summary.added),
    number(summary.updated),
    number(summary.unchanged),
    number(summary.deleted),
    number(summary.failed),
    seconds(summary.durationMs),
  ];
}

const SUMMARY_HEADERS = ['출처', '모드', '상태', '가져옴', '추가', '변경', '그대로', '삭제', '실패', '시간'];

function runRow(run: DataloadRunRow): string[] {
  const started = formatSeoulTime(run.startedAt);
  const duration = run.finishedAt ? seconds(run.finishedAt.getTime() - run.startedAt.getTime()) : '-';
  return [
    String(run.id),
    SOURCE_INFO[run.source].label,
    run.mode === 'sample' ? '샘플' : '실제',
    run.state,
    started,
    duration,
    number(run.fetched),
    number(run.added),
    number(run.updated),
    number(run.unchanged),
    number(run.deleted),
    number(run.failed),
  ];
}

/** The full error of each failed run, below the table: a terminal wraps it, nothing is cut. */
function runErrors(runs: readonly DataloadRunRow[]): string {
  return runs
    .filter((run) => run.error)
    .map((run) => `#${run.id} ${SOURCE_INFO[run.source].label} 오류: ${run.error ?? ''}`)
    .join('\n');
}

function parseSources(value: string): SourceName[] {
  if (value === 'all') return [...SOURCE_NAMES];
  if (isSourceName(value)) return [value];
  throw new Error(`unknown source "${value}": use one of ${SOURCE_NAMES.join(', ')} or all`);
}

/** Runs loads in this process, one source after another; returns the failures. */
async function runInProcess(dataload: DataloadService, sources: readonly SourceName[], sample: boolean): Promise<{ summaries: RunSummary[]; failures: string[] }> {
  const summaries: RunSummary[] = [];
  const failures: string[] = [];
  for (const source of sources) {
    const { label, keyVariable } = SOURCE_INFO[source];
    if (dataload.isSample(source, sample)) {
      process.stderr.write(`${label}: 샘플 모드 — ${sample ? '--sample' : `${keyVariable}가 없어`} 내장 샘플 데이터를 씁니다 (실제 API가 아닙니다)\n`);
    }
    const reporter = progressReporter();
    try {
      summaries.push(await dataload.run(source, { sample, onProgress: reporter.report }));
      reporter.done();
    } catch (error) {
      reporter.done();
      if (error instanceof LoadRunError) {
        summaries.push(error.summary);
        failures.push(error.message);
      } else if (error instanceof LoadInProgressError) {
        failures.push(error.message);
      } else {
        throw error;
      }
    }
  }
  return { summaries, failures };
}

/** How often a follower looks whether an awaited load failed an attempt and waits for its retry. */
const RETRY_CHECK_MS = 2_000;

/**
 * Enqueues the loads for the workers and follows each one through the result store: its progress
 * events as they come, then its result. A failed attempt that will be retried (15 minutes later)
 * is printed with its time and error; without `waitRetries` the command stops there, non-zero.
 */
async function runThroughWorkers(
  core: Core,
  sources: readonly SourceName[],
  options: { sample: boolean; waitRetries: boolean },
): Promise<{ summaries: RunSummary[]; failures: string[] }> {
  const refs = await Promise.all(sources.map((source) => core.broker.enqueue(LOAD_TASKS[source], { sample: options.sample })));
  const summaries: RunSummary[] = [];
  const failures: string[] = [];
  for (const [index, ref] of refs.entries()) {
    const source = sources[index] ?? 'gov24';
    const { label } = SOURCE_INFO[source];
    process.stderr.write(`${label}: 작업 ${ref.id}를 큐 ${ref.queue}에 넣었습니다; 워커가 실행합니다\n`);
    const reporter = progressReporter();
    let state = await core.results.get(ref.id);
    let retriesSeen = 0;
    while (!isFinished(state.state)) {
      // Waits for the end (events, not polling), waking every few seconds to notice a retry.
      state = await core.results.wait(ref.id, {
        timeoutMs: RETRY_CHECK_MS,
        onProgress: (progress) => {
          if (progress && typeof progress === 'object') reporter.report(progress as LoadProgress);
        },
      });
      if (state.state !== 'RETRY' || state.attempts <= retriesSeen) continue;
      retriesSeen = state.attempts;
      reporter.done();
      const when = state.runAt ? formatSeoulTime(new Date(state.runAt)) : '곧';
      process.stderr.write(`${label}: RETRY — 시도 ${state.attempts}번째가 실패했습니다; ${when}(서울)에 다시 시도합니다: ${state.error ?? ''}\n`);
      if (!options.waitRetries) {
        failures.push(
          `${label}: RETRY at ${when} (작업 ${ref.id}): ${state.error ?? ''}\n` +
            `  워커가 그때 다시 실행합니다. 기다리려면 --wait-retries를 붙이고, 결과는 \`ainfo result ${ref.id} --wait\`로 보세요.`,
        );
        break;
      }
    }
    reporter.done();
    if (!isFinished(state.state)) continue;
    const result = state.result as LoadTaskResult | undefined;
    if (state.state === 'SUCCESS' && result && result.state !== 'SKIPPED') summaries.push(result);
    else if (result?.state === 'SKIPPED') failures.push(result.reason);
    else failures.push(`${SOURCE_INFO[source].label}: ${state.state} ${state.error ?? ''}`.trim());
  }
  return { summaries, failures };
}

/**
 * `ainfo dataload run <work24|youth|gov24|all> [--sample] [--queue]` and `ainfo dataload runs`.
 * A run goes in-process by default (it works with nothing else running); `--queue` hands it to the
 * workers instead and follows its progress. Either way one run per source holds at a time.
 */
const registerDataloadCommands: RegisterCommands = (program, kit) => {
  const dataload = program.command('dataload').description('collect the public data APIs (정부24, 온통청년, 고용24) into the search index');

  dataload
    .command('run')
    .description('load one source, or all, now; exits non-zero when a load fails')
    .argument('<source>', `${SOURCE_NAMES.join(' | ')} | all`)
    .option('--sample', 'use the built-in sample data (the local peer of the APIs) even when API keys are set', false)
    .option('--queue', 'enqueue the load tasks for the workers and follow them, instead of running here', false)
    .option('--wait-retries', 'with --queue: when an attempt fails and is retried later (15 min), keep waiting instead of exiting 1', false)
    .action(async (sourceArgument: string, options: { sample: boolean; queue: boolean; waitRetries: boolean }) => {
      let sources: SourceName[];
      try {
        sources = parseSources(sourceArgument);
      } catch (error) {
        kit.fail((error as Error).message, 2);
      }
      // --queue needs Redis only, so it works while `ainfo all` holds the embedded database.
      const { summaries, failures } = options.queue
        ? await kit.withCore((core) => runThroughWorkers(core, sources, options))
        : await kit.withServices(({ dataload: service }) => runInProcess(service, sources, options.sample));
      if (summaries.length > 0) process.stdout.write(`${table(SUMMARY_HEADERS, summaries.map(summaryRow))}\n`);
      if (failures.length > 0) kit.fail(failures.join('\n'));
    });

  dataload
    .command('runs')
    .description('recent load runs, newest first')
    .option('--source <source>', `only this source (${SOURCE_NAMES.join(', ')})`)
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON instead of a table', false)
    .action(async (options: { source?: string; limit: string; json: boolean }) => {
      const source = options.source;
      if (source !== undefined && !isSourceName(source)) return kit.fail(`unknown source "${source}": use one of ${SOURCE_NAMES.join(', ')}`, 2);
      const limit = Number.parseInt(options.limit, 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) kit.fail('--limit must be 1..1000', 2);
      const runs = await kit.withServices(({ dataload: service }) => service.recentRuns(limit, source));
      if (options.json) {
        kit.printJson(runs);
        return;
      }
      if (runs.length === 0) {
        process.stdout.write('아직 수집 기록이 없습니다. `ainfo dataload run all`로 시작하세요.\n');
        return;
      }
      process.stdout.write(`${table(['#', '출처', '모드', '상태', '시작(서울)', '시간', '가져옴', '추가', '변경', '그대로', '삭제', '실패'], runs.map(runRow))}\n`);
      const errors = runErrors(runs);
      if (errors) process.stdout.write(`\n${errors}\n`);
    });
};

export default registerDataloadCommands;

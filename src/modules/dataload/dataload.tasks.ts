import { z } from 'zod';
import { celeryArguments, defineSchedule, defineTask, depKey, type TaskContext } from '../../tasks/index.ts';
import { LoadInProgressError } from './dataload.errors.ts';
import type { DataloadService, RunSummary } from './dataload.service.ts';
import type { SourceName } from './dataload.types.ts';

/** What the load tasks use: the dataload service. */
export const DATALOAD = depKey<DataloadService>('dataload');

const payloadSchema = z.object({
  /** Use the built-in sample peer even when an API key is set. */
  sample: z.boolean().default(false),
});

/** What a load task returns: the run's summary, or why it did not run. */
export type LoadTaskResult = RunSummary | { state: 'SKIPPED'; source: SourceName; reason: string };

/**
 * A failed run is retried once, 15 minutes later: long enough for an API outage or a quota
 * window to pass, and every request inside the run has already been retried with backoff.
 */
const LOAD_RETRY = { attempts: 2, backoffMs: 15 * 60_000 };

/**
 * Runs one load. A failed run throws its LoadRunError, which says itself whether retrying can help
 * (`permanent` for a refused key or request): the worker decides from that.
 */
function loadHandler(source: SourceName) {
  return async (payload: z.output<typeof payloadSchema>, ctx: TaskContext<DataloadService>): Promise<LoadTaskResult> => {
    try {
      return await ctx.deps.run(source, {
        sample: payload.sample,
        taskId: ctx.id,
        onProgress: (progress) => ctx.progress({ ...progress }),
      });
    } catch (error) {
      // A manual run during a scheduled one (or the reverse) is refused, not queued behind it.
      if (error instanceof LoadInProgressError) {
        ctx.log.warn({ source }, error.message);
        return { state: 'SKIPPED', source, reason: error.message };
      }
      throw error;
    }
  };
}

/** The original load tasks take no argument: a run from Celery loads as a scheduled one does (live with an API key). */
function fromOriginalLoadTask(name: string) {
  return {
    name,
    toPayload: (args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): unknown => {
      celeryArguments([], args, kwargs);
      return {};
    },
  };
}

/** 고용24 구직자취업역량강화프로그램 → Chroma (the original's `load_employment_data`). */
export const loadEmploymentData = defineTask(
  {
    name: 'dataload.loadEmploymentData',
    queue: 'dataload',
    schema: payloadSchema,
    retry: LOAD_RETRY,
    uses: DATALOAD,
    celery: fromOriginalLoadTask('dataload.tasks.load_employment_data_task'),
  },
  loadHandler('work24'),
);

/** 온통청년 청년정책 → Chroma. */
export const loadYouthPolicyData = defineTask(
  {
    name: 'dataload.loadYouthPolicyData',
    queue: 'dataload',
    schema: payloadSchema,
    retry: LOAD_RETRY,
    uses: DATALOAD,
    celery: fromOriginalLoadTask('dataload.tasks.load_youth_policy_data_task'),
  },
  loadHandler('youth'),
);

/** 정부24 공공서비스(혜택) → Chroma. */
export const loadGov24Data = defineTask(
  {
    name: 'dataload.loadGov24Data',
    queue: 'dataload',
    schema: payloadSchema,
    retry: LOAD_RETRY,
    uses: DATALOAD,
    celery: fromOriginalLoadTask('dataload.tasks.load_gov24_data_task'),
  },
  loadHandler('gov24'),
);

/** The load task of each source. */
export const LOAD_TASKS = { work24: loadEmploymentData, youth: loadYouthPolicyData, gov24: loadGov24Data } as const;

/** The original's beat_schedule: every Wednesday night, Asia/Seoul, the original names. */
export const dataloadSchedules = [
  defineSchedule({ id: 'load-employment-data-every-wednesday-1am', task: loadEmploymentData, cron: '0 1 * * 3', tz: 'Asia/Seoul', payload: {} }),
  defineSchedule({ id: 'load-youth_policy-data-every-wednesday-1.5am', task: loadYouthPolicyData, cron: '30 1 * * 3', tz: 'Asia/Seoul', payload: {} }),
  defineSchedule({ id: 'load-gov24-data-every-wednesday-2am', task: loadGov24Data, cron: '0 2 * * 3', tz: 'Asia/Seoul', payload: {} }),
];

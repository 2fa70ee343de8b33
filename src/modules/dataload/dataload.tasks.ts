import { z } from 'zod';
import { defineSchedule, defineTask, type TaskContext } from '../../tasks/define-task.ts';
import { PermanentError } from '../../tasks/errors.ts';
import { LoadInProgressError, LoadRunError, type RunSummary } from './dataload.service.ts';
import type { SourceName } from './dataload.types.ts';

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

function loadHandler(source: SourceName) {
  return async (payload: z.output<typeof payloadSchema>, ctx: TaskContext): Promise<LoadTaskResult> => {
    try {
      return await ctx.app.dataload.run(source, {
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
      if (error instanceof LoadRunError && error.permanent) throw new PermanentError(error.message, { cause: error });
      throw error;
    }
  };
}

/** 고용24 구직자취업역량강화프로그램 → Chroma (the original's `load_employment_data`). */
export const loadEmploymentData = defineTask(
  { name: 'dataload.loadEmploymentData', queue: 'dataload', schema: payloadSchema, retry: LOAD_RETRY },
  loadHandler('work24'),
);

/** 온통청년 청년정책 → Chroma. */
export const loadYouthPolicyData = defineTask(
  { name: 'dataload.loadYouthPolicyData', queue: 'dataload', schema: payloadSchema, retry: LOAD_RETRY },
  loadHandler('youth'),
);

/** 정부24 공공서비스(혜택) → Chroma. */
export const loadGov24Data = defineTask(
  { name: 'dataload.loadGov24Data', queue: 'dataload', schema: payloadSchema, retry: LOAD_RETRY },
  loadHandler('gov24'),
);

/** The load task of each source, for the CLI. */
export const LOAD_TASKS = { work24: loadEmploymentData, youth: loadYouthPolicyData, gov24: loadGov24Data } as const;

/**
 * Enqueues a load of every source that never completed one, so that the first `npm start` fills
 * search (from the sample peer when no API key is set) instead of waiting for Wednesday. The fixed
 * task ids make a quick restart join the loads already queued. Never throws: a start-up must not
 * fail because of it.
 */
export async function enqueueInitialLoads(app: TaskContext['app']): Promise<SourceName[]> {
  try {
    const sources = await app.dataload.sourcesNeverLoaded();
    for (const source of sources) await LOAD_TASKS[source].applyAsync({}, { id: `dataload-initial-${source}` });
    if (sources.length > 0) app.log.info({ sources }, 'first start: public data loads enqueued (sample mode for sources without an API key)');
    return sources;
  } catch (error) {
    app.log.warn({ err: error }, 'could not enqueue the initial public data loads; run `ainfo dataload run all`');
    return [];
  }
}

/** The original's beat_schedule: every Wednesday night, Asia/Seoul, the original names. */
export const dataloadSchedules = [
  defineSchedule({ id: 'load-employment-data-every-wednesday-1am', task: loadEmploymentData, cron: '0 1 * * 3', tz: 'Asia/Seoul', payload: {} }),
  defineSchedule({ id: 'load-youth_policy-data-every-wednesday-1.5am', task: loadYouthPolicyData, cron: '30 1 * * 3', tz: 'Asia/Seoul', payload: {} }),
  defineSchedule({ id: 'load-gov24-data-every-wednesday-2am', task: loadGov24Data, cron: '0 2 * * 3', tz: 'Asia/Seoul', payload: {} }),
];

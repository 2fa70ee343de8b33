import type { Queue } from 'bullmq';
import { CronExpressionParser } from 'cron-parser';
import { lastScheduleRuns, retryFailedTask, runScheduleNow, type RetryOutcome } from '../../tasks/admin-ops.ts';
import { listScheduled, pauseSchedule, resumeSchedule } from '../../tasks/beat.ts';
import type { Broker, ResultStore, TaskRef, TaskRegistry, TaskResult } from '../../tasks/index.ts';
import { activeTasks, queueStats, recentFailures, workersSeen, type ActiveTask, type FailedTask, type QueueStats } from '../../tasks/inspect.ts';
import type { ScheduleRow } from './views/operations.ts';

/** The task layer as the admin uses it. */
export interface AdminTaskLayer {
  broker: Broker;
  registry: TaskRegistry;
  results: ResultStore;
}

export interface DashboardData {
  stats: QueueStats[];
  workers: { name: string; queues: string[] }[];
  failures: FailedTask[];
  active: ActiveTask[];
}

/** The next run from the cron itself, for an entry beat has not written to Redis yet. */
function nextFromCron(cron: string, tz: string): string | undefined {
  try {
    return CronExpressionParser.parse(cron, { tz, currentDate: new Date() }).next().toISOString() ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The admin's operations on the task layer (Flower's and `celery inspect`'s): the dashboard's
 * figures, the periodic schedule (with last and next runs, run now, pause, resume), task look-up
 * and retry. The routes stay thin: they call these and render.
 */
export class AdminOperations {
  constructor(private readonly tasks: AdminTaskLayer) {}

  async dashboard(): Promise<DashboardData> {
    const { broker } = this.tasks;
    const [stats, workers, failures, active] = await Promise.all([
      queueStats(broker),
      workersSeen(broker),
      recentFailures(broker, 10),
      activeTasks(broker, 20),
    ]);
    return { stats, workers, failures, active };
  }

  hasSchedule(id: string): boolean {
    return this.tasks.registry.scheduleEntries().some((entry) => entry.id === id);
  }

  /** Every periodic entry with its next run (from Redis, or from its cron) and its last run's state. */
  async schedules(): Promise<ScheduleRow[]> {
    const { broker, registry, results } = this.tasks;
    const [entries, lastRuns] = await Promise.all([listScheduled(broker, registry), lastScheduleRuns(broker, registry)]);
    return Promise.all(
      entries.map(async (entry) => {
        const row: ScheduleRow = { ...entry };
        if (!entry.nextRunAt && !entry.paused) {
          const next = nextFromCron(entry.cron, entry.tz);
          if (next) row.cronNextRunAt = next;
        }
        const last = lastRuns.get(entry.id);
        if (!last) return row;
        const result = await results.get(last.taskId);
        return { ...row, lastRun: { ...last, state: result.state } };
      }),
    );
  }

  runSchedule(id: string): Promise<TaskRef> {
    return runScheduleNow(this.tasks.broker, this.tasks.registry, id);
  }

  pauseSchedule(id: string): Promise<void> {
    return pauseSchedule(this.tasks.broker, this.tasks.registry, id);
  }

  resumeSchedule(id: string): Promise<void> {
    return resumeSchedule(this.tasks.broker, this.tasks.registry, id);
  }

  task(id: string): Promise<TaskResult> {
    return this.tasks.results.get(id);
  }

  recentFailures(limit: number): Promise<FailedTask[]> {
    return recentFailures(this.tasks.broker, limit);
  }

  retryTask(id: string): Promise<RetryOutcome> {
    return retryFailedTask(this.tasks.broker, id);
  }

  /** The queues bull-board shows. */
  queues(): Queue[] {
    return this.tasks.broker.allQueues();
  }
}

import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { stripQueryParameters } from '../log/scrub.ts';
import type { Deps } from '../utils/deps.ts';
import { toPayloadIssues } from './broker.ts';
import type { AnyTask, RetryPolicy, TaskContext } from './define-task.ts';
import { isPermanent } from './errors.ts';
import { DurationRecorder } from './metrics.ts';
import { uniqueId } from '../utils/ids.ts';

/** One run of a task, as the consumer that took it (a BullMQ job, a Celery message) describes it. */
export interface TaskRunInfo {
  /** The task id: the same on every retry (a Celery message's id, a BullMQ job's id). */
  id: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  progress(value: number | Record<string, unknown>): Promise<void>;
  /** Fields every log line of this run carries besides the task and its id (e.g. the Celery name). */
  logFields?: Record<string, unknown>;
  /** The run was relayed from the outbox: its row is marked done once the task has finished. */
  fromOutbox?: boolean;
}

/** What one run came to; the consumer maps it to its own transport (BullMQ, Celery). */
export type TaskRunOutcome =
  | { status: 'success'; value: unknown; durationMs: number }
  /** The payload failed the task's schema: the task fails at once, never retried. */
  | { status: 'invalid'; reason: string }
  | {
      status: 'failed';
      error: Error;
      /** The error said retrying cannot help (`permanent: true`). */
      permanent: boolean;
      /** When it should run again (the task's exponential backoff); undefined when it must not: permanent, or out of attempts. */
      retryInMs: number | undefined;
      durationMs: number;
    };

/**
 * The delay before the retry that follows run `attempt` (1-based): the first backoff doubling per
 * run, as BullMQ's exponential backoff computes it, so both consumers wait the same.
 */
export function retryDelayMs(retry: RetryPolicy, attempt: number): number {
  return retry.backoffMs * 2 ** Math.max(0, attempt - 1);
}

export interface TaskRunnerOptions {
  /** What the tasks declare with `uses`. */
  deps: Deps;
  log: Logger;
  /** Where the duration histograms are flushed (the broker's Redis and prefix). */
  redis: Redis | Cluster;
  prefix: string;
  /** Where a finished outbox task's row is marked done (workers with a database). */
  outbox?: { markDone(taskId: string, error?: string): Promise<void> };
}

/**
 * The one way a task runs in a worker, whichever queue it came from: the payload validated against
 * the task's schema, the handler called with its `ctx.deps` (from the task's DI key), its progress
 * reporter and a logger made on first use, the duration recorded, the outcome logged, and the
 * error classified (permanent or not, retry or not). BullMQ jobs (TaskWorker) and Celery messages
 * (CeleryTaskWorker) both run through it.
 */
export class TaskRunner {
  private readonly durations: DurationRecorder;
  private users = 0;

  constructor(private readonly options: TaskRunnerOptions) {
    this.durations = new DurationRecorder(options.redis, options.prefix);
  }

  /** @throws MissingDependencyError naming each task whose `uses` key was not provided. */
  assertProvides(tasks: readonly AnyTask[]): void {
    this.options.deps.assertProvides(tasks.flatMap((task) => (task.uses ? [{ key: task.uses, neededBy: `task ${task.name}` }] : [])));
  }

  /**
   * Registers a consumer of this runner; call the returned function when it has stopped. The
   * durations are flushed when the last one stops, so none recorded by a slower consumer is lost.
   */
  acquire(): () => Promise<void> {
    this.users += 1;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      this.users -= 1;
      if (this.users === 0) await this.durations.close();
    };
  }

  /** Records the failure of a task its consumer refused before running it (unknown, expired, stalled out). */
  recordFailure(taskName: string, seconds: number): void {
    this.durations.record(taskName, 'failure', seconds);
  }

  run(task: AnyTask, payload: unknown, info: TaskRunInfo): Promise<TaskRunOutcome> {
    // Most runs have no outbox row: their outcome is returned as it is, without an async frame of
    // its own around it (a promise and its microtask turns less per task at the worker's full rate).
    if (!info.fromOutbox || !this.options.outbox) return this.execute(task, payload, info);
    return this.runFromOutbox(task, payload, info);
  }

  /** A run relayed from the outbox: its row is marked done once the task has finished. */
  private async runFromOutbox(task: AnyTask, payload: unknown, info: TaskRunInfo): Promise<TaskRunOutcome> {
    const outcome = await this.execute(task, payload, info);
    const finished = outcome.status !== 'failed' || outcome.retryInMs === undefined;
    if (finished && this.options.outbox) {
      const error = outcome.status === 'invalid' ? outcome.reason : outcome.status === 'failed' ? outcome.error.message : undefined;
      // Not marked (database down): the relay finds the job finished later and marks it then.
      await this.options.outbox.markDone(info.id, error).catch((caught: unknown) => {
        this.options.log.warn({ task: task.name, taskId: info.id, err: caught }, 'could not mark the outbox row done; the relay will');
      });
    }
    return outcome;
  }

  private async execute(task: AnyTask, payload: unknown, info: TaskRunInfo): Promise<TaskRunOutcome> {
    const parentLog = this.options.log;
    const parsed = task.schema.safeParse(payload);
    if (!parsed.success) {
      const issues = toPayloadIssues(parsed.error)
        .map((issue) => `${issue.field || '(payload)'}: ${issue.message}`)
        .join('; ');
      const reason = `invalid payload: ${issues}`;
      this.durations.record(task.name, 'failure', 0);
      parentLog.error({ ...logFields(task, info), durationMs: 0, error: reason }, 'task failed');
      return { status: 'invalid', reason };
    }
    const deps: unknown = task.uses ? this.options.deps.get(task.uses, `task ${task.name}`) : undefined;
    const started = performance.now();
    try {
      const value: unknown = await task.handler(parsed.data, new RunContext(task.name, info, deps, parentLog));
      const seconds = (performance.now() - started) / 1000;
      this.durations.record(task.name, 'success', seconds);
      const durationMs = Math.round(seconds * 1000);
      if (parentLog.isLevelEnabled('info')) parentLog.info({ ...logFields(task, info), durationMs }, 'task succeeded');
      return { status: 'success', value, durationMs };
    } catch (caught) {
      const seconds = (performance.now() - started) / 1000;
      this.durations.record(task.name, 'failure', seconds);
      const durationMs = Math.round(seconds * 1000);
      // Its message is logged and stored as the failure reason: no query parameters there.
      const error = stripQueryParameters(caught instanceof Error ? caught : new Error(String(caught)));
      const permanent = isPermanent(caught);
      const retryInMs = !permanent && info.attempt < info.maxAttempts ? retryDelayMs(task.retry, info.attempt) : undefined;
      parentLog[retryInMs === undefined ? 'error' : 'warn'](
        { ...logFields(task, info), durationMs, error: error.message, ...(permanent ? { permanent } : {}) },
        retryInMs === undefined ? 'task failed' : 'task failed; retrying',
      );
      return { status: 'failed', error, permanent, retryInMs, durationMs };
    }
  }
}

/** Built only for a line that is written: at the worker's full rate most runs log nothing. */
function logFields(task: AnyTask, info: TaskRunInfo): Record<string, unknown> {
  return { task: task.name, taskId: info.id, attempt: info.attempt, ...info.logFields };
}

/**
 * What a handler receives, as a class: its methods live on the prototype, so a run allocates one
 * object and no closures (call `ctx.progress(…)` as a method).
 */
class RunContext implements TaskContext<unknown> {
  readonly id: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  private logger: Logger | undefined;
  private madeRunId: string | undefined;

  constructor(
    private readonly taskName: string,
    private readonly info: TaskRunInfo,
    readonly deps: unknown,
    private readonly parentLog: Logger,
  ) {
    this.id = info.id;
    this.attempt = info.attempt;
    this.maxAttempts = info.maxAttempts;
  }

  /**
   * Unique per run, also when a stalled task is taken over under the same id: a lease held by it
   * is never re-claimed by a second runner. Made on first use (then the same for the whole run):
   * few handlers take a lease, and an id per task is not free at the worker's full rate.
   */
  get runId(): string {
    this.madeRunId ??= `${this.info.id}#${uniqueId()}`;
    return this.madeRunId;
  }

  /** Made on first use: most handlers never log, and a child logger per task is not free. */
  get log(): Logger {
    this.logger ??= this.parentLog.child({ task: this.taskName, taskId: this.info.id, ...this.info.logFields });
    return this.logger;
  }

  progress(value: number | Record<string, unknown>): Promise<void> {
    return this.info.progress(value);
  }
}

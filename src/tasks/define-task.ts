import type { z } from 'zod';
import type { Logger } from 'pino';
import type { DepKey } from '../utils/deps.ts';
import type { QueueName } from './queues.ts';
import { uniqueId } from '../utils/ids.ts';

/** What a handler receives besides its payload. */
export interface TaskContext<D = undefined> {
  /** The task id (Celery's `self.request.id`). */
  id: string;
  /**
   * This run's own id: a retry, or a run taken over after a stall, gets a new one, while the
   * stalled run may still be going (a worker cut off from Redis keeps running). What must not run
   * twice at once is leased to it, not to `id`.
   */
  runId: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  log: Logger;
  /** Reports progress, readable through `results.get(id).progress` and `results.wait(id, { onProgress })`. */
  progress(value: number | Record<string, unknown>): Promise<void>;
  /**
   * What the task declared with `uses` (its module's narrow dependencies, typically the module's
   * service), as the worker's composition root provided it; undefined for a task without `uses`.
   */
  deps: D;
}

/** Retry policy for thrown errors; permanent errors and invalid payloads never retry. */
export interface RetryPolicy {
  /** Runs in all, the first included. Default 3. */
  attempts: number;
  /** First backoff; each retry doubles it. Default 1,000 ms. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1_000 };

/**
 * How a task answers Celery protocol 2 messages sent by Python code (see docs/celery.md): the
 * Celery worker of `ainfo worker --celery-queues` runs this task for messages of `name`.
 */
export interface CeleryMapping {
  /** The Celery task name (`headers.task`) it answers to, e.g. `accounts.tasks.send_verify_email`. */
  readonly name: string;
  /**
   * Turns the message's `args` and `kwargs` into this task's payload, which the task's schema then
   * validates like any payload. Throw for a call Python would refuse (see `celeryArguments`).
   */
  toPayload(args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>): unknown;
}

/** A task's definition. */
export interface TaskOptions<S extends z.ZodType> {
  /** Stored in Redis and used by `ainfo call`: treat it like an API path (`accounts.sendVerifyEmail`). */
  name: string;
  queue: QueueName;
  schema: S;
  retry?: Partial<RetryPolicy>;
  /**
   * Derives the task id from the payload (see `taskIdOf`), so that enqueueing the same logical
   * work twice runs it once while the first is known (e.g. one broadcast per notice).
   */
  dedupe?: (payload: z.output<S>) => string;
  /** Default priority (1 is the highest; unset means FIFO). */
  priority?: number;
  /** The Celery task this task takes over, if any: its name and how its arguments become the payload. */
  celery?: CeleryMapping;
}

export type TaskHandler<S extends z.ZodType, R, D> = (payload: z.output<S>, ctx: TaskContext<D>) => Promise<R>;

/** A task: its definition and its handler. Enqueue it through a TaskProducer. */
export interface Task<S extends z.ZodType = z.ZodType, R = unknown, D = undefined> {
  readonly kind: 'ainfo.task';
  readonly name: string;
  readonly queue: QueueName;
  readonly schema: S;
  readonly retry: RetryPolicy;
  readonly priority: number | undefined;
  readonly dedupe: ((payload: z.output<S>) => string) | undefined;
  /** The dependency key the handler's `ctx.deps` comes from; the worker refuses to start without it. */
  readonly uses: DepKey<D> | undefined;
  /** The Celery task name it answers to and its argument mapping; undefined for ours alone. */
  readonly celery: CeleryMapping | undefined;
  readonly handler: TaskHandler<S, R, D>;
}

/** Any task, whatever its payload, result and dependency types; what registries and workers hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the handler's parameter types vary per task
export type AnyTask = Task<z.ZodType, any, any>;

const TASK_NAME = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

/**
 * Defines a task (Celery's `@shared_task`). Export it from a module's `*.tasks.ts` so that workers
 * discover it; enqueue it with a TaskProducer: `producer.enqueue(sendVerifyEmail, { userId })`.
 * With `uses: KEY` the handler gets `ctx.deps` typed by the key.
 */
export function defineTask<S extends z.ZodType, R, D>(
  options: TaskOptions<S> & { uses: DepKey<D> },
  handler: TaskHandler<S, R, D>,
): Task<S, R, D>;
export function defineTask<S extends z.ZodType, R>(
  options: TaskOptions<S> & { uses?: undefined },
  handler: TaskHandler<S, R, undefined>,
): Task<S, R>;
export function defineTask<S extends z.ZodType, R, D>(
  options: TaskOptions<S> & { uses?: DepKey<D> },
  handler: TaskHandler<S, R, D>,
): Task<S, R, D> {
  if (!TASK_NAME.test(options.name)) {
    throw new Error(`task name "${options.name}" must look like "domain.actionName"`);
  }
  if (options.celery && options.celery.name.trim() === '') {
    throw new Error(`task "${options.name}" declares an empty Celery name`);
  }
  return Object.freeze({
    kind: 'ainfo.task' as const,
    name: options.name,
    queue: options.queue,
    schema: options.schema,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    priority: options.priority,
    dedupe: options.dedupe,
    uses: options.uses,
    celery: options.celery,
    handler,
  });
}

export function isTask(value: unknown): value is AnyTask {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ainfo.task';
}

/**
 * The id of one run of a task, the one formula for it: the explicit id when given, else
 * `<task name>-<dedupe key>` for a task that dedupes, else a new `uniqueId()`.
 */
export function taskIdOf<S extends z.ZodType>(
  task: { readonly name: string; readonly dedupe: ((payload: z.output<S>) => string) | undefined },
  payload: z.output<S>,
  explicit?: string,
): string {
  if (explicit !== undefined) return explicit;
  return task.dedupe ? `${task.name}-${task.dedupe(payload)}` : uniqueId();
}

/** A periodic entry (Celery's beat_schedule row), declared next to its task. */
export interface ScheduleEntry {
  readonly kind: 'ainfo.schedule';
  /** Stable id; beat upserts by it and removes ids no longer declared. */
  readonly id: string;
  readonly task: AnyTask;
  /** Five- or six-field cron (seconds first when six). */
  readonly cron: string;
  /** IANA zone. Default Asia/Seoul. */
  readonly tz: string;
  readonly payload: unknown;
}

export function defineSchedule<S extends z.ZodType, R, D>(entry: {
  id: string;
  task: Task<S, R, D>;
  cron: string;
  tz?: string;
  payload: z.input<S>;
}): ScheduleEntry {
  return Object.freeze({
    kind: 'ainfo.schedule' as const,
    id: entry.id,
    task: entry.task as AnyTask,
    cron: entry.cron,
    tz: entry.tz ?? 'Asia/Seoul',
    payload: entry.payload,
  });
}

export function isScheduleEntry(value: unknown): value is ScheduleEntry {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ainfo.schedule';
}

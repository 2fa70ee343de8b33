import type { z } from 'zod';
import type { Logger } from 'pino';
import type { QueueName } from './queues.ts';
import type { ApplyOptions, TaskRef } from './broker.ts';
import { getDefaultBroker } from './broker.ts';

/**
 * What a handler receives besides its payload. The composition root (src/context.ts) widens
 * `TaskDependencies` by declaration merging, so handlers see the app's services, typed, while the
 * task layer itself knows nothing of them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TaskDependencies {}

export interface TaskContext {
  /** The task id (Celery's `self.request.id`). */
  id: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Attempts allowed in all. */
  maxAttempts: number;
  log: Logger;
  /** Reports progress, readable through `results.get(id).progress`. */
  progress(value: number | Record<string, unknown>): Promise<void>;
  app: TaskDependencies;
}

/** Retry policy for thrown errors; PermanentError and invalid payloads never retry. */
export interface RetryPolicy {
  /** Runs in all, the first included. Default 3. */
  attempts: number;
  /** First backoff; each retry doubles it. Default 1,000 ms. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1_000 };

export interface TaskOptions<S extends z.ZodType> {
  /** Stored in Redis and used by `ainfo call`: treat it like an API path (`accounts.sendVerifyEmail`). */
  name: string;
  queue: QueueName;
  schema: S;
  retry?: Partial<RetryPolicy>;
  /**
   * Derives the task id from the payload, so that enqueueing the same logical work twice runs it
   * once while the first is known (e.g. one broadcast per notice).
   */
  dedupe?: (payload: z.output<S>) => string;
  /** Default priority (1 is the highest; unset means FIFO). */
  priority?: number;
}

export type TaskHandler<S extends z.ZodType, R> = (payload: z.output<S>, ctx: TaskContext) => Promise<R>;

/** A task: its definition, its handler, and the Celery-style ways to enqueue it. */
export interface Task<S extends z.ZodType = z.ZodType, R = unknown> {
  readonly kind: 'ainfo.task';
  readonly name: string;
  readonly queue: QueueName;
  readonly schema: S;
  readonly retry: RetryPolicy;
  readonly priority: number | undefined;
  readonly dedupe: ((payload: z.output<S>) => string) | undefined;
  readonly handler: TaskHandler<S, R>;
  /** Enqueue now (Celery's `delay`). */
  delay(payload: z.input<S>): Promise<TaskRef>;
  /** Enqueue with options (Celery's `apply_async`). */
  applyAsync(payload: z.input<S>, options?: ApplyOptions): Promise<TaskRef>;
}

/** Any task, whatever its payload and result types; what registries and workers hold. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the handler's parameter types vary per task
export type AnyTask = Task<z.ZodType, any>;

const TASK_NAME = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

/**
 * Defines a task (Celery's `@shared_task`). Export it from a module's `*.tasks.ts` so that workers
 * discover it, and enqueue it through the object: `sendVerifyEmail.delay({ userId })`.
 */
export function defineTask<S extends z.ZodType, R>(options: TaskOptions<S>, handler: TaskHandler<S, R>): Task<S, R> {
  if (!TASK_NAME.test(options.name)) {
    throw new Error(`task name "${options.name}" must look like "domain.actionName"`);
  }
  const task: Task<S, R> = {
    kind: 'ainfo.task',
    name: options.name,
    queue: options.queue,
    schema: options.schema,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    priority: options.priority,
    dedupe: options.dedupe,
    handler,
    delay: (payload) => getDefaultBroker().enqueue(task, payload),
    applyAsync: (payload, applyOptions) => getDefaultBroker().enqueue(task, payload, applyOptions),
  };
  return Object.freeze(task);
}

export function isTask(value: unknown): value is AnyTask {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ainfo.task';
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

export function defineSchedule<S extends z.ZodType>(entry: {
  id: string;
  task: Task<S>;
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

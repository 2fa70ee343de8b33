import type { Job } from 'bullmq';
import { jobEvents, type Broker, type TaskEnvelope } from './broker.ts';
import { isQueueName } from './queues.ts';

/** Celery's task states. */
export const TASK_STATES = ['PENDING', 'STARTED', 'RETRY', 'SUCCESS', 'FAILURE', 'REVOKED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

const FINISHED: ReadonlySet<TaskState> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

export function isFinished(state: TaskState): boolean {
  return FINISHED.has(state);
}

/** What `results.get` returns (Celery's AsyncResult, as data). */
export interface TaskResult {
  id: string;
  state: TaskState;
  /** Unset for an id nothing is known of (reported PENDING, as Celery does). */
  name?: string;
  queue?: string;
  payload?: unknown;
  result?: unknown;
  error?: string;
  progress?: unknown;
  /** Runs started so far. */
  attempts: number;
  enqueuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** When a delayed or retrying task runs next. */
  runAt?: string;
}

interface RevokedRecord {
  at: number;
  reason: string;
}

const iso = (ms: number | undefined): string | undefined => (ms ? new Date(ms).toISOString() : undefined);

async function describeJob(
  broker: Broker,
  found: Job,
  revoked: RevokedRecord | undefined,
): Promise<TaskResult> {
  const state = await found.getState();
  let job = found;
  if ((state === 'completed' || state === 'failed') && !found.finishedOn && isQueueName(found.queueName)) {
    // The hash was read before the task finished and the state after: read the finished record.
    job = (await broker.queue(found.queueName).getJob(found.id ?? '')) ?? found;
  }
  const envelope = job.data as TaskEnvelope | undefined;
  const base: TaskResult = {
    id: job.id ?? '',
    name: job.name,
    queue: job.queueName,
    payload: envelope?.payload,
    state: 'PENDING',
    attempts: job.attemptsStarted,
    enqueuedAt: iso(job.timestamp),
    startedAt: iso(job.processedOn),
  };
  const progress: unknown = job.progress;
  if (progress !== 0 && progress !== undefined) base.progress = progress;
  if (revoked) return { ...base, state: 'REVOKED', error: revoked.reason, finishedAt: iso(revoked.at) };
  switch (state) {
    case 'completed':
      return { ...base, state: 'SUCCESS', result: job.returnvalue, finishedAt: iso(job.finishedOn) };
    case 'failed':
      return { ...base, state: 'FAILURE', error: job.failedReason, finishedAt: iso(job.finishedOn) };
    case 'active':
      return { ...base, state: 'STARTED' };
    case 'delayed': {
      const runAt = iso(job.timestamp + (job.delay || 0));
      if (job.attemptsMade > 0) return { ...base, state: 'RETRY', error: job.failedReason, runAt };
      return { ...base, runAt };
    }
    default:
      return base;
  }
}

export interface WaitOptions {
  /** How long to wait; then the state the task is in is returned. Default 30 s; Infinity waits until it ends. */
  timeoutMs?: number;
  /** Called with each progress report the task makes while it is awaited (and its progress so far). */
  onProgress?: (progress: unknown) => void;
}

/** Reads task results from Redis (Celery's result backend). */
export class ResultStore {
  constructor(private readonly broker: Broker) {}

  private async revoked(id: string): Promise<RevokedRecord | undefined> {
    const raw = await this.broker.connection.get(this.broker.revokedKey(id));
    return raw ? (JSON.parse(raw) as RevokedRecord) : undefined;
  }

  /** The state of a task; PENDING for an id nothing is known of. */
  async get(id: string): Promise<TaskResult> {
    const [job, revoked] = await Promise.all([this.broker.findJob(id), this.revoked(id)]);
    if (job) return describeJob(this.broker, job, revoked);
    if (revoked) return { id, state: 'REVOKED', attempts: 0, error: revoked.reason, finishedAt: iso(revoked.at) };
    return { id, state: 'PENDING', attempts: 0 };
  }

  /**
   * Waits until the task finishes (SUCCESS, FAILURE or REVOKED) and returns its result; after
   * `timeoutMs` returns the state it is in. Driven by BullMQ's completion events.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<TaskResult> {
    await this.settle(id, options);
    return this.get(id);
  }

  /**
   * Celery's `AsyncResult.get()`: waits and resolves with the task's return value, straight from
   * the completion event (no read afterwards); rejects with TaskFailedError on FAILURE, REVOKED,
   * or when `timeoutMs` passes first.
   */
  async value(id: string, options: WaitOptions = {}): Promise<unknown> {
    const outcome = await this.settle(id, options);
    if (outcome.done) return outcome.value;
    const result = await this.get(id);
    if (result.state === 'SUCCESS') return result.result;
    throw new TaskFailedError(result);
  }

  /** Whether the producer connection is (or, before the deadline, comes back) up: it refuses commands while it is not. */
  private async connectionUp(deadline: number): Promise<boolean> {
    const connection = this.broker.connection;
    if (connection.status === 'ready') return true;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return false;
    return new Promise((resolve) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        connection.off('ready', onReady);
        resolve(false);
      }, remaining);
      connection.once('ready', onReady);
    });
  }

  /**
   * Waits with BullMQ's own `job.waitUntilFinished` on the queue's shared event stream: it checks
   * whether the task finished already, then listens for its completion or failure (a revocation
   * counts as a failure, see Broker.queueEvents). Resolves `done` with the return value on
   * success, and not done on anything else (failure, revocation, time-out): read the record then.
   */
  private async settle(id: string, { timeoutMs = 30_000, onProgress }: WaitOptions): Promise<{ done: true; value: unknown } | { done: false }> {
    const deadline = Date.now() + timeoutMs;
    // Checked in line first: a round trip is short enough for an extra await to show.
    if (this.broker.connection.status !== 'ready' && !(await this.connectionUp(deadline))) return { done: false };
    // Enqueued by this process: wait on a handle at once (waitUntilFinished checks whether it has
    // finished already) instead of reading the job first; a progress listener needs the read.
    const job = (onProgress ? undefined : this.broker.recentJobHandle(id)) ?? (await this.findOrAwaitJob(id, deadline));
    if (!job || !isQueueName(job.queueName)) return { done: false };
    const events = this.broker.readyQueueEvents(job.queueName) ?? (await this.broker.queueEvents(job.queueName));
    const progressEvent = `progress:${id}`;
    // Made only when asked for: a round trip without progress allocates no listener.
    const onProgressEvent = onProgress
      ? ({ data }: { data: unknown }): void => {
          onProgress(data);
        }
      : undefined;
    if (onProgress && onProgressEvent) {
      if (job.progress !== 0) onProgress(job.progress);
      jobEvents(events).on(progressEvent, onProgressEvent);
    }
    try {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { done: false };
      // BullMQ's waitUntilFinished reads the job inside an async Promise executor, so a Redis error
      // there (the fail-fast producer connection while Redis is away) escapes as an unhandled
      // rejection: start it only on a connection that is up. A drop in between stays possible.
      if (this.broker.connection.status !== 'ready' && !(await this.connectionUp(deadline))) return { done: false };
      const value: unknown = await job.waitUntilFinished(events, Number.isFinite(remaining) ? remaining : undefined);
      return { done: true, value };
    } catch {
      return { done: false };
    } finally {
      if (onProgressEvent) jobEvents(events).off(progressEvent, onProgressEvent);
    }
  }

  /**
   * The job of an id. An id no queue holds yet (enqueued later by someone else, as `ainfo result
   * --wait` allows) has no event to listen for: that case alone is looked up again with backoff
   * until it appears, finishes as revoked, or the deadline passes.
   */
  private async findOrAwaitJob(id: string, deadline: number): Promise<Job | undefined> {
    let delayMs = 20;
    for (;;) {
      const job = await this.broker.findJob(id);
      if (job) return job;
      if ((await this.revoked(id)) || Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, Math.max(0, deadline - Date.now()))));
      delayMs = Math.min(delayMs * 2, 500);
    }
  }

  /**
   * Revokes a task that has not started: it is removed from its queue and reported REVOKED.
   * Returns false (and changes nothing) when it is running or already finished.
   */
  async revoke(id: string, reason = 'revoked'): Promise<boolean> {
    const job = await this.broker.findJob(id);
    if (!job) return false;
    const state = await job.getState();
    if (!['waiting', 'delayed', 'prioritized', 'waiting-children'].includes(state)) return false;
    // Recorded before the removal: a waiter woken by the removal must read REVOKED, not PENDING.
    await this.markRevoked(id, reason);
    try {
      await job.remove();
    } catch {
      // A worker locked it between our read and the removal: it has started.
      await this.broker.connection.del(this.broker.revokedKey(id));
      return false;
    }
    return true;
  }

  /** Records a revocation (also used by the worker for an expired task). */
  async markRevoked(id: string, reason: string): Promise<void> {
    const record: RevokedRecord = { at: Date.now(), reason };
    await this.broker.connection.set(
      this.broker.revokedKey(id),
      JSON.stringify(record),
      'EX',
      this.broker.options.resultTtlSeconds,
    );
  }
}

/** A task awaited with `results.value()` failed, was revoked, or did not finish in time. */
export class TaskFailedError extends Error {
  readonly result: TaskResult;

  constructor(result: TaskResult) {
    super(
      isFinished(result.state)
        ? `task ${result.id} ended ${result.state}${result.error ? `: ${result.error}` : ''}`
        : `task ${result.id} did not finish in time (still ${result.state})`,
    );
    this.name = 'TaskFailedError';
    this.result = result;
  }
}

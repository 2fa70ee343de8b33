import type { Job, JobState } from 'bullmq';
import { getDefaultBroker, type Broker, type TaskEnvelope } from './broker.ts';
import { isQueueName, type QueueName } from './queues.ts';

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

/** How a wait ended: the return value straight from the completion event, or the full record. */
type WaitOutcome = { kind: 'value'; value: unknown } | { kind: 'result'; result: TaskResult };

interface RevokedRecord {
  at: number;
  reason: string;
}

const iso = (ms: number | undefined): string | undefined => (ms ? new Date(ms).toISOString() : undefined);

async function describeJob(
  broker: Broker,
  found: Job,
  revoked: RevokedRecord | undefined,
  knownState?: JobState,
): Promise<TaskResult> {
  const state = knownState ?? (await found.getState());
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
   * `timeoutMs` returns the state it is in. Driven by the queue's event stream, not by polling.
   */
  async wait(id: string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<TaskResult> {
    const outcome = await this.waitFor(id, timeoutMs, false);
    return outcome.kind === 'result' ? outcome.result : this.get(id);
  }

  /**
   * Celery's `AsyncResult.get()`: waits and resolves with the task's return value, straight from
   * the completion event (no read afterwards); rejects with TaskFailedError on FAILURE, REVOKED,
   * or when `timeoutMs` passes first.
   */
  async value(id: string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<unknown> {
    const outcome = await this.waitFor(id, timeoutMs, true);
    if (outcome.kind === 'value') return outcome.value;
    if (outcome.result.state === 'SUCCESS') return outcome.result.result;
    throw new TaskFailedError(outcome.result);
  }

  /**
   * Waits on the queue's events. With `valueOnly`, a completion resolves with the event's return
   * value and nothing is read; otherwise (and for failures, revocations, time-outs) with the record.
   */
  private async waitFor(id: string, timeoutMs: number, valueOnly: boolean): Promise<WaitOutcome> {
    const deadline = Date.now() + timeoutMs;
    let queue = this.broker.queueOf(id);
    if (!queue) {
      const first = await this.get(id);
      if (isFinished(first.state)) return { kind: 'result', result: first };
      // An unknown id may be enqueued later on any queue; without a queue we can only poll.
      if (!first.queue || !isQueueName(first.queue)) return { kind: 'result', result: await this.poll(id, deadline) };
      queue = first.queue;
    }
    const events = await this.broker.queueEvents(queue);
    const knownQueue = queue;
    return new Promise<WaitOutcome>((resolve, reject) => {
      let settled = false;
      const cleanUp = (): void => {
        clearTimeout(timer);
        clearInterval(slowCheck);
        events.off('completed', onCompleted);
        events.off('failed', onFailed);
        events.off('removed', onRemoved);
      };
      const finish = (state?: JobState): void => {
        if (settled) return;
        settled = true;
        cleanUp();
        this.read(id, knownQueue, state).then((result) => {
          resolve({ kind: 'result', result });
        }, reject);
      };
      const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void => {
        if (jobId !== id) return;
        if (valueOnly && !settled) {
          settled = true;
          cleanUp();
          resolve({ kind: 'value', value: returnvalue });
          return;
        }
        finish('completed');
      };
      const onFailed = ({ jobId }: { jobId: string }): void => {
        if (jobId === id) finish('failed');
      };
      const onRemoved = ({ jobId }: { jobId: string }): void => {
        if (jobId === id) finish();
      };
      events.on('completed', onCompleted);
      events.on('failed', onFailed);
      events.on('removed', onRemoved);
      const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
      const check = (): void => {
        this.broker
          .queue(knownQueue)
          .getJobState(id)
          .then(async (state) => {
            if (state === 'completed' || state === 'failed') finish(state);
            else if (state === 'unknown' && (await this.revoked(id))) finish();
          }, () => undefined);
      };
      // Finished before the subscription took, or revoked (no event): the first check and a slow tick.
      const slowCheck = setInterval(check, 1_000);
      check();
    });
  }

  /** Reads a result on a known queue; `state`, when an event already told it, saves a round trip. */
  private async read(id: string, queue: QueueName, state?: JobState): Promise<TaskResult> {
    if (!state) return this.get(id);
    const [job, revoked] = await Promise.all([this.broker.queue(queue).getJob(id), this.revoked(id)]);
    if (!job) return this.get(id);
    return describeJob(this.broker, job, revoked, state);
  }

  private async poll(id: string, deadline: number): Promise<TaskResult> {
    let delayMs = 20;
    for (;;) {
      const now = await this.get(id);
      if (isFinished(now.state) || Date.now() >= deadline) return now;
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
    try {
      await job.remove();
    } catch {
      // A worker locked it between our read and the removal: it has started.
      return false;
    }
    await this.markRevoked(id, reason);
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

/** Results through the default broker: `results.get(id)`, `results.wait(id, { timeoutMs })`. */
export const results = {
  get: (id: string): Promise<TaskResult> => new ResultStore(getDefaultBroker()).get(id),
  wait: (id: string, options?: { timeoutMs?: number }): Promise<TaskResult> =>
    new ResultStore(getDefaultBroker()).wait(id, options),
  value: (id: string, options?: { timeoutMs?: number }): Promise<unknown> =>
    new ResultStore(getDefaultBroker()).value(id, options),
  revoke: (id: string, reason?: string): Promise<boolean> => new ResultStore(getDefaultBroker()).revoke(id, reason),
};

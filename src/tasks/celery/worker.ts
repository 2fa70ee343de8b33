import os from 'node:os';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AnyTask } from '../define-task.ts';
import type { TaskRegistry } from '../registry.ts';
import type { TaskRunner } from '../run-task.ts';
import { CeleryActivity } from './activity.ts';
import { CeleryArgumentsError } from './arguments.ts';
import { CeleryConsumer, celeryRequestInfo, type CeleryConsumerSnapshot, type CeleryFailure, type CeleryOutcome } from './consumer.ts';
import type { CeleryTaskMessage, JsonValue } from './protocol.ts';

export interface CeleryTaskWorkerOptions {
  /** The tasks; those with a `celery` mapping answer Celery messages of that name. */
  registry: TaskRegistry;
  /** The runner the BullMQ worker uses too (the same deps, logs, metrics and error rules). */
  runner: TaskRunner;
  log: Logger;
  /** kombu queues to consume (Celery's `-Q`). */
  queues: readonly string[];
  /** Messages run at once over all these queues. */
  concurrency: number;
  /** The Celery side's `broker_url`. */
  brokerUrl: string;
  /** The Celery side's `result_backend`. Default `brokerUrl`. */
  resultUrl?: string;
  visibilityTimeoutSeconds?: number;
  resultExpiresSeconds?: number;
  /** Where what runs is published for `ainfo inspect active` and the admin dashboard: our Redis and queue prefix. */
  activity?: { redis: Redis | Cluster; prefix: string };
}

/** Our error names as Python should see them. */
function failureOf(error: Error): CeleryFailure {
  // Python raises TypeError for a call its signature refuses.
  if (error instanceof CeleryArgumentsError) return { type: 'TypeError', module: 'builtins', message: error.message };
  const failure: CeleryFailure = { type: error.name || 'Error', message: error.message };
  if (error.stack) failure.traceback = error.stack;
  return failure;
}

/** A handler's return value as the JSON Celery stores (undefined becomes None, as a Python function returning nothing). */
function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/**
 * `ainfo worker --celery-queues`: takes Celery protocol 2 messages from kombu queues (CeleryConsumer)
 * and runs the task that answers to each message's name through the same TaskRunner as BullMQ jobs.
 * The message's args/kwargs become the payload through the task's `celery.toPayload`, then its schema
 * validates them; a bad call or payload is FAILURE at once; a transient error is a Celery RETRY
 * after the task's own backoff, until its attempts are spent; a permanent one is FAILURE. Results
 * go to Celery's result backend, so a Python caller's `.get()` returns them.
 */
export class CeleryTaskWorker {
  readonly consumer: CeleryConsumer;
  readonly name = `${os.hostname()}:${process.pid}`;
  private readonly activity: CeleryActivity | undefined;
  private releaseRunner: (() => Promise<void>) | undefined;

  constructor(private readonly options: CeleryTaskWorkerOptions) {
    this.consumer = new CeleryConsumer({
      brokerUrl: options.brokerUrl,
      ...(options.resultUrl ? { resultUrl: options.resultUrl } : {}),
      queues: options.queues,
      concurrency: options.concurrency,
      execute: (message) => this.execute(message),
      isRegistered: (name) => options.registry.byCeleryName(name) !== undefined,
      log: options.log,
      ...(options.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds } : {}),
      ...(options.resultExpiresSeconds !== undefined ? { resultExpiresSeconds: options.resultExpiresSeconds } : {}),
      workerName: `ainfo.${process.pid}@${os.hostname()}`,
      // The runner logs every outcome, as it does for BullMQ jobs.
      logOutcomes: false,
    });
    this.activity = options.activity ? new CeleryActivity(options.activity.redis, options.activity.prefix, this.name) : undefined;
  }

  /** The tasks that answer Celery messages. */
  tasks(): AnyTask[] {
    return this.options.registry.list().filter((task) => task.celery !== undefined);
  }

  /**
   * Starts consuming; resolves once it does.
   * @throws MissingDependencyError before connecting, when a task's `uses` key was not provided.
   */
  async start(): Promise<void> {
    this.options.runner.assertProvides(this.tasks());
    this.releaseRunner = this.options.runner.acquire();
    await this.activity?.start();
    await this.consumer.start();
    this.options.log.info(
      { celeryQueues: this.options.queues, celeryTasks: Object.fromEntries(this.tasks().map((task) => [task.celery?.name, task.name])) },
      'Celery worker ready',
    );
  }

  inspect(): CeleryConsumerSnapshot {
    return this.consumer.inspect();
  }

  /** Stops taking messages and gives running ones `graceMs` (then they go back to their queue); see CeleryConsumer.close. */
  async close(graceMs: number): Promise<void> {
    await this.consumer.close({ graceMs });
    await this.activity?.close().catch(() => undefined);
    await this.releaseRunner?.();
  }

  /** Runs one message (the consumer's `execute`). */
  async execute(message: CeleryTaskMessage): Promise<CeleryOutcome> {
    const task = this.options.registry.byCeleryName(message.task);
    if (!task?.celery) return { status: 'unknown-task' };
    const logFields = { celeryTask: message.task, queue: message.queue };
    let payload: unknown;
    try {
      payload = task.celery.toPayload(message.args, message.kwargs);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      this.options.runner.recordFailure(task.name, 0);
      this.options.log.error({ task: task.name, taskId: message.id, ...logFields, error: error.message }, 'task failed');
      return { status: 'failure', error: failureOf(error) };
    }
    this.activity?.begin({ id: message.id, name: task.name, celeryTask: message.task, queue: message.queue, payload, attempts: message.retries + 1 });
    // Progress is stored as STARTED's meta, in order, and finished before the outcome is stored.
    let progressWrites: Promise<unknown> = Promise.resolve();
    const request = celeryRequestInfo(message);
    try {
      const outcome = await this.options.runner.run(task, payload, {
        id: message.id,
        attempt: message.retries + 1,
        maxAttempts: task.retry.attempts,
        logFields,
        progress: (value) => {
          this.activity?.progress(message.id, value);
          const meta = { pid: process.pid, hostname: this.consumer.workerName, progress: toJson(value) };
          progressWrites = progressWrites.then(() => this.consumer.results.store(message.id, 'STARTED', meta, { request }));
          return progressWrites.then(() => undefined);
        },
      });
      await progressWrites.catch(() => undefined);
      if (outcome.status === 'success') return { status: 'success', result: toJson(outcome.value) };
      if (outcome.status === 'invalid') return { status: 'failure', error: { type: 'TaskPayloadError', message: outcome.reason } };
      const error = failureOf(outcome.error);
      if (outcome.retryInMs === undefined) return { status: 'failure', error };
      return { status: 'failure', error, retry: { countdownSeconds: outcome.retryInMs / 1000 } };
    } finally {
      this.activity?.end(message.id);
    }
  }
}

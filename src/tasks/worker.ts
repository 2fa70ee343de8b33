import os from 'node:os';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Broker, TaskEnvelope } from './broker.ts';
import { toPayloadIssues } from './broker.ts';
import { stripQueryParameters } from '../log/scrub.ts';
import type { Deps } from '../utils/deps.ts';
import { isPermanent } from './errors.ts';
import { DurationRecorder } from './metrics.ts';
import { QUEUE_SETTINGS, type QueueName } from './queues.ts';
import type { TaskRegistry } from './registry.ts';
import { ResultStore } from './results.ts';

export interface RateLimit {
  /** Tasks per `durationMs`, shared by every worker on every machine (kept in Redis). */
  max: number;
  durationMs: number;
}

export interface TaskWorkerOptions {
  broker: Broker;
  registry: TaskRegistry;
  /** What the registered tasks declare with `uses`; every key must be provided or start() fails. */
  deps: Deps;
  log: Logger;
  queues: readonly QueueName[];
  /** Overrides each queue's default concurrency. */
  concurrency?: number;
  lockMs: number;
  limits?: Partial<Record<QueueName, RateLimit>>;
}

/**
 * The consumer side (Celery's worker): one BullMQ Worker per queue, running the registered task
 * named by each job, with validation, permanent failures, logs and duration metrics.
 */
export class TaskWorker {
  private readonly workers: Worker[] = [];
  private readonly results: ResultStore;
  private readonly durations: DurationRecorder;
  readonly name = `${os.hostname()}:${process.pid}`;
  private closing = false;

  constructor(private readonly options: TaskWorkerOptions) {
    this.results = new ResultStore(options.broker);
    this.durations = new DurationRecorder(options.broker.connection, options.broker.options.prefix);
  }

  /**
   * Starts consuming; resolves once every queue's worker is connected.
   * @throws MissingDependencyError, before connecting, when a registered task's `uses` key was not provided.
   */
  async start(): Promise<void> {
    const { broker, log, lockMs, registry, deps } = this.options;
    deps.assertProvides(registry.list().flatMap((task) => (task.uses ? [{ key: task.uses, neededBy: `task ${task.name}` }] : [])));
    for (const queue of this.options.queues) {
      const limit = this.options.limits?.[queue];
      const worker = new Worker(queue, (job, token) => this.process(job, token), {
        connection: { url: broker.options.redisUrl, maxRetriesPerRequest: null },
        prefix: broker.options.prefix,
        concurrency: this.options.concurrency ?? QUEUE_SETTINGS[queue].concurrency,
        lockDuration: lockMs,
        stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
        // A task whose worker died twice is still retried before it is given up.
        maxStalledCount: 2,
        name: this.name,
        ...(limit ? { limiter: { max: limit.max, duration: limit.durationMs } } : {}),
      });
      worker.on('error', (error) => {
        log.error({ queue, err: error }, 'worker error');
      });
      worker.on('completed', (job) => {
        this.report(job, 'success');
      });
      worker.on('failed', (job, error) => {
        if (job) this.report(job, 'failure', error);
      });
      worker.on('stalled', (jobId) => {
        log.warn({ queue, taskId: jobId }, 'task stalled: its worker stopped answering; it runs again');
      });
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    log.info({ queues: this.options.queues, worker: this.name }, 'worker ready');
  }

  private report(job: Job, status: 'success' | 'failure', error?: Error): void {
    const seconds = job.finishedOn && job.processedOn ? (job.finishedOn - job.processedOn) / 1000 : 0;
    this.durations.record(job.name, status, seconds);
    if (status === 'success') {
      if (this.options.log.isLevelEnabled('info')) {
        this.options.log.info({ task: job.name, taskId: job.id, durationMs: Math.round(seconds * 1000), attempt: job.attemptsMade }, 'task succeeded');
      }
      return;
    }
    const fields = { task: job.name, taskId: job.id, durationMs: Math.round(seconds * 1000), attempt: job.attemptsMade };
    const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError) && !job.finishedOn;
    this.options.log[willRetry ? 'warn' : 'error'](
      { ...fields, error: error?.message },
      willRetry ? 'task failed; retrying' : 'task failed',
    );
  }

  private async process(job: Job, token: string | undefined): Promise<unknown> {
    if (this.closing && token) {
      // A fetch already under way when shutdown began: hand the task back untouched (no attempt
      // counted) for another worker, instead of starting work we promised not to take.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    const task = this.options.registry.get(job.name);
    if (!task) {
      throw new UnrecoverableError(
        `unknown task "${job.name}": no worker on this queue registers it (registered: ${this.options.registry.names().join(', ')})`,
      );
    }
    const envelope = job.data as TaskEnvelope;
    if (envelope.expiresAt !== undefined && Date.now() > envelope.expiresAt) {
      const reason = `expired at ${new Date(envelope.expiresAt).toISOString()} before it started`;
      await this.results.markRevoked(job.id ?? '', reason);
      throw new UnrecoverableError(reason);
    }
    const parsed = task.schema.safeParse(envelope.payload);
    if (!parsed.success) {
      const issues = toPayloadIssues(parsed.error)
        .map((issue) => `${issue.field || '(payload)'}: ${issue.message}`)
        .join('; ');
      throw new UnrecoverableError(`invalid payload: ${issues}`);
    }
    const parentLog = this.options.log;
    let log: Logger | undefined;
    const deps: unknown = task.uses ? this.options.deps.get(task.uses, `task ${task.name}`) : undefined;
    try {
      return await task.handler(parsed.data, {
        id: job.id ?? '',
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
        // Made on first use: most handlers never log, and a child logger per task is not free.
        get log() {
          log ??= parentLog.child({ task: job.name, taskId: job.id });
          return log;
        },
        progress: (value) => job.updateProgress(value),
        deps,
      });
    } catch (error) {
      // Its message becomes the stored failure reason: no query parameters there.
      stripQueryParameters(error);
      // The one place where "retrying cannot help" becomes BullMQ's no-retry failure.
      if (isPermanent(error)) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  /**
   * Stops taking tasks and lets running ones finish for up to `graceMs`; after that closes anyway
   * (the unfinished tasks' locks expire and another worker runs them again).
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const closing = Promise.all(this.workers.map((worker) => worker.close()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, graceMs);
    });
    const outcome = await Promise.race([closing.then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.log.warn({ graceMs }, 'running tasks did not finish in the grace period; they will run again elsewhere');
      await Promise.all(this.workers.map((worker) => worker.close(true)));
    }
    await this.durations.close();
  }
}

import os from 'node:os';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Broker, TaskEnvelope } from './broker.ts';
import type { Deps } from '../utils/deps.ts';
import { QUEUE_SETTINGS, type QueueName } from './queues.ts';
import type { TaskRegistry } from './registry.ts';
import { ResultStore } from './results.ts';
import { TaskRunner, type TaskRunInfo, type TaskRunnerOptions } from './run-task.ts';
import { namedWorkerBackend } from './worker-name.ts';
import { WriteBatcher } from './write-batch.ts';

/** At most this many task completions leave in one socket write (see WriteBatcher). */
const COMPLETIONS_PER_WRITE = 4;

/** How long a forced close may take before the worker stops waiting for it. */
const FORCED_CLOSE_MS = 1_000;

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
  /** Runs the tasks; default one of its own on `deps` (give one to share it with a Celery worker). */
  runner?: TaskRunner;
  /** Marks finished outbox tasks' rows done (the default runner's); see TaskRunnerOptions.outbox. */
  outbox?: TaskRunnerOptions['outbox'];
}

/**
 * The consumer side (Celery's worker): one BullMQ Worker per queue, running the registered task
 * named by each job through the TaskRunner (validation, deps, logs, duration metrics, permanent
 * failures), and mapping its outcome to BullMQ.
 */
export class TaskWorker {
  private readonly workers: Worker[] = [];
  private readonly results: ResultStore;
  /** Errors the runner has logged already, so the `failed` event does not log them twice. */
  private readonly reported = new WeakSet<Error>();
  readonly runner: TaskRunner;
  readonly name = `${os.hostname()}:${process.pid}`;
  private closing = false;
  private releaseRunner: (() => Promise<void>) | undefined;

  constructor(private readonly options: TaskWorkerOptions) {
    this.results = new ResultStore(options.broker);
    this.runner =
      options.runner ??
      new TaskRunner({
        deps: options.deps,
        log: options.log,
        redis: options.broker.connection,
        prefix: options.broker.options.prefix,
        ...(options.outbox ? { outbox: options.outbox } : {}),
      });
  }

  /**
   * Starts consuming; resolves once every queue's worker is connected.
   * @throws MissingDependencyError, before connecting, when a registered task's `uses` key was not provided.
   */
  async start(): Promise<void> {
    const { broker, log, lockMs, registry } = this.options;
    this.runner.assertProvides(registry.list());
    this.releaseRunner = this.runner.acquire();
    for (const queue of this.options.queues) {
      const limit = this.options.limits?.[queue];
      // The worker's own connection, once BullMQ has made it: completions sent in one turn by
      // concurrent runs leave in one write.
      let connection: unknown;
      const writes = new WriteBatcher(() => connection, COMPLETIONS_PER_WRITE);
      const worker = new Worker(
        queue,
        (job, token) => this.process(job, token, writes),
        {
          connection: broker.ownConnection(),
          prefix: broker.options.prefix,
          concurrency: this.options.concurrency ?? QUEUE_SETTINGS[queue].concurrency,
          lockDuration: lockMs,
          stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
          // A task whose worker died twice is still retried before it is given up.
          maxStalledCount: 2,
          ...(limit ? { limiter: { max: limit.max, duration: limit.durationMs } } : {}),
        },
        // Named in CLIENT LIST (inspect, the dashboard), not in every job: see namedWorkerBackend.
        namedWorkerBackend(this.name),
      );
      worker.on('error', (error) => {
        log.error({ queue, err: error }, 'worker error');
      });
      worker.on('failed', (job, error) => {
        if (job && !this.reported.has(error)) this.report(job, error);
      });
      worker.on('stalled', (jobId) => {
        log.warn({ queue, taskId: jobId }, 'task stalled: its worker stopped answering; it runs again');
      });
      this.workers.push(worker);
      // A connection that fails to open is the worker's to report ('error'): nothing to batch then.
      worker.getBackend().client.then(
        (client) => {
          connection = client;
        },
        () => undefined,
      );
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    log.info({ queues: this.options.queues, worker: this.name }, 'worker ready');
  }

  /** A failure that is not the runner's to report: an unknown name, an expired task, one stalled too often. */
  private report(job: Job, error: Error): void {
    const seconds = job.finishedOn && job.processedOn ? (job.finishedOn - job.processedOn) / 1000 : 0;
    this.runner.recordFailure(job.name, seconds);
    const fields = { task: job.name, taskId: job.id, durationMs: Math.round(seconds * 1000), attempt: job.attemptsMade };
    const willRetry = job.attemptsMade < (job.opts.attempts ?? 1) && !(error instanceof UnrecoverableError) && !job.finishedOn;
    this.options.log[willRetry ? 'warn' : 'error'](
      { ...fields, error: error.message },
      willRetry ? 'task failed; retrying' : 'task failed',
    );
  }

  private async process(job: Job, token: string | undefined, writes: WriteBatcher): Promise<unknown> {
    if (this.closing && token) {
      // A fetch already under way when shutdown began: hand the task back untouched (no attempt
      // counted) for another worker, instead of starting work we promised not to take.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    writes.begin();
    try {
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
      const outcome = await this.runner.run(task, envelope.payload, new JobRun(job, envelope.outbox === true));
      if (outcome.status === 'success') return outcome.value;
      // The one place where "retrying cannot help" becomes BullMQ's no-retry failure.
      const error =
        outcome.status === 'invalid'
          ? new UnrecoverableError(outcome.reason)
          : outcome.permanent
            ? new UnrecoverableError(outcome.error.message)
            : outcome.error;
      this.reported.add(error);
      throw error;
    } finally {
      // Its completion is sent next: with other runs in flight, together with theirs.
      writes.end();
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
      // A forced close can itself wait on a connection to a Redis that restarted or is down: bounded too.
      const forced = Promise.all(this.workers.map((worker) => worker.close(true)));
      await Promise.race([forced, new Promise((resolve) => setTimeout(resolve, FORCED_CLOSE_MS).unref())]);
    }
    await this.releaseRunner?.();
  }
}

/**
 * A BullMQ job as the runner sees it. A class rather than an object literal with an arrow: tsx
 * (esbuild's keepNames) wraps every named arrow in a defineProperty call, measurable once per job.
 */
class JobRun implements TaskRunInfo {
  readonly id: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly fromOutbox: boolean;

  constructor(
    private readonly job: Job,
    fromOutbox: boolean,
  ) {
    this.id = job.id ?? '';
    this.attempt = job.attemptsMade + 1;
    this.maxAttempts = job.opts.attempts ?? 1;
    this.fromOutbox = fromOutbox;
  }

  progress(value: number | Record<string, unknown>): Promise<void> {
    return this.job.updateProgress(value);
  }
}

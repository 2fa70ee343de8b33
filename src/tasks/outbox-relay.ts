import type { Logger } from 'pino';
import type { Broker } from './broker.ts';
import { TaskPayloadError } from './errors.ts';
import { relayOptions, type OutboxEntry, type TaskOutbox } from './outbox.ts';
import { isQueueName } from './queues.ts';
import type { TaskRegistry } from './registry.ts';

/** What a module re-enqueues itself when Redis came back without the tasks it held (e.g. pending notice deliveries). */
export type RedisLossRecovery = () => Promise<unknown>;

export interface OutboxRelayOptions {
  outbox: TaskOutbox;
  broker: Broker;
  registry: TaskRegistry;
  log: Logger;
  /** Per module, run once (by one relay) when Redis's run_id changed. */
  recoveries?: Readonly<Record<string, RedisLossRecovery>>;
  /** Pause between ticks. Default 1 s. */
  intervalMs?: number;
  /** Rows claimed per tick. Default 200. */
  batch?: number;
  /** A claim's lease: another relay may take the row after it. Default 30 s. */
  leaseMs?: number;
  /** An enqueued row's task unfinished for this long: ask Redis whether its job still exists. Default 60 s. */
  checkAfterMs?: number;
  /** Done rows are deleted this long after their task finished. Default 1 day. */
  keepDoneMs?: number;
  /** Housekeeping (the job check, pruning) every this many ticks. Default 30. */
  housekeepingEvery?: number;
}

/** What one tick did, for tests and logs. */
export interface RelayTick {
  /** INFO's run_id of the Redis enqueued to; undefined when Redis did not answer (nothing done). */
  runId?: string;
  enqueued: number;
  failed: number;
  /** The run id seen before, when this tick found Redis restarted and ran the recoveries. */
  recoveredFrom?: string;
  /** Rows whose job Redis no longer knew, handed back to be enqueued again. */
  lost: number;
  /** Rows found finished in Redis though not marked done (the mark failed). */
  finished: number;
  pruned: number;
}

const RETRY_FAILED_ENQUEUE_MS = 5_000;
const RUN_ID = /^run_id:([0-9a-f]+)/m;

/**
 * Moves outbox rows to Redis. Runs in every worker process (and `ainfo all`); any number may run
 * at once: a row is claimed by one relay (SKIP LOCKED and a lease), and its task id makes a second
 * enqueue a no-op anyway. A row stays unfinished until its task has run to the end (the TaskRunner
 * marks it); the relay enqueues it again when Redis no longer holds it: Redis's run_id changed (it
 * restarted, perhaps empty) or, checked now and then, its job is unknown.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private ticks = 0;
  private lastError = '';

  constructor(private readonly options: OutboxRelayOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then(
        (report) => {
          this.lastError = '';
          // A full batch: more are waiting, go on at once.
          this.schedule(report.enqueued >= (this.options.batch ?? 200) ? 0 : (this.options.intervalMs ?? 1_000));
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          // Logged once per distinct failure (the database down would log every second otherwise).
          if (message !== this.lastError) this.options.log.warn({ err: error }, 'outbox relay tick failed; retrying');
          this.lastError = message;
          this.schedule(this.options.intervalMs ?? 1_000);
        },
      );
    }, delayMs);
  }

  /** Stops ticking; resolves when the tick under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass: detect a restarted Redis, enqueue what is unclaimed, and now and then check and prune. */
  async tick(): Promise<RelayTick> {
    const report: RelayTick = { enqueued: 0, failed: 0, lost: 0, finished: 0, pruned: 0 };
    const runId = await this.redisRunId();
    if (!runId) return report;
    report.runId = runId;
    const { outbox, log } = this.options;
    const previous = await outbox.swapRunId(runId);
    if (previous) {
      log.warn({ previous, now: runId }, 'Redis restarted (its run_id changed): unfinished outbox tasks are enqueued again, and modules recover what lived only in Redis');
      await this.recover(previous, runId);
      report.recoveredFrom = previous;
    }
    const entries = await outbox.claim(runId, this.options.batch ?? 200, this.options.leaseMs ?? 30_000);
    const enqueued: number[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const outcome = await this.enqueue(entry);
        if (outcome === 'enqueued') enqueued.push(entry.id);
        else report.failed += 1;
      }),
    );
    await outbox.markEnqueued(enqueued, runId);
    report.enqueued = enqueued.length;
    if (report.enqueued > 0) log.debug({ enqueued: report.enqueued }, 'outbox tasks enqueued');
    this.ticks += 1;
    if (this.ticks % (this.options.housekeepingEvery ?? 30) === 0) await this.housekeeping(runId, report);
    return report;
  }

  private async recover(previous: string, runId: string): Promise<void> {
    for (const [module, recovery] of Object.entries(this.options.recoveries ?? {})) {
      try {
        await recovery();
      } catch (error) {
        // Another tick (of any relay) tries again: the run id seen is set back.
        await this.options.outbox.restoreRunId(previous, runId);
        throw new Error(`recovery of ${module} after the Redis restart failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  }

  private async enqueue(entry: OutboxEntry): Promise<'enqueued' | 'failed'> {
    const { outbox, registry, broker, log } = this.options;
    const task = registry.get(entry.taskName);
    if (!task || !isQueueName(entry.queue)) {
      // Another deployment's task (TASK_MODULES differ): a relay that knows it will take the row.
      await outbox.release(entry.id, `task ${entry.taskName} is not registered in this process`, RETRY_FAILED_ENQUEUE_MS);
      return 'failed';
    }
    try {
      await broker.relay(task, entry.payload, relayOptions(entry));
      return 'enqueued';
    } catch (error) {
      if (error instanceof TaskPayloadError) {
        // Retrying cannot make it valid: done, with the reason.
        log.error({ task: entry.taskName, taskId: entry.taskId, error: error.message }, 'outbox task has an invalid payload; dropped');
        await outbox.markDone(entry.taskId, error.message);
        return 'failed';
      }
      await outbox.release(entry.id, error instanceof Error ? error.message : String(error), RETRY_FAILED_ENQUEUE_MS);
      return 'failed';
    }
  }

  /** Rows enqueued a while ago and still unfinished: their job finished (mark lost) or is gone (enqueue again). */
  private async housekeeping(runId: string, report: RelayTick): Promise<void> {
    const { outbox, broker } = this.options;
    const stale = await outbox.enqueuedBefore(runId, this.options.checkAfterMs ?? 60_000, 500);
    for (const entry of stale) {
      if (!isQueueName(entry.queue)) continue;
      const job = await broker.queue(entry.queue).getJob(entry.taskId);
      if (!job) {
        await outbox.forgetEnqueue(entry.id);
        report.lost += 1;
        continue;
      }
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') {
        await outbox.markDone(entry.taskId);
        report.finished += 1;
      }
    }
    report.pruned = await outbox.prune(this.options.keepDoneMs ?? 86_400_000);
    if (report.lost > 0) this.options.log.warn({ lost: report.lost }, 'outbox tasks missing from Redis: enqueued again');
  }

  /** Redis's INFO run_id (new on every restart); undefined when Redis does not answer. */
  private async redisRunId(): Promise<string | undefined> {
    try {
      const info = await this.options.broker.connection.info('server');
      return RUN_ID.exec(info)?.[1];
    } catch {
      return undefined;
    }
  }
}

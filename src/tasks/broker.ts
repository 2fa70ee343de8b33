import type { EventEmitter } from 'node:events';
import { Job, Queue, QueueEvents, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { z } from 'zod';
import { taskIdOf, type AnyTask, type Task } from './define-task.ts';
import { TaskPayloadError, type PayloadIssue } from './errors.ts';
import type { EnqueueItem, EnqueueOptions, TaskProducer, TaskRef } from './producer.ts';
import { QUEUE_NAMES, type QueueName } from './queues.ts';
import { createProducerRedis, PRODUCER_REDIS_OPTIONS, redactRedisUrl, withRedisDeadline } from './redis.ts';
import { createCluster } from './redis-client.ts';
import { WriteBatcher } from './write-batch.ts';

/** What is stored as a BullMQ job's data. */
export interface TaskEnvelope {
  payload: unknown;
  /** Epoch ms after which the task is revoked instead of run. */
  expiresAt?: number;
  /** Relayed from the outbox: its row is marked done when the task has finished. */
  outbox?: true;
}

export interface BrokerOptions {
  redisUrl: string;
  /** REDIS_URL names a node of a Redis Cluster (the prefix then carries a hash tag). */
  cluster?: boolean;
  /** Redis key prefix of every queue, so tests and tenants can share one Redis. */
  prefix: string;
  /** How long finished tasks (and their results) are kept. */
  resultTtlSeconds: number;
  /** At most this many finished tasks are kept per queue and outcome. */
  resultMaxCount: number;
}

const TASK_ID = /^[A-Za-z0-9_.@-]{1,200}$/;
/** An enqueue that has not reached Redis by then fails (503 for a request): a producer never hangs. */
export const ENQUEUE_DEADLINE_MS = 1_500;
const RECENT_QUEUES_MAX = 10_000;

type BaseJobOptions = Required<Pick<JobsOptions, 'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail'>>;

export function toPayloadIssues(error: z.ZodError): PayloadIssue[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * The producer side of the task layer (Celery's app): one fail-fast Redis connection shared by the
 * queues (`createProducerRedis`: with Redis down an enqueue fails within ENQUEUE_DEADLINE_MS instead
 * of waiting), enqueueing with validation (the TaskProducer), and the Redis keys the result store reads.
 * Workers and QueueEvents open connections of their own that wait for Redis to come back.
 */
export class Broker implements TaskProducer {
  readonly options: BrokerOptions;
  readonly connection: Redis | Cluster;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly events = new Map<QueueName, Promise<QueueEvents>>();
  private readonly readyEvents = new Map<QueueName, QueueEvents>();
  /**
   * Queues of recently enqueued ids, so a result look-up right after enqueue reads one queue, not
   * all: two generations, the older dropped whole when the newer is full. (Evicting the oldest key
   * one by one from a single Map walked over the deleted entries on every enqueue.)
   */
  private recentQueues = new Map<string, QueueName>();
  private olderQueues = new Map<string, QueueName>();
  /** Adds sent and not yet answered (addJob). */
  private adding = 0;
  private readonly writes = new WriteBatcher(() => this.connection);
  private readonly taskOptions = new WeakMap<Pick<AnyTask, 'retry' | 'priority'>, BaseJobOptions>();
  /** The cluster clients handed to BullMQ workers and listeners, which do not end what they are given. */
  private readonly ownClients: Cluster[] = [];

  /** REDIS_URL without its password, for errors: made once, not per enqueue. */
  private readonly redactedUrl: string;

  constructor(options: BrokerOptions) {
    this.options = options;
    this.redactedUrl = redactRedisUrl(options.redisUrl);
    this.connection = options.cluster ? createCluster(options.redisUrl, PRODUCER_REDIS_OPTIONS) : createProducerRedis(options.redisUrl);
    // Errors are reported by the processes' health checks; an unhandled 'error' would crash us.
    this.connection.on('error', () => undefined);
    // Made now, while Redis answers (processes check it at start): a queue made later, with Redis
    // down, would wait for its connection to be ready however fail-fast the commands are.
    for (const name of QUEUE_NAMES) this.queue(name);
  }

  /**
   * Adds one job. While other adds are on their way (a producer at full rate), the socket is
   * corked until the end of this turn of the event loop, so the commands of the adds made in it
   * leave in one write: the write system call per job was the largest cost of an enqueue in a
   * profile. ioredis' auto-pipelining does the same with buffer copies that cost more than they
   * save. An add alone (a request's) is written at once, and nothing ever waits for another add.
   */
  private addJob(queue: Queue, name: string, data: TaskEnvelope, opts: JobsOptions): Promise<unknown> {
    if (this.adding > 0) this.writes.hold();
    this.adding += 1;
    return queue.add(name, data, opts).then(
      (job) => {
        this.adding -= 1;
        return job;
      },
      (error: unknown) => {
        this.adding -= 1;
        throw error;
      },
    );
  }

  /** The BullMQ queue of one workload, created on first use. */
  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.options.prefix });
      queue.on('error', () => undefined);
      // Every result waiter (job.waitUntilFinished) listens for the queue closing: many may wait at once.
      queue.setMaxListeners(0);
      this.queues.set(name, queue);
    }
    return queue;
  }

  allQueues(): Queue[] {
    return QUEUE_NAMES.map((name) => this.queue(name));
  }

  /**
   * The connection a BullMQ Worker or QueueEvents opens for itself: REDIS_URL, or on a cluster a
   * Cluster client of its own (BullMQ makes none from options), ended by close().
   */
  ownConnection(): ConnectionOptions {
    if (!this.options.cluster) return { url: this.options.redisUrl, maxRetriesPerRequest: null };
    const client = createCluster(this.options.redisUrl, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    this.ownClients.push(client);
    return client;
  }

  /** The queue's QueueEvents listener if it is ready already (no await on a waiter's path). */
  readyQueueEvents(name: QueueName): QueueEvents | undefined {
    return this.readyEvents.get(name);
  }

  /** A QueueEvents listener of one queue, shared by every waiter. */
  queueEvents(name: QueueName): Promise<QueueEvents> {
    let events = this.events.get(name);
    if (!events) {
      const created = new QueueEvents(name, {
        connection: this.ownConnection(),
        prefix: this.options.prefix,
      });
      created.on('error', () => undefined);
      created.setMaxListeners(0);
      // job.waitUntilFinished listens for completed and failed only: a revoked (removed) task ends
      // its waiters as a failure, so the waiter reads the REVOKED record instead of waiting on.
      created.on('removed', ({ jobId }: { jobId: string }) => {
        jobEvents(created).emit(`failed:${jobId}`, { jobId, failedReason: 'revoked' });
      });
      events = created.waitUntilReady().then(() => {
        this.readyEvents.set(name, created);
        return created;
      });
      this.events.set(name, events);
    }
    return events;
  }

  /** Key holding the revocation record of a task. */
  revokedKey(id: string): string {
    return `${this.options.prefix}:ainfo:revoked:${id}`;
  }

  /** Validates the payload against the task's schema; throws TaskPayloadError, nothing enqueued. */
  validate<S extends z.ZodType, R, D>(task: Task<S, R, D>, payload: unknown): z.output<S> {
    const parsed = task.schema.safeParse(payload);
    if (!parsed.success) throw new TaskPayloadError(task.name, toPayloadIssues(parsed.error));
    return parsed.data;
  }

  /** BullMQ options for one enqueue of a task. */
  jobOptions(task: Pick<AnyTask, 'retry' | 'priority'>, id: string, options: EnqueueOptions = {}): JobsOptions {
    const base = this.baseOptions(task);
    // Written out rather than spread: on the producers' hot path a spread measured ten times slower.
    const opts: JobsOptions = {
      jobId: id,
      attempts: base.attempts,
      backoff: base.backoff,
      removeOnComplete: base.removeOnComplete,
      removeOnFail: base.removeOnFail,
    };
    const priority = options.priority ?? task.priority;
    if (priority !== undefined) opts.priority = priority;
    if (options.countdown !== undefined || options.eta !== undefined) {
      const delayMs = computeDelayMs(options);
      if (delayMs > 0) opts.delay = delayMs;
    }
    return opts;
  }

  /** What every enqueue of a task shares, made once per task rather than per enqueue. */
  private baseOptions(task: Pick<AnyTask, 'retry' | 'priority'>): BaseJobOptions {
    let base = this.taskOptions.get(task);
    if (!base) {
      const keep = { age: this.options.resultTtlSeconds, count: this.options.resultMaxCount };
      base = {
        attempts: task.retry.attempts,
        backoff: { type: 'exponential', delay: task.retry.backoffMs },
        removeOnComplete: keep,
        removeOnFail: keep,
      };
      this.taskOptions.set(task, base);
    }
    return base;
  }

  /** Enqueues one task run; see EnqueueOptions. */
  enqueue<S extends z.ZodType, R, D>(task: Task<S, R, D>, payload: z.input<S>, options: EnqueueOptions = {}): Promise<TaskRef> {
    return this.add(task, payload, options, false);
  }

  /** The outbox relay's enqueue: the job says it came from the outbox, so its row is marked done when it finishes. */
  relay<S extends z.ZodType, R, D>(task: Task<S, R, D>, payload: unknown, options: EnqueueOptions): Promise<TaskRef> {
    return this.add(task, payload as z.input<S>, options, true);
  }

  private async add<S extends z.ZodType, R, D>(task: Task<S, R, D>, payload: z.input<S>, options: EnqueueOptions, fromOutbox: boolean): Promise<TaskRef> {
    if (options.tx) throw new Error(`enqueue ${task.name} with { tx } needs the OutboxProducer (services get it), not the Broker`);
    const data = this.validate(task, payload);
    const id = this.taskId(task, data, options.id);
    const queueName = options.queue ?? task.queue;
    const envelope: TaskEnvelope = { payload: data };
    if (fromOutbox) envelope.outbox = true;
    const expiresAt = expiresAtMs(options.expires);
    if (expiresAt !== undefined) envelope.expiresAt = expiresAt;
    await this.deadline(this.addJob(this.queue(queueName), task.name, envelope, this.jobOptions(task, id, options)));
    this.rememberQueue(id, queueName);
    return { id, name: task.name, queue: queueName };
  }

  /**
   * Enqueues many runs of one task in one round trip per chunk (BullMQ addBulk).
   * Every payload is validated first; one invalid payload enqueues nothing.
   */
  async enqueueMany<S extends z.ZodType, R, D>(task: Task<S, R, D>, items: readonly EnqueueItem<S>[]): Promise<TaskRef[]> {
    const jobs = items.map((item) => {
      const data = this.validate(task, item.payload);
      const id = this.taskId(task, data, item.id);
      return { name: task.name, data: { payload: data } satisfies TaskEnvelope, opts: this.jobOptions(task, id) };
    });
    // No deadline here: a bulk enqueue runs in a task (a broadcast's fan-out), where a slow machine must not fail it.
    if (jobs.length > 0) await this.queue(task.queue).addBulk(jobs);
    return jobs.map((job) => ({ id: job.opts.jobId ?? '', name: task.name, queue: task.queue }));
  }

  /** Bounds one enqueue (what a request waits for). */
  private deadline<T>(work: Promise<T>): Promise<T> {
    return withRedisDeadline(work, ENQUEUE_DEADLINE_MS, this.redactedUrl);
  }

  /**
   * Resolves once the connection and every queue are ready: the connection refuses commands
   * before that (no offline queue), so a process waits for it at start.
   * @throws RedisUnavailableError after `timeoutMs`.
   */
  async waitUntilReady(timeoutMs = 10_000): Promise<void> {
    await withRedisDeadline(
      Promise.all([...this.queues.values()].map((queue) => queue.waitUntilReady())),
      timeoutMs,
      this.redactedUrl,
    );
  }

  /** The id a run of `task` gets (taskIdOf), checked. @throws TaskPayloadError for an id BullMQ cannot take. */
  taskId<S extends z.ZodType, R, D>(task: Task<S, R, D>, data: z.output<S>, explicit: string | undefined): string {
    // A generated id is valid by construction: only given and derived ids are checked.
    if (explicit === undefined && !task.dedupe) return taskIdOf(task, data);
    const id = taskIdOf(task, data, explicit);
    if (!TASK_ID.test(id) || /^\d+$/.test(id)) {
      throw new TaskPayloadError(task.name, [
        { field: 'id', message: 'task id must be 1-200 of A-Z a-z 0-9 _ . @ - and not only digits' },
      ]);
    }
    return id;
  }

  private rememberQueue(id: string, queue: QueueName): void {
    if (this.recentQueues.size >= RECENT_QUEUES_MAX) {
      this.olderQueues = this.recentQueues;
      this.recentQueues = new Map();
    }
    this.recentQueues.set(id, queue);
  }

  /** The queue a task id was enqueued on by this process, if it was recently. */
  queueOf(id: string): QueueName | undefined {
    return this.recentQueues.get(id) ?? this.olderQueues.get(id);
  }

  /**
   * A handle on a job this process enqueued recently, made without reading Redis: enough to wait
   * for it (its id and queue), not to describe it (no data, state or progress).
   */
  recentJobHandle(id: string): Job | undefined {
    const queue = this.queueOf(id);
    return queue ? new Job(this.queue(queue), '', undefined, {}, id) : undefined;
  }

  /** Finds a task's job in whichever queue holds it. */
  async findJob(id: string): Promise<Job | undefined> {
    if (!TASK_ID.test(id)) return undefined;
    const hinted = this.queueOf(id);
    if (hinted) {
      const job = await this.queue(hinted).getJob(id);
      if (job) return job;
    }
    const found = await Promise.all(this.allQueues().map((queue) => queue.getJob(id)));
    return found.find((job): job is Job => job !== undefined);
  }

  async close(): Promise<void> {
    const events = await Promise.allSettled([...this.events.values()]);
    await Promise.allSettled(
      events.flatMap((result) => (result.status === 'fulfilled' ? [result.value.close()] : [])),
    );
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
    this.events.clear();
    this.readyEvents.clear();
    // quit() fails at once with Redis down (no offline queue); then the socket is simply dropped.
    await this.connection.quit().catch(() => {
      this.connection.disconnect();
    });
    for (const client of this.ownClients.splice(0)) client.disconnect();
  }
}

/**
 * A QueueEvents as the plain emitter it is: besides its typed events it emits `<event>:<job id>`
 * for each job (what job.waitUntilFinished listens to), which its typings do not list.
 */
export function jobEvents(events: QueueEvents): EventEmitter {
  return events;
}

function computeDelayMs(options: EnqueueOptions): number {
  if (options.countdown !== undefined && options.eta !== undefined) {
    throw new Error('give countdown or eta, not both');
  }
  if (options.countdown !== undefined) return Math.max(0, Math.round(options.countdown * 1000));
  if (options.eta !== undefined) {
    const at = options.eta instanceof Date ? options.eta.getTime() : options.eta;
    return Math.max(0, at - Date.now());
  }
  return 0;
}

function expiresAtMs(expires: EnqueueOptions['expires']): number | undefined {
  if (expires === undefined) return undefined;
  return expires instanceof Date ? expires.getTime() : Date.now() + expires * 1000;
}

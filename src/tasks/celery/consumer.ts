import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createRedis } from '../redis.ts';
import { KombuTransport, type FetchedMessage } from './kombu.ts';
import { buildSpec } from './producer.ts';
import {
  celeryRejection,
  decodeCeleryMessage,
  encodeCeleryMessage,
  envelopeOf,
  type CeleryException,
  type CeleryMessageSpec,
  type CeleryRejection,
  type CeleryTaskMessage,
  type JsonValue,
} from './protocol.ts';
import { CeleryResultBackend, type CeleryRequestInfo } from './result-backend.ts';

/** A task failure as Celery should see it. */
export interface CeleryFailure {
  /** Exception class name Python sees (`exc_type`), e.g. `PermanentError`, `ValueError`. */
  type: string;
  message: string;
  /**
   * Python module of the class (`exc_module`). Default `builtins` for Python's built-in exception
   * names (so Python raises the real class), otherwise `ainfo` (Python makes a class of that name).
   */
  module?: string;
  /** Stored as the result's `traceback`. */
  traceback?: string;
}

/** What running a message came to. */
export type CeleryOutcome =
  /** SUCCESS with a JSON value (what Python's `.get()` returns). */
  | { status: 'success'; result: JsonValue }
  /**
   * FAILURE; with `retry`, RETRY instead: the message is sent again with `retries + 1` after
   * `countdownSeconds` (what Celery's `self.retry(countdown=…)` does), and the current one acknowledged.
   */
  | { status: 'failure'; error: CeleryFailure; retry?: { countdownSeconds: number } }
  /** No task answers to this name: rejected as a Celery worker rejects it (FAILURE `NotRegistered`). */
  | { status: 'unknown-task' };

/** Runs one message; resolve with its outcome (a throw counts as a failure of the thrown error's name). */
export type CeleryExecute = (message: CeleryTaskMessage) => Promise<CeleryOutcome>;

export interface CeleryConsumerOptions {
  /** kombu broker URL (`redis://host:port/db`), the Celery side's `broker_url`. */
  brokerUrl: string;
  /** Result backend URL, the Celery side's `result_backend`. Default `brokerUrl`. */
  resultUrl?: string;
  /** Queues to consume, in the order they are served (round robin among them, as kombu's default). */
  queues: readonly string[];
  /** Messages run at once (kombu's prefetch: a message is taken only for a free slot). */
  concurrency: number;
  execute: CeleryExecute;
  /** Checked when a message arrives (as a Celery worker does), before any state is written. */
  isRegistered?: (task: string) => boolean;
  log: Logger;
  /** Seconds before an unacknowledged message is restored (kombu's `visibility_timeout`). Default 3600. */
  visibilityTimeoutSeconds?: number;
  /** `result_expires`. Default 86,400. */
  resultExpiresSeconds?: number;
  /** Store STARTED when a task starts (Celery's `task_track_started`). Default true. */
  trackStarted?: boolean;
  /** Store name, args, kwargs, worker, retries, queue with results (Celery's `result_extended`). Default false. */
  resultExtended?: boolean;
  /** kombu's `global_keyprefix` transport option. Default none. */
  keyPrefix?: string;
  /** This worker's name in results and logs (Celery's `-n`). Default `ainfo@<hostname>`. */
  workerName?: string;
  /** How often unacknowledged messages of dead consumers are looked for. Default a quarter of the visibility timeout, 1-60 s. */
  restoreIntervalMs?: number;
  /** Log each task's success and failure (off where `execute` logs them itself). Default true. */
  logOutcomes?: boolean;
}

/** What `inspect()` lists (Celery's `inspect active` / `scheduled`). */
export interface CeleryConsumerSnapshot {
  active: { id: string; task: string; queue: string; startedAt: Date }[];
  scheduled: { id: string; task: string; queue: string; eta: Date }[];
}

/** How long one wait for a message blocks before it is renewed. */
const BLOCK_SECONDS = 5;
/** setTimeout's ceiling (about 24.8 days); a later ETA re-arms. */
const MAX_TIMER_MS = 2_147_483_647;
const PYTHON_BUILTIN_EXCEPTIONS = new Set([
  'Exception', 'ValueError', 'TypeError', 'KeyError', 'IndexError', 'LookupError', 'RuntimeError',
  'TimeoutError', 'ConnectionError', 'PermissionError', 'FileNotFoundError', 'NotImplementedError',
  'AttributeError', 'ArithmeticError', 'ZeroDivisionError', 'OverflowError', 'OSError', 'AssertionError',
]);

interface Running {
  message: CeleryTaskMessage;
  startedAt: Date;
}

interface Held {
  message: CeleryTaskMessage;
  timer: NodeJS.Timeout;
}

/** The exception a failure is stored as. */
export function failureException(failure: CeleryFailure): CeleryException {
  const module = failure.module ?? (PYTHON_BUILTIN_EXCEPTIONS.has(failure.type) ? 'builtins' : 'ainfo');
  return { type: failure.type, module, args: [failure.message] };
}

function errorFailure(error: unknown): CeleryFailure {
  if (error instanceof Error) {
    const failure: CeleryFailure = { type: error.name || 'Error', message: error.message };
    if (error.stack) failure.traceback = error.stack;
    return failure;
  }
  return { type: 'Error', message: String(error) };
}

/**
 * Consumes Celery protocol 2 messages from kombu Redis queues, with kombu's transport semantics and
 * acks_late: a message is recorded as unacknowledged in the same atomic step that takes it from
 * its list, acknowledged only after its result is stored, kept fresh while held (so no consumer's
 * visibility sweep restores a live consumer's message), and restored by any consumer's sweep once
 * its consumer is gone. ETA messages wait in memory, unacknowledged, without taking a slot, as a
 * Celery worker holds them. Results go to Celery's Redis result backend in its format.
 *
 * Messages are taken from the right of each list by an atomic script; idle waiting blocks on one
 * connection per list (`BLMOVE list list RIGHT RIGHT`, which moves nothing), so there is no polling
 * and no moment where a taken message is recorded nowhere.
 */
export class CeleryConsumer {
  readonly workerName: string;
  readonly transport: KombuTransport;
  readonly results: CeleryResultBackend;
  private readonly options: CeleryConsumerOptions;
  private readonly log: Logger;
  private readonly connection: Redis;
  private readonly resultConnection: Redis;
  private readonly waiters: Redis[] = [];
  private readonly waiterLoops: Promise<void>[] = [];
  /** Round-robin order of the queues (the one just served goes last). */
  private cycle: string[];
  private readonly running = new Map<string, Running>();
  private readonly held = new Map<string, Held>();
  /** ETA reached, waiting for a slot; earliest first. */
  private due: CeleryTaskMessage[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private slotWaiters: (() => void)[] = [];
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** After the grace period: results of still-running tasks are no longer written (their messages went back). */
  private abandoned = false;

  constructor(options: CeleryConsumerOptions) {
    if (options.queues.length === 0) throw new Error('CeleryConsumer needs at least one queue');
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error('CeleryConsumer concurrency must be a positive integer');
    }
    this.options = options;
    this.workerName = options.workerName ?? `ainfo@${os.hostname()}`;
    this.log = options.log.child({ component: 'celery', worker: this.workerName });
    this.cycle = [...new Set(options.queues)];
    this.connection = createRedis(options.brokerUrl);
    this.connection.on('error', (error) => {
      this.log.warn({ err: error }, 'Celery broker connection error; reconnecting');
    });
    const resultUrl = options.resultUrl ?? options.brokerUrl;
    this.resultConnection = resultUrl === options.brokerUrl ? this.connection : createRedis(resultUrl);
    if (this.resultConnection !== this.connection) {
      this.resultConnection.on('error', (error) => {
        this.log.warn({ err: error }, 'Celery result backend connection error; reconnecting');
      });
    }
    const transportOptions: { keyPrefix?: string; visibilityTimeoutSeconds?: number } = {};
    if (options.keyPrefix !== undefined) transportOptions.keyPrefix = options.keyPrefix;
    if (options.visibilityTimeoutSeconds !== undefined) transportOptions.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds;
    this.transport = new KombuTransport(this.connection, transportOptions);
    this.results = new CeleryResultBackend(this.resultConnection, {
      expiresSeconds: options.resultExpiresSeconds,
      extended: options.resultExtended ?? false,
      worker: this.workerName,
    });
  }

  /** Restores what dead consumers left, then starts taking messages; resolves once consuming. */
  async start(): Promise<void> {
    await this.connection.ping();
    await this.sweep();
    const visibilityMs = this.transport.visibilityTimeoutSeconds * 1000;
    const heartbeatMs = Math.min(60_000, Math.max(250, Math.floor(visibilityMs / 4)));
    this.heartbeat = setInterval(() => {
      this.refresh().catch((error: unknown) => {
        this.log.warn({ err: error }, 'could not refresh held Celery messages');
      });
    }, heartbeatMs);
    const sweepMs = this.options.restoreIntervalMs ?? Math.min(60_000, Math.max(1_000, Math.floor(visibilityMs / 4)));
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => {
        this.sweeping = undefined;
      });
    }, sweepMs);
    for (const queue of this.cycle) {
      for (const list of this.transport.queueLists(queue)) {
        const waiter = this.connection.duplicate();
        waiter.on('error', () => undefined);
        this.waiters.push(waiter);
        this.waiterLoops.push(this.waitOn(waiter, list));
      }
    }
    await this.pump();
    this.log.info(
      { queues: this.cycle, concurrency: this.options.concurrency, visibilityTimeoutSeconds: this.transport.visibilityTimeoutSeconds },
      'Celery consumer ready',
    );
  }

  /** Running and ETA-held messages. */
  inspect(): CeleryConsumerSnapshot {
    return {
      active: [...this.running.values()].map(({ message, startedAt }) => ({
        id: message.id,
        task: message.task,
        queue: message.queue,
        startedAt,
      })),
      scheduled: [...[...this.held.values()].map((held) => held.message), ...this.due].map((message) => ({
        id: message.id,
        task: message.task,
        queue: message.queue,
        eta: message.eta ?? new Date(0),
      })),
    };
  }

  /**
   * Stops taking messages; ETA-held ones go back to their queues at once; running ones get
   * `graceMs` to finish (then their messages go back too, to run again elsewhere); then closes.
   */
  close({ graceMs = 30_000 }: { graceMs?: number } = {}): Promise<void> {
    this.closed ??= this.shutDown(graceMs);
    return this.closed;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    // A sweep holds kombu's restore lock: let it release it before the connection goes.
    await this.sweeping;
    for (const waiter of this.waiters) waiter.disconnect();
    await Promise.allSettled(this.waiterLoops);
    await this.pumping;
    for (const resolve of this.slotWaiters) resolve();
    this.slotWaiters = [];
    const notStarted = [...[...this.held.values()].map((held) => held.message), ...this.due];
    for (const held of this.held.values()) clearTimeout(held.timer);
    this.held.clear();
    this.due = [];
    await Promise.all(notStarted.map((message) => this.requeue(message)));
    if (notStarted.length > 0) this.log.info({ count: notStarted.length }, 'Celery messages not started were requeued');

    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      Promise.allSettled([...this.inflight]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.abandoned = true;
      const left = [...this.running.values()].map((running) => running.message);
      await Promise.all(left.map((message) => this.requeue(message)));
      this.log.warn({ count: left.length, graceMs }, 'Celery tasks did not finish in the grace period; requeued to run again');
    }
    clearInterval(this.heartbeat);
    await this.results.close();
    if (this.resultConnection !== this.connection) await this.resultConnection.quit().catch(() => undefined);
    await this.connection.quit().catch(() => undefined);
  }

  // Read through methods: these flags change while a method awaits.
  private isClosing(): boolean {
    return this.closing;
  }

  private shouldPumpAgain(): boolean {
    return this.pumpAgain && !this.closing;
  }

  private free(): number {
    return this.options.concurrency - this.running.size - this.due.length;
  }

  private slotFree(): Promise<void> {
    if (this.free() > 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    this.dispatchDue();
    if (this.free() <= 0) return;
    const waiting = this.slotWaiters;
    this.slotWaiters = [];
    for (const resolve of waiting) resolve();
    this.pump().catch((error: unknown) => {
      this.log.error({ err: error }, 'could not fetch Celery messages');
    });
  }

  /** Blocks until `list` has a message (moving nothing), then takes what the free slots allow. */
  private async waitOn(waiter: Redis, list: string): Promise<void> {
    while (!this.closing) {
      await this.slotFree();
      if (this.isClosing()) return;
      try {
        const moved = await waiter.blmove(list, list, 'RIGHT', 'RIGHT', BLOCK_SECONDS);
        if (moved !== null) await this.pump();
      } catch (error) {
        if (this.isClosing()) return;
        this.log.warn({ err: error }, 'waiting for Celery messages failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  /** Fetches while slots are free; concurrent calls share one run (and ask it to go round again). */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    this.pumping = this.drain().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private async drain(): Promise<void> {
    do {
      this.pumpAgain = false;
      while (!this.closing && this.free() > 0) {
        const want = this.free();
        let fetched: FetchedMessage[];
        try {
          fetched = await this.transport.fetch(this.cycle, want);
        } catch (error) {
          this.log.error({ err: error }, 'could not fetch Celery messages');
          return;
        }
        for (const item of fetched) {
          this.cycle = [...this.cycle.filter((queue) => queue !== item.queue), item.queue];
          this.receive(item);
        }
        if (fetched.length < want) break;
      }
    } while (this.shouldPumpAgain());
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.log.error({ err: error }, 'Celery message handling failed; the message stays unacknowledged and is restored later');
    });
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private receive(item: FetchedMessage): void {
    const decoded = decodeCeleryMessage(item.raw, item.queue);
    if (!item.deliveryTag || !decoded.ok) {
      const rejection = decoded.ok
        ? celeryRejection('bad-envelope', 'the message has no delivery tag (properties.delivery_tag)', {
            id: decoded.message.id,
            task: decoded.message.task,
          })
        : decoded.rejection;
      this.track(this.reject(item, rejection));
      return;
    }
    const message = decoded.message;
    if (this.closing) {
      this.track(this.requeue(message));
      return;
    }
    const canvas = Object.entries(message.canvas).filter(([, value]) => value !== null);
    if (canvas.length > 0) {
      const parts = canvas.map(([name]) => name).join(', ');
      const rejection = celeryRejection(
        'canvas',
        `canvas (${parts}) is not supported by AInfo's Celery consumer; route this task to a Python worker`,
        { id: message.id, task: message.task, deliveryTag: message.deliveryTag },
      );
      this.track(this.reject(item, rejection, message));
      return;
    }
    if (this.options.isRegistered && !this.options.isRegistered(message.task)) {
      this.track(this.rejectUnknown(message));
      return;
    }
    if (this.isExpired(message)) {
      this.track(this.revokeExpired(message));
      return;
    }
    if (message.eta && message.eta.getTime() > Date.now()) {
      this.hold(message);
      return;
    }
    this.begin(message);
  }

  private isExpired(message: CeleryTaskMessage): boolean {
    return message.expires !== undefined && Date.now() > message.expires.getTime();
  }

  /** ETA in the future: kept in memory and unacknowledged (refreshed) until due, as Celery's timer does. */
  private hold(message: CeleryTaskMessage): void {
    const arm = (): NodeJS.Timeout =>
      setTimeout(() => {
        const left = (message.eta?.getTime() ?? 0) - Date.now();
        if (left > 0) {
          this.held.set(message.deliveryTag, { message, timer: arm() });
          return;
        }
        this.held.delete(message.deliveryTag);
        this.due.push(message);
        this.due.sort((a, b) => (a.eta?.getTime() ?? 0) - (b.eta?.getTime() ?? 0));
        this.dispatchDue();
      }, Math.min(MAX_TIMER_MS, Math.max(0, (message.eta?.getTime() ?? 0) - Date.now())));
    this.held.set(message.deliveryTag, { message, timer: arm() });
    this.log.debug({ task: message.task, taskId: message.id, eta: message.eta }, 'Celery task held until its ETA');
  }

  private dispatchDue(): void {
    while (this.due.length > 0 && this.running.size < this.options.concurrency && !this.closing) {
      const message = this.due.shift();
      if (!message) break;
      if (this.isExpired(message)) this.track(this.revokeExpired(message));
      else this.begin(message);
    }
  }

  private begin(message: CeleryTaskMessage): void {
    this.running.set(message.deliveryTag, { message, startedAt: new Date() });
    this.track(
      this.run(message).finally(() => {
        this.running.delete(message.deliveryTag);
        this.releaseSlot();
      }),
    );
  }

  private async run(message: CeleryTaskMessage): Promise<void> {
    const fields = { task: message.task, taskId: message.id, queue: message.queue, retries: message.retries };
    const request = celeryRequestInfo(message);
    if (this.options.trackStarted !== false && !message.ignoreResult) {
      const stored = await this.results.store(message.id, 'STARTED', { pid: process.pid, hostname: this.workerName }, { request });
      if (!stored) {
        // Its SUCCESS is stored: a consumer died between storing it and acknowledging.
        this.log.info(fields, 'Celery task already succeeded; acknowledged without running it again');
        await this.transport.ack(message.deliveryTag);
        return;
      }
    }
    const startedAt = performance.now();
    let outcome: CeleryOutcome;
    try {
      outcome = await this.options.execute(message);
      if (outcome.status === 'success') JSON.stringify(outcome.result);
    } catch (error) {
      outcome = { status: 'failure', error: errorFailure(error) };
      // JSON.stringify refused the return value (a BigInt, a cycle): Celery reports EncodeError.
      if (outcome.error.type === 'TypeError' && /serializ|circular/i.test(outcome.error.message)) {
        outcome.error = { type: 'EncodeError', module: 'kombu.exceptions', message: outcome.error.message };
      }
    }
    const durationMs = Math.round(performance.now() - startedAt);
    if (this.abandoned) return;
    switch (outcome.status) {
      case 'success':
        if (!message.ignoreResult) await this.results.store(message.id, 'SUCCESS', outcome.result, { request });
        if (this.options.logOutcomes !== false) this.log.info({ ...fields, durationMs }, 'Celery task succeeded');
        break;
      case 'failure': {
        const exception = failureException(outcome.error);
        const stored = { request, ...(outcome.error.traceback ? { traceback: outcome.error.traceback } : {}) };
        if (outcome.retry && this.canRetry(message, outcome.retry.countdownSeconds)) {
          await this.results.store(message.id, 'RETRY', exception, stored);
          await this.sendRetry(message, outcome.retry.countdownSeconds);
          if (this.options.logOutcomes !== false) {
            this.log.warn(
              { ...fields, durationMs, error: outcome.error.message, countdownSeconds: outcome.retry.countdownSeconds },
              'Celery task failed; retrying',
            );
          }
          return;
        }
        await this.results.store(message.id, 'FAILURE', exception, stored);
        if (this.options.logOutcomes !== false) {
          this.log.error({ ...fields, durationMs, errorType: outcome.error.type, error: outcome.error.message }, 'Celery task failed');
        }
        break;
      }
      case 'unknown-task':
        await this.rejectUnknown(message);
        return;
    }
    await this.transport.ack(message.deliveryTag);
  }

  /** A retry that could not be encoded would leave its message unacknowledged forever: it fails instead. */
  private canRetry(message: CeleryTaskMessage, countdownSeconds: number): boolean {
    try {
      this.retrySpec(message, countdownSeconds);
      return true;
    } catch (error) {
      this.log.error({ task: message.task, taskId: message.id, err: error }, 'Celery task retry cannot be sent; it fails instead');
      return false;
    }
  }

  /** Celery's `Task.retry`: the same task id and arguments, `retries + 1`, due after the countdown. */
  private async sendRetry(message: CeleryTaskMessage, countdownSeconds: number): Promise<void> {
    const spec = this.retrySpec(message, countdownSeconds);
    await this.transport.publish(message.queue, message.priority, encodeCeleryMessage(spec), { ack: message.deliveryTag });
  }

  private retrySpec(message: CeleryTaskMessage, countdownSeconds: number): CeleryMessageSpec {
    return buildSpec(message.task, {
      id: message.id,
      args: message.args,
      kwargs: message.kwargs,
      queue: message.queue,
      priority: message.priority,
      countdown: Math.max(0, countdownSeconds),
      retries: message.retries + 1,
      ...(message.expires ? { expires: message.expires } : {}),
      ...(message.rootId ? { rootId: message.rootId } : {}),
      ...(message.parentId ? { parentId: message.parentId } : {}),
      ...(message.groupId ? { groupId: message.groupId } : {}),
      ...(message.ignoreResult ? { ignoreResult: true } : {}),
    });
  }

  /** Celery's `on_unknown_task`: logged, FAILURE `NotRegistered(name)` stored, message discarded (kept aside here). */
  private async rejectUnknown(message: CeleryTaskMessage): Promise<void> {
    this.log.error(
      { task: message.task, taskId: message.id, queue: message.queue },
      `Received unregistered task of type '${message.task}'. The message has been ignored and discarded.`,
    );
    const notRegistered: CeleryException = { type: 'NotRegistered', module: 'celery.exceptions', args: [message.task] };
    await this.results.store(message.id, 'FAILURE', notRegistered, { request: celeryRequestInfo(message) });
    await this.transport.putAside({
      at: new Date().toISOString(),
      queue: message.queue,
      reason: `unregistered task ${message.task}`,
      id: message.id,
      task: message.task,
      raw: envelopeOf(message),
    });
    await this.transport.ack(message.deliveryTag);
  }

  /** `Request.revoked()` for an expired message: REVOKED with `TaskRevokedError('expired')`, acknowledged. */
  private async revokeExpired(message: CeleryTaskMessage): Promise<void> {
    this.log.info({ task: message.task, taskId: message.id, expires: message.expires }, `Discarding revoked task: ${message.task}[${message.id}] (expired)`);
    const revoked: CeleryException = { type: 'TaskRevokedError', module: 'celery.exceptions', args: ['expired'] };
    await this.results.store(message.id, 'REVOKED', revoked, { request: celeryRequestInfo(message) });
    await this.transport.ack(message.deliveryTag);
  }

  /** A message that cannot run: logged with the reason, kept aside, FAILURE stored when its id is known, acknowledged. */
  private async reject(item: FetchedMessage, rejection: CeleryRejection, message?: CeleryTaskMessage): Promise<void> {
    this.log.error(
      { queue: item.queue, taskId: rejection.id, task: rejection.task, code: rejection.code },
      `Rejected a Celery message: ${rejection.reason}`,
    );
    await this.transport.putAside({
      at: new Date().toISOString(),
      queue: item.queue,
      reason: rejection.reason,
      ...(rejection.id ? { id: rejection.id } : {}),
      ...(rejection.task ? { task: rejection.task } : {}),
      raw: item.raw,
    });
    const ids = rejection.id ? [rejection.id, ...(message ? chainTaskIds(message.canvas.chain) : [])] : [];
    // As Celery's mark_as_failure does for a chain, every waiting member learns of the failure.
    const request: CeleryRequestInfo = message ? celeryRequestInfo(message) : { queue: rejection.routingKey ?? item.queue };
    if (!message && rejection.task) request.task = rejection.task;
    for (const id of ids) await this.results.store(id, 'FAILURE', rejection.exception, { request });
    if (item.deliveryTag) await this.transport.ack(item.deliveryTag);
  }

  private async requeue(message: CeleryTaskMessage): Promise<void> {
    await this.transport.requeue(message.deliveryTag);
  }

  private async refresh(): Promise<void> {
    const tags = [...this.running.keys(), ...this.held.keys(), ...this.due.map((message) => message.deliveryTag)];
    for (let i = 0; i < tags.length; i += 1_000) await this.transport.refresh(tags.slice(i, i + 1_000));
  }

  private async sweep(): Promise<void> {
    try {
      const report = await this.transport.restoreVisible();
      if (report.restored > 0) {
        this.log.info({ restored: report.restored }, 'Restored unacknowledged Celery messages whose consumer stopped');
      }
      if (report.unreadable > 0) {
        this.log.error({ unreadable: report.unreadable }, 'Unreadable unacknowledged Celery messages were put aside');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'Celery visibility sweep failed; it runs again later');
    }
  }
}

/** The request fields a result of `message` carries (group and parent ids; the rest with `result_extended`). */
export function celeryRequestInfo(message: CeleryTaskMessage): CeleryRequestInfo {
  const request: CeleryRequestInfo = {
    task: message.task,
    args: message.args,
    kwargs: message.kwargs,
    retries: message.retries,
    queue: message.routingKey,
  };
  if (message.groupId) request.groupId = message.groupId;
  if (message.parentId) request.parentId = message.parentId;
  return request;
}

/** The task ids of a protocol 2 chain (signatures whose `options.task_id` is set). */
function chainTaskIds(chain: JsonValue): string[] {
  if (!Array.isArray(chain)) return [];
  const ids: string[] = [];
  for (const signature of chain) {
    if (typeof signature !== 'object' || signature === null || Array.isArray(signature)) continue;
    const options = signature.options;
    if (typeof options === 'object' && options !== null && !Array.isArray(options) && typeof options.task_id === 'string') {
      ids.push(options.task_id);
    }
  }
  return ids;
}

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TaskPayloadError, type PayloadIssue } from '../errors.ts';
import { createRedis } from '../redis.ts';
import { KOMBU_SEP, KombuTransport } from './kombu.ts';
import { encodeCeleryMessage, type CeleryMessageSpec, type JsonObject, type JsonValue } from './protocol.ts';
import { CeleryResultBackend, type CeleryResult } from './result-backend.ts';

/** Celery's `task_default_queue`. */
export const CELERY_DEFAULT_QUEUE = 'celery';

/** Celery's `apply_async` options, as far as a Redis broker uses them. */
export interface SendCeleryTaskOptions {
  /** Positional arguments. Default none. */
  args?: JsonValue[];
  /** Keyword arguments. Default none. */
  kwargs?: JsonObject;
  /** Queue (list) to send to. Default `celery`, Celery's default queue. */
  queue?: string;
  /** Run no earlier than this many seconds from now. */
  countdown?: number;
  /** Run no earlier than this moment (a Date or epoch ms). */
  eta?: Date | number;
  /** Seconds from now, or a moment, after which a worker revokes instead of running it. */
  expires?: number | Date;
  /** Task id. Default a random UUID, as Celery makes. */
  id?: string;
  /** kombu's Redis priority 0–9, lower runs first. Default 0 (the highest, and Celery's default). */
  priority?: number;
  /** `headers.retries`: set by a retry re-send. Default 0. */
  retries?: number;
  /** The calling task's id and its root, when one task sends another. */
  parentId?: string;
  rootId?: string;
  groupId?: string;
  /** Ask workers not to store the return value (failures are still stored). */
  ignoreResult?: boolean;
}

/**
 * Sends a task to Celery workers (Celery's `app.send_task`): a protocol 2 JSON message on the
 * kombu list of `queue` that a Python worker consuming that queue runs. Returns the task id; read
 * the result with `CeleryResultBackend.get/wait`.
 * @throws TaskPayloadError naming the option that is wrong; nothing is sent then.
 */
export async function sendCeleryTask(
  transport: KombuTransport,
  name: string,
  options: SendCeleryTaskOptions = {},
): Promise<string> {
  const spec = buildSpec(name, options);
  await transport.publish(spec.queue, spec.priority, encodeCeleryMessage(spec));
  return spec.id;
}

/** Validates the options into a message spec (every wrong option listed at once). */
export function buildSpec(name: string, options: SendCeleryTaskOptions, now = Date.now()): CeleryMessageSpec {
  const issues: PayloadIssue[] = [];
  const problem = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  if (typeof name !== 'string' || name.trim() === '') problem('name', 'a Celery task name is required');
  // Checked at run time too: the CLI and other untyped callers pass parsed JSON through.
  const args: unknown = options.args ?? [];
  const kwargs: unknown = options.kwargs ?? {};
  if (!Array.isArray(args)) problem('args', 'must be a JSON array');
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) problem('kwargs', 'must be a JSON object');
  for (const [field, value] of [['args', args], ['kwargs', kwargs]] as const) {
    try {
      JSON.stringify(value);
    } catch (error) {
      problem(field, `is not JSON-serializable (${(error as Error).message})`);
    }
  }
  const queue = options.queue ?? CELERY_DEFAULT_QUEUE;
  if (queue === '' || queue.includes(KOMBU_SEP)) problem('queue', 'must be a non-empty queue name');
  const id = options.id ?? randomUUID();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (id === '' || id.length > 255 || /[\x00-\x1f\x7f]/.test(id)) problem('id', 'must be 1-255 printable characters');
  const priority = options.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 9) problem('priority', 'must be an integer 0-9 (0 runs first)');
  if (options.countdown !== undefined && options.eta !== undefined) problem('countdown', 'give countdown or eta, not both');
  let eta: Date | undefined;
  if (options.countdown !== undefined) {
    if (!Number.isFinite(options.countdown) || options.countdown < 0) problem('countdown', 'must be seconds >= 0');
    else if (options.countdown > 0) eta = new Date(now + options.countdown * 1000);
  } else if (options.eta !== undefined) {
    eta = new Date(options.eta);
    if (Number.isNaN(eta.getTime())) problem('eta', 'must be a valid moment');
  }
  let expires: Date | undefined;
  if (options.expires !== undefined) {
    if (options.expires instanceof Date) expires = options.expires;
    else if (Number.isFinite(options.expires) && options.expires >= 0) expires = new Date(now + options.expires * 1000);
    else problem('expires', 'must be seconds >= 0 or a moment');
    if (expires && Number.isNaN(expires.getTime())) problem('expires', 'must be a valid moment');
  }
  if (issues.length > 0) throw new TaskPayloadError(typeof name === 'string' && name ? name : '(celery)', issues);
  const spec: CeleryMessageSpec = {
    id,
    task: name,
    args: args as JsonValue[],
    kwargs: kwargs as JsonObject,
    queue,
    priority,
    retries: options.retries ?? 0,
  };
  if (eta) spec.eta = eta;
  if (expires) spec.expires = expires;
  if (options.parentId) spec.parentId = options.parentId;
  if (options.rootId) spec.rootId = options.rootId;
  if (options.groupId) spec.groupId = options.groupId;
  if (options.ignoreResult) spec.ignoreResult = true;
  return spec;
}

export interface CeleryProducerOptions {
  /** The Celery side's `broker_url`. */
  brokerUrl: string;
  /** The Celery side's `result_backend`. Default `brokerUrl`. */
  resultUrl?: string;
  /** kombu's `global_keyprefix`. Default none. */
  keyPrefix?: string;
}

/**
 * Our side of a Celery app as a client (`app.send_task` + `AsyncResult`): hands tasks to Python
 * Celery workers and reads Celery results. Connects on first use, so a process that never talks to
 * Celery opens nothing; the composition gives one to every process (`core.celery`).
 */
export class CeleryProducer {
  private broker: Redis | undefined;
  private resultRedis: Redis | undefined;
  private transport: KombuTransport | undefined;
  private backend: CeleryResultBackend | undefined;

  constructor(private readonly options: CeleryProducerOptions) {}

  /**
   * Sends a protocol 2 message that a Celery worker consuming `options.queue` (default `celery`)
   * runs; returns the task id. See `sendCeleryTask`.
   * @throws TaskPayloadError naming each wrong option; nothing is sent then.
   */
  send(name: string, options: SendCeleryTaskOptions = {}): Promise<string> {
    return sendCeleryTask(this.kombu(), name, options);
  }

  /** The task's Celery result; PENDING when nothing is stored (unknown, not started, or expired). */
  get(id: string): Promise<CeleryResult> {
    return this.results().get(id);
  }

  /** Waits until the task is ready (SUCCESS, FAILURE, REVOKED), or `timeoutMs`, and returns its result then. */
  wait(id: string, options: { timeoutMs?: number } = {}): Promise<CeleryResult> {
    return this.results().wait(id, options);
  }

  async close(): Promise<void> {
    await this.backend?.close();
    for (const redis of new Set([this.broker, this.resultRedis])) {
      if (redis) await redis.quit().catch(() => { redis.disconnect(); });
    }
  }

  private connection(url: string): Redis {
    // A producer fails fast: a caller must not wait on a Redis that does not answer.
    const redis = createRedis(url, { maxRetriesPerRequest: 1 });
    // The caller sees failed commands; an unhandled 'error' event would end the process.
    redis.on('error', () => undefined);
    return redis;
  }

  private kombu(): KombuTransport {
    if (!this.transport) {
      this.broker = this.connection(this.options.brokerUrl);
      this.transport = new KombuTransport(this.broker, this.options.keyPrefix ? { keyPrefix: this.options.keyPrefix } : {});
    }
    return this.transport;
  }

  private results(): CeleryResultBackend {
    if (!this.backend) {
      const url = this.options.resultUrl ?? this.options.brokerUrl;
      this.resultRedis = url === this.options.brokerUrl ? this.kombu().redis : this.connection(url);
      this.backend = new CeleryResultBackend(this.resultRedis);
    }
    return this.backend;
  }
}

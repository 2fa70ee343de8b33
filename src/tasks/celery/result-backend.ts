import type { Redis } from 'ioredis';
import { isFinished, type TaskResult } from '../results.ts';
import { LuaScript } from './lua.ts';
import { formatDateDone, parseCeleryDate, type CeleryException, type JsonObject, type JsonValue } from './protocol.ts';

/**
 * Celery's Redis result backend (`celery/backends/redis.py` + `base.py`, KeyValueStoreBackend) in
 * its 5.2.6 format: one JSON value per task under `celery-task-meta-<id>`, written with SETEX
 * (`result_expires`) and PUBLISHed on a channel of the same name, which is what
 * `AsyncResult.get()` subscribes to. A stored SUCCESS is never overwritten (Celery's guard against
 * a lost worker's duplicate run).
 */

/** Celery's task states (`celery.states`). */
export const CELERY_STATES = ['PENDING', 'RECEIVED', 'STARTED', 'RETRY', 'SUCCESS', 'FAILURE', 'REVOKED'] as const;
export type CeleryState = (typeof CELERY_STATES)[number];
/** `states.READY_STATES`: nothing follows them. */
export const READY_STATES: ReadonlySet<CeleryState> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);
const EXCEPTION_STATES: ReadonlySet<CeleryState> = new Set(['RETRY', 'FAILURE', 'REVOKED']);

export const TASK_KEY_PREFIX = 'celery-task-meta-';
/** `result_expires` default: one day. */
export const DEFAULT_RESULT_EXPIRES_SECONDS = 86_400;

/** The request fields Celery copies into a result (`group_id`, `parent_id`, and with `result_extended` the rest). */
export interface CeleryRequestInfo {
  task?: string;
  args?: JsonValue[];
  kwargs?: JsonObject;
  retries?: number;
  queue?: string;
  groupId?: string;
  parentId?: string;
}

/** A result as read back. */
export interface CeleryResult {
  id: string;
  state: CeleryState;
  /** The return value (SUCCESS), or STARTED's `{pid, hostname}`; absent for exception states. */
  result?: JsonValue;
  /** The stored exception of FAILURE, RETRY and REVOKED. */
  error?: CeleryException;
  traceback?: string;
  dateDone?: Date;
  /** Present when the writer had `result_extended` on. */
  name?: string;
  args?: JsonValue;
  kwargs?: JsonValue;
  worker?: string;
  retries?: number;
  queue?: string;
}

/** A stored value that is not Celery's JSON result format (e.g. a pickled result). */
export class CeleryResultFormatError extends Error {
  constructor(
    readonly taskId: string,
    detail: string,
  ) {
    super(`the Celery result of ${taskId} cannot be read: ${detail} (the backend must use result_serializer='json')`);
    this.name = 'CeleryResultFormatError';
  }
}

export interface CeleryResultBackendOptions {
  /** `result_expires` in seconds; 0 keeps results forever. Default 86,400. */
  expiresSeconds?: number;
  /** `result_extended`: also store name, args, kwargs, worker, retries, queue. Default false, as Celery. */
  extended?: boolean;
  /** The worker name stored with `result_extended` (Celery's hostname, `name@host`). */
  worker?: string;
}

/** Sets the value and publishes it, unless a SUCCESS is stored already. KEYS: meta key. ARGV: value, expires (s, 0 = none). */
const STORE = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local ok, meta = pcall(cjson.decode, current)
  if ok and type(meta) == 'table' and meta.status == 'SUCCESS' then return 0 end
end
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1
`);

/** An exception as `prepare_exception` stores it with a JSON serializer. */
export function exceptionToJson(error: CeleryException): JsonObject {
  return { exc_type: error.type, exc_message: error.args, exc_module: error.module };
}

/** Writes and reads Celery results; `wait` listens on the key's channel, as `AsyncResult.get()` does. */
export class CeleryResultBackend {
  readonly expiresSeconds: number;
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Set<(value: string) => void>>();

  constructor(
    readonly redis: Redis,
    private readonly options: CeleryResultBackendOptions = {},
  ) {
    this.expiresSeconds = options.expiresSeconds ?? DEFAULT_RESULT_EXPIRES_SECONDS;
  }

  key(taskId: string): string {
    return `${TASK_KEY_PREFIX}${taskId}`;
  }

  /**
   * Stores a state with its result (a value, or for RETRY/FAILURE/REVOKED an exception) as
   * `KeyValueStoreBackend._store_result` does. Returns false when a SUCCESS was already stored.
   */
  async store(
    taskId: string,
    state: CeleryState,
    result: JsonValue | CeleryException,
    options: { traceback?: string; request?: CeleryRequestInfo } = {},
  ): Promise<boolean> {
    const value = this.encode(taskId, state, result, options.traceback ?? null, options.request);
    const stored = await STORE.run(this.redis, [this.key(taskId)], [value, this.expiresSeconds]);
    return stored === 1;
  }

  /** The meta JSON in Celery's key order (status, result, traceback, children, date_done, …, task_id). */
  encode(
    taskId: string,
    state: CeleryState,
    result: JsonValue | CeleryException,
    traceback: string | null,
    request: CeleryRequestInfo | undefined,
  ): string {
    const stored = EXCEPTION_STATES.has(state) && isCeleryException(result) ? exceptionToJson(result) : (result as JsonValue);
    const meta: JsonObject = {
      status: state,
      result: stored,
      traceback,
      children: [],
      date_done: READY_STATES.has(state) ? formatDateDone(new Date()) : null,
    };
    if (request?.groupId) meta.group_id = request.groupId;
    if (request?.parentId) meta.parent_id = request.parentId;
    if (this.options.extended && request) {
      meta.name = request.task ?? null;
      meta.args = request.args ?? null;
      meta.kwargs = request.kwargs ?? null;
      meta.worker = this.options.worker ?? null;
      meta.retries = request.retries ?? null;
      meta.queue = request.queue ?? null;
    }
    meta.task_id = taskId;
    return JSON.stringify(meta);
  }

  /** The task's result; PENDING when nothing is stored (unknown, not started, or expired), as Celery reports it. */
  async get(taskId: string): Promise<CeleryResult> {
    return this.decode(taskId, await this.redis.get(this.key(taskId)));
  }

  /**
   * Waits until the task is ready (SUCCESS, FAILURE, REVOKED) and returns it; after `timeoutMs`
   * returns the state it is in. Subscribes to the key's channel first and then reads once, so a
   * result stored before the subscription took is not missed; no polling.
   */
  async wait(taskId: string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<CeleryResult> {
    const channel = this.key(taskId);
    let latest: CeleryResult = { id: taskId, state: 'PENDING' };
    let listener: ((value: string) => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<CeleryResult>((resolve, reject) => {
        const consider = (result: CeleryResult): void => {
          latest = result;
          if (READY_STATES.has(result.state)) resolve(result);
        };
        listener = (value) => {
          try {
            consider(this.decode(taskId, value));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
        timer = setTimeout(() => {
          resolve(latest);
        }, timeoutMs);
        this.listen(channel, listener)
          .then(() => this.get(taskId))
          .then((first) => {
            // A published state may have arrived meanwhile; a ready one wins either way.
            if (READY_STATES.has(first.state) || !READY_STATES.has(latest.state)) consider(first);
          })
          .catch(reject);
      });
    } finally {
      clearTimeout(timer);
      if (listener) await this.unlisten(channel, listener);
    }
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.listeners.clear();
    if (subscriber) await subscriber.quit().catch(() => { subscriber.disconnect(); });
  }

  private decode(taskId: string, value: string | null): CeleryResult {
    if (value === null) return { id: taskId, state: 'PENDING' };
    let meta: unknown;
    try {
      meta = JSON.parse(value);
    } catch {
      throw new CeleryResultFormatError(taskId, 'the stored value is not JSON');
    }
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      throw new CeleryResultFormatError(taskId, 'the stored value is not an object');
    }
    const record = meta as JsonObject;
    const state = record.status;
    if (typeof state !== 'string' || !(CELERY_STATES as readonly string[]).includes(state)) {
      throw new CeleryResultFormatError(taskId, `unknown status ${JSON.stringify(state)}`);
    }
    const result: CeleryResult = { id: taskId, state: state as CeleryState };
    const stored = record.result ?? null;
    const error = EXCEPTION_STATES.has(result.state) ? exceptionFromJson(stored) : undefined;
    if (error) result.error = error;
    else result.result = stored;
    if (typeof record.traceback === 'string') result.traceback = record.traceback;
    if (typeof record.date_done === 'string') {
      const done = parseCeleryDate(record.date_done);
      if (done) result.dateDone = done;
    }
    if (typeof record.name === 'string') result.name = record.name;
    if (record.args !== undefined && record.args !== null) result.args = record.args;
    if (record.kwargs !== undefined && record.kwargs !== null) result.kwargs = record.kwargs;
    if (typeof record.worker === 'string') result.worker = record.worker;
    if (typeof record.retries === 'number') result.retries = record.retries;
    if (typeof record.queue === 'string') result.queue = record.queue;
    return result;
  }

  private async listen(channel: string, listener: (value: string) => void): Promise<void> {
    let subscriber = this.subscriber;
    if (!subscriber) {
      subscriber = this.redis.duplicate();
      subscriber.on('error', () => undefined);
      subscriber.on('message', (from: string, value: string) => {
        this.notify(from, value);
      });
      // What was published while the connection was down is lost: read every awaited key again
      // after a reconnect (what Celery's ResultConsumer._reconnect_pubsub does).
      subscriber.on('ready', () => {
        for (const channel of this.listeners.keys()) {
          this.redis.get(channel).then(
            (value) => {
              if (value !== null) this.notify(channel, value);
            },
            () => undefined,
          );
        }
      });
      this.subscriber = subscriber;
    }
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (set.size === 1) await subscriber.subscribe(channel);
  }

  private notify(channel: string, value: string): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(value);
  }

  private async unlisten(channel: string, listener: (value: string) => void): Promise<void> {
    const set = this.listeners.get(channel);
    if (!set) return;
    set.delete(listener);
    if (set.size > 0) return;
    this.listeners.delete(channel);
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }
}

function isCeleryException(value: JsonValue | CeleryException): value is CeleryException {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.type === 'string' &&
    Array.isArray(value.args) &&
    'module' in value
  );
}

/** Reads `{exc_type, exc_message, exc_module}`; a message stored as a bare string becomes one arg. */
function exceptionFromJson(value: JsonValue): CeleryException | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof value.exc_type !== 'string') {
    return undefined;
  }
  const message = value.exc_message;
  return {
    type: value.exc_type,
    module: typeof value.exc_module === 'string' ? value.exc_module : null,
    args: Array.isArray(message) ? message : message === undefined ? [] : [message],
  };
}

/**
 * A Celery result in the shape `results.get` gives ours (what `ainfo result` prints): RECEIVED
 * reads as PENDING; the exception becomes `Type: message`; name, queue and arguments are there
 * when the writer had `result_extended` on.
 */
export function celeryToTaskResult(celery: CeleryResult): TaskResult {
  const state = celery.state === 'RECEIVED' ? 'PENDING' : celery.state;
  const retries = celery.retries ?? 0;
  const out: TaskResult = { id: celery.id, state, attempts: state === 'PENDING' ? 0 : retries + 1 };
  if (celery.name) out.name = celery.name;
  if (celery.queue) out.queue = celery.queue;
  if (celery.args !== undefined || celery.kwargs !== undefined) out.payload = { args: celery.args ?? [], kwargs: celery.kwargs ?? {} };
  if (state === 'SUCCESS') out.result = celery.result;
  const meta = celery.result;
  if (state === 'STARTED' && typeof meta === 'object' && meta !== null && !Array.isArray(meta) && meta.progress !== undefined) {
    out.progress = meta.progress;
  }
  if (celery.error) out.error = `${celery.error.type}: ${celery.error.args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(', ')}`;
  if (celery.dateDone && isFinished(state)) out.finishedAt = celery.dateDone.toISOString();
  return out;
}

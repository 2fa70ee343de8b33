import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from './lua.ts';
import type { JsonValue } from './protocol.ts';

/**
 * kombu 5.2's Redis transport, the parts a consumer and a producer share with Python
 * (`kombu/transport/redis.py`): one list per queue and priority step, producers LPUSH, consumers
 * pop from the right; a fetched message is recorded in the `unacked` hash (delivery tag →
 * `[message, exchange, routing_key]`) and the `unacked_index` sorted set (delivery tag → fetch
 * time, seconds); an ack removes both; `restore_visible` pushes back messages older than the
 * visibility timeout, under the `unacked_mutex` lock.
 */

/** `PRIORITY_STEPS`: priorities 0–2 share the queue's own list, 3–5 `queue\x06\x163`, 6–8 `…6`, 9 `…9`. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;
/** `Channel.sep`, between a queue name and its priority step, and inside binding entries. */
export const KOMBU_SEP = '\x06\x16';
/** `Channel.visibility_timeout`: seconds before an unacknowledged message is restored. */
export const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 3600;
/** `Channel.unacked_mutex_expire`: the restore lock's lifetime. */
const UNACKED_MUTEX_EXPIRE_MS = 300_000;
/** Rejected messages kept aside for a person to read (and replay), newest first. */
const REJECTED_KEEP = 10_000;

/** kombu's `priority()`: the step whose list holds a message of this priority (0–9). */
export function priorityStep(priority: number): number {
  let step: number = PRIORITY_STEPS[0];
  for (const candidate of PRIORITY_STEPS) if (candidate <= priority) step = candidate;
  return step;
}

/** The Redis key names, with kombu's optional `global_keyprefix` transport option. */
export class KombuKeys {
  constructor(readonly prefix = '') {}

  get unacked(): string {
    return `${this.prefix}unacked`;
  }

  get unackedIndex(): string {
    return `${this.prefix}unacked_index`;
  }

  get unackedMutex(): string {
    return `${this.prefix}unacked_mutex`;
  }

  /** Not kombu's: where AInfo keeps messages it could not run (bad JSON, protocol 1, unknown task, …). */
  get rejected(): string {
    return `${this.prefix}_ainfo.celery.rejected`;
  }

  binding(exchange: string): string {
    return `${this.prefix}_kombu.binding.${exchange}`;
  }

  /** `_q_for_pri`: the list of `queue` holding messages of `priority`. */
  queue(queue: string, priority = 0): string {
    const step = priorityStep(priority);
    return step === 0 ? `${this.prefix}${queue}` : `${this.prefix}${queue}${KOMBU_SEP}${step}`;
  }
}

/**
 * Pops up to ARGV[4] messages and records each in `unacked` + `unacked_index` in the same atomic
 * step, so no moment exists where a message is in neither the list nor the unacked hash (kombu's
 * BRPOP-then-HSET has that moment). Order as kombu's BRPOP keys: every queue's priority-0 list
 * first, then every queue's step-3 list, …; among queues, round robin (the queue just served goes last).
 * KEYS: queue-major list keys (Q queues × S steps), unacked, unacked_index.
 * ARGV: now (s), Q, S, max, then the Q queue names (the routing key when a message names none).
 * Returns a flat array: queue position (1-based, as passed), message, delivery tag ('' = not recordable).
 */
const FETCH = new LuaScript(`
local nq, ns, max = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local unacked, index = KEYS[nq * ns + 1], KEYS[nq * ns + 2]
local order = {}
for q = 1, nq do order[q] = q end
local out = {}
local taken = 0
while taken < max do
  local found = false
  for s = 1, ns do
    for pos = 1, nq do
      local q = order[pos]
      local item = redis.call('RPOP', KEYS[(q - 1) * ns + s])
      if item then
        table.remove(order, pos)
        table.insert(order, q)
        local tag, exchange, routing = '', '', ARGV[4 + q]
        local ok, message = pcall(cjson.decode, item)
        if ok and type(message) == 'table' and type(message.properties) == 'table' then
          local properties = message.properties
          if type(properties.delivery_tag) == 'string' then tag = properties.delivery_tag end
          local info = properties.delivery_info
          if type(info) == 'table' then
            if type(info.exchange) == 'string' then exchange = info.exchange end
            if type(info.routing_key) == 'string' and info.routing_key ~= '' then routing = info.routing_key end
          end
        end
        if tag ~= '' then
          redis.call('HSET', unacked, tag, '[' .. item .. ',' .. cjson.encode(exchange) .. ',' .. cjson.encode(routing) .. ']')
          redis.call('ZADD', index, ARGV[1], tag)
        end
        out[#out + 1] = q
        out[#out + 1] = item
        out[#out + 1] = tag
        taken = taken + 1
        found = true
        break
      end
    end
    if found then break end
  end
  if not found then break end
end
return out
`);

/**
 * kombu's `restore_by_tag` as one compare-and-set: pushes the (redelivered-flagged) message back
 * and drops it from both unacked structures, only if the unacked entry is still the one read and,
 * for a visibility sweep, still older than the ceiling (its consumer did not refresh it meanwhile).
 * KEYS: unacked, unacked_index, destination lists. ARGV: tag, expected entry, payload, ceiling ('' = none), leftmost ('1').
 */
const RESTORE = new LuaScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[4] ~= '' then
  local score = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if score and tonumber(score) > tonumber(ARGV[4]) then return 0 end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
for i = 3, #KEYS do
  if ARGV[5] == '1' then redis.call('LPUSH', KEYS[i], ARGV[3]) else redis.call('RPUSH', KEYS[i], ARGV[3]) end
end
return 1
`);

/** redis-py's `Lock.release`: delete the lock only if we still hold it. */
const RELEASE_MUTEX = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** One message taken from a queue list. */
export interface FetchedMessage {
  raw: string;
  /** The list's queue (without priority suffix or key prefix). */
  queue: string;
  /** Undefined when the message has no delivery tag: it could not be recorded as unacked. */
  deliveryTag: string | undefined;
}

/** A message put aside: why, and the message as it was. */
export interface RejectedEntry {
  at: string;
  queue: string;
  reason: string;
  id?: string;
  task?: string;
  raw: string;
}

/** What a visibility sweep did. */
export interface RestoreReport {
  restored: number;
  /** Unacked entries that were not JSON `[message, exchange, routing_key]`: put aside. */
  unreadable: number;
}

export interface KombuTransportOptions {
  /** kombu's `global_keyprefix` transport option. Default none. */
  keyPrefix?: string;
  /** kombu's `visibility_timeout` transport option, seconds. Default 3600. */
  visibilityTimeoutSeconds?: number;
}

/** The kombu Redis transport operations, over one command connection (never a blocked one). */
export class KombuTransport {
  readonly keys: KombuKeys;
  readonly visibilityTimeoutSeconds: number;
  private readonly declared = new Set<string>();

  constructor(
    readonly redis: Redis,
    options: KombuTransportOptions = {},
  ) {
    this.keys = new KombuKeys(options.keyPrefix ?? '');
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
  }

  /** Every list of `queue`, in the order a consumer takes from them. */
  queueLists(queue: string): string[] {
    return PRIORITY_STEPS.map((step) => this.keys.queue(queue, step));
  }

  /**
   * Publishes an encoded envelope the way Celery does for a direct queue: declares the queue's
   * binding (`_kombu.binding.<queue>`, once per process) and LPUSHes onto the priority's list.
   * With `ack`, acknowledges that delivery in the same transaction (a retry replacing its message).
   */
  async publish(queue: string, priority: number, envelope: string, options: { ack?: string } = {}): Promise<void> {
    const multi = this.redis.multi();
    if (!this.declared.has(queue)) multi.sadd(this.keys.binding(queue), [queue, '', queue].join(KOMBU_SEP));
    multi.lpush(this.keys.queue(queue, priority), envelope);
    if (options.ack !== undefined) multi.zrem(this.keys.unackedIndex, options.ack).hdel(this.keys.unacked, options.ack);
    await multi.exec();
    this.declared.add(queue);
  }

  /** Takes up to `max` messages from `queues` (in this order of turn), each recorded as unacked. */
  async fetch(queues: readonly string[], max: number): Promise<FetchedMessage[]> {
    if (max <= 0 || queues.length === 0) return [];
    const keys = [...queues.flatMap((queue) => this.queueLists(queue)), this.keys.unacked, this.keys.unackedIndex];
    const flat = (await FETCH.run(this.redis, keys, [
      Date.now() / 1000,
      queues.length,
      PRIORITY_STEPS.length,
      max,
      ...queues,
    ])) as (number | string)[];
    const fetched: FetchedMessage[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const position = Number(flat[i]);
      fetched.push({
        queue: queues[position - 1] ?? '',
        raw: String(flat[i + 1]),
        deliveryTag: flat[i + 2] ? String(flat[i + 2]) : undefined,
      });
    }
    return fetched;
  }

  /** `QoS.ack`: removes the message from `unacked_index` and `unacked`. */
  async ack(deliveryTag: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.unackedIndex, deliveryTag).hdel(this.keys.unacked, deliveryTag).exec();
  }

  /**
   * Marks held messages as fetched now, so no visibility sweep (ours or Python's) restores a
   * message whose consumer is alive; only existing entries are touched (an acked or restored
   * message is not brought back).
   */
  async refresh(deliveryTags: readonly string[]): Promise<void> {
    if (deliveryTags.length === 0) return;
    const now = Date.now() / 1000;
    await this.redis.zadd(this.keys.unackedIndex, 'XX', ...deliveryTags.flatMap((tag) => [now, tag]));
  }

  /**
   * Pushes an unacknowledged message back to its queue now (kombu's `restore_by_tag`; at the
   * right end by default, so it is taken next, as kombu does). False when it was no longer unacked.
   */
  async requeue(deliveryTag: string, options: { leftmost?: boolean } = {}): Promise<boolean> {
    const outcome = await this.restoreTag(deliveryTag, undefined, options.leftmost ?? false);
    return outcome === 'restored';
  }

  /**
   * kombu's `restore_visible`: under `unacked_mutex` (skipped when another consumer holds it),
   * pushes back every message fetched longer than the visibility timeout ago, newest first, so the
   * oldest ends up taken first. Runs at most `limit` messages per call.
   */
  async restoreVisible(limit = 1_000): Promise<RestoreReport> {
    const report: RestoreReport = { restored: 0, unreadable: 0 };
    const token = randomUUID().replace(/-/g, '');
    const locked = await this.redis.set(this.keys.unackedMutex, token, 'PX', UNACKED_MUTEX_EXPIRE_MS, 'NX');
    if (locked !== 'OK') return report;
    try {
      const ceiling = Date.now() / 1000 - this.visibilityTimeoutSeconds;
      const tags = await this.redis.zrevrangebyscore(this.keys.unackedIndex, ceiling, 0, 'LIMIT', 0, limit);
      for (const tag of tags) {
        const outcome = await this.restoreTag(tag, ceiling, false);
        if (outcome === 'restored') report.restored += 1;
        else if (outcome === 'unreadable') report.unreadable += 1;
      }
    } finally {
      await RELEASE_MUTEX.run(this.redis, [this.keys.unackedMutex], [token]);
    }
    return report;
  }

  /** Keeps a rejected message aside (capped list, newest first). */
  async putAside(entry: RejectedEntry): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.keys.rejected, JSON.stringify(entry))
      .ltrim(this.keys.rejected, 0, REJECTED_KEEP - 1)
      .exec();
  }

  private async restoreTag(
    tag: string,
    ceiling: number | undefined,
    leftmost: boolean,
  ): Promise<'restored' | 'gone' | 'unreadable'> {
    const entry = await this.redis.hget(this.keys.unacked, tag);
    if (entry === null) {
      // An index entry without its message: what kombu's restore transaction also drops.
      await this.redis.zrem(this.keys.unackedIndex, tag);
      return 'gone';
    }
    const parsed = parseUnacked(entry);
    if (!parsed) {
      // kombu would fail on this entry at every sweep; keep it aside once instead.
      await this.putAside({ at: new Date().toISOString(), queue: '', reason: 'unreadable unacked entry', raw: entry });
      await this.redis.multi().zrem(this.keys.unackedIndex, tag).hdel(this.keys.unacked, tag).exec();
      return 'unreadable';
    }
    const { message, exchange, routingKey } = parsed;
    // kombu's _do_restore_message marks the message redelivered in both places.
    if (isRecord(message.headers)) message.headers.redelivered = true;
    if (isRecord(message.properties) && isRecord(message.properties.delivery_info)) {
      message.properties.delivery_info.redelivered = true;
    }
    const queues = await this.lookup(exchange, routingKey);
    const restored = await RESTORE.run(
      this.redis,
      [this.keys.unacked, this.keys.unackedIndex, ...queues.map((queue) => this.keys.queue(queue))],
      [tag, entry, JSON.stringify(message), ceiling === undefined ? '' : ceiling, leftmost ? '1' : ''],
    );
    return restored === 1 ? 'restored' : 'gone';
  }

  /**
   * `Channel._lookup` as a process that did not declare the exchange sees it (a direct exchange):
   * the anonymous exchange routes to the routing key; a named one to the queues bound with that
   * key in `_kombu.binding.<exchange>`. Where kombu finds none it drops the message; we fall back
   * to the routing key as the queue name (Celery's default queues are named by their key).
   */
  private async lookup(exchange: string, routingKey: string): Promise<string[]> {
    if (exchange === '') return [routingKey];
    const bindings = await this.redis.smembers(this.keys.binding(exchange));
    const queues = new Set<string>();
    for (const binding of bindings) {
      const [key, , queue] = binding.split(KOMBU_SEP);
      if (key === routingKey && queue) queues.add(queue);
    }
    return queues.size > 0 ? [...queues] : [routingKey];
  }
}

const isRecord = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseUnacked(entry: string): { message: Record<string, JsonValue>; exchange: string; routingKey: string } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(entry);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [message, exchange, routingKey] = value as unknown[];
  if (!isRecord(message) || typeof exchange !== 'string' || typeof routingKey !== 'string' || routingKey === '') {
    return undefined;
  }
  return { message, exchange, routingKey };
}

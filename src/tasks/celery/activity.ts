import type { Cluster, Redis } from 'ioredis';

/** A Celery message our worker is running, as `ainfo inspect active` and the admin dashboard list it. */
export interface CeleryActiveTask {
  /** The Celery task id. */
  id: string;
  /** Our task's name (`accounts.sendVerifyEmail`). */
  name: string;
  /** The Celery name it came as (`accounts.tasks.send_verify_email`). */
  celeryTask: string;
  /** The kombu queue it was taken from. */
  queue: string;
  payload: unknown;
  startedAt: string;
  attempts: number;
  progress: unknown;
  /** The worker process running it (`host:pid`). */
  worker: string;
}

/** How often a worker writes what it runs; a reader sees a task at most this late. */
const PUBLISH_INTERVAL_MS = 1_000;
/** A worker whose list is older than this stopped (killed): its entry is dropped. */
const ENTRY_TTL_MS = 5_000;

const workersKey = (prefix: string): string => `${prefix}:ainfo:celery:workers`;
const activeKey = (prefix: string, worker: string): string => `${prefix}:ainfo:celery:active:${worker}`;

/**
 * What one worker process's Celery consumer runs, published to our Redis once a second (one SET
 * with a short expiry, whatever the task rate), so that any process can list it: BullMQ keeps its
 * active jobs in Redis, kombu keeps only unacknowledged messages, which say neither what runs nor where.
 */
export class CeleryActivity {
  private readonly running = new Map<string, CeleryActiveTask>();
  private timer: NodeJS.Timeout | undefined;
  private publishing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    readonly worker: string,
  ) {}

  async start(): Promise<void> {
    await this.publish();
    this.timer = setInterval(() => {
      this.publishing ??= this.publish()
        .catch(() => undefined)
        .finally(() => {
          this.publishing = undefined;
        });
    }, PUBLISH_INTERVAL_MS);
    this.timer.unref();
  }

  begin(task: Omit<CeleryActiveTask, 'worker' | 'progress' | 'startedAt'>): void {
    this.running.set(task.id, { ...task, worker: this.worker, progress: null, startedAt: new Date().toISOString() });
  }

  progress(id: string, value: unknown): void {
    const entry = this.running.get(id);
    if (entry) entry.progress = value;
  }

  end(id: string): void {
    this.running.delete(id);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.publishing;
    await this.redis.multi().del(activeKey(this.prefix, this.worker)).srem(workersKey(this.prefix), this.worker).exec();
  }

  private async publish(): Promise<void> {
    // Joined to the set every time: a reader that saw the list missing (a blip) dropped it from there.
    await this.redis
      .multi()
      .set(activeKey(this.prefix, this.worker), JSON.stringify([...this.running.values()]), 'PX', ENTRY_TTL_MS)
      .sadd(workersKey(this.prefix), this.worker)
      .exec();
  }
}

/** Every worker's running Celery tasks (at most a second old); forgets workers that stopped publishing. */
export async function readCeleryActive(redis: Redis | Cluster, prefix: string): Promise<CeleryActiveTask[]> {
  const workers = await redis.smembers(workersKey(prefix));
  if (workers.length === 0) return [];
  const lists = await redis.mget(workers.map((worker) => activeKey(prefix, worker)));
  const gone = workers.filter((_worker, index) => lists[index] === null);
  if (gone.length > 0) await redis.srem(workersKey(prefix), ...gone);
  return lists.flatMap((list) => (list === null ? [] : (JSON.parse(list) as CeleryActiveTask[])));
}

import type { Redis } from 'ioredis';

/** Upper bounds (seconds) of the task duration histogram. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

const FLUSH_INTERVAL_MS = 5_000;

export function durationsKey(prefix: string): string {
  return `${prefix}:ainfo:metrics:durations`;
}

/**
 * Task durations of one worker process, added up in memory and flushed to one Redis hash every few
 * seconds, so that the web process (which may run elsewhere) can serve every worker's histogram.
 */
export class DurationRecorder {
  private pending = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  record(task: string, status: 'success' | 'failure', seconds: number): void {
    const add = (field: string, by: number): void => {
      this.pending.set(field, (this.pending.get(field) ?? 0) + by);
    };
    const series = `${task}|${status}`;
    for (const bound of DURATION_BUCKETS_S) if (seconds <= bound) add(`${series}|${bound}`, 1);
    add(`${series}|+Inf`, 1);
    add(`${series}|sum_ms`, Math.round(seconds * 1000));
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = this.redis.pipeline();
    for (const [field, by] of batch) pipeline.hincrby(durationsKey(this.prefix), field, by);
    await pipeline.exec();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}

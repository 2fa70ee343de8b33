import type { Cluster, Redis } from 'ioredis';

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
  /** Per `task|status`: counts per bucket (the last one is +Inf) and the sum in ms. */
  private pending = new Map<string, { buckets: number[]; sumMs: number }>();
  /** `task|success` and `task|failure` per task, made once instead of per record. */
  private readonly seriesNames = new Map<string, { success: string; failure: string }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Called once per finished task: kept allocation-free, as it runs at the worker's full rate. */
  record(task: string, status: 'success' | 'failure', seconds: number): void {
    let names = this.seriesNames.get(task);
    if (!names) {
      names = { success: `${task}|success`, failure: `${task}|failure` };
      this.seriesNames.set(task, names);
    }
    const series = names[status];
    let entry = this.pending.get(series);
    if (!entry) {
      entry = { buckets: new Array<number>(DURATION_BUCKETS_S.length + 1).fill(0), sumMs: 0 };
      this.pending.set(series, entry);
    }
    let index = 0;
    while (index < DURATION_BUCKETS_S.length && seconds > (DURATION_BUCKETS_S[index] ?? Infinity)) index += 1;
    entry.buckets[index] = (entry.buckets[index] ?? 0) + 1;
    entry.sumMs += Math.round(seconds * 1000);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = this.redis.pipeline();
    const key = durationsKey(this.prefix);
    for (const [series, entry] of batch) {
      // Prometheus buckets are cumulative: each bound counts every duration at or below it.
      let cumulative = 0;
      DURATION_BUCKETS_S.forEach((bound, index) => {
        cumulative += entry.buckets[index] ?? 0;
        if (cumulative > 0) pipeline.hincrby(key, `${series}|${bound}`, cumulative);
      });
      cumulative += entry.buckets[DURATION_BUCKETS_S.length] ?? 0;
      pipeline.hincrby(key, `${series}|+Inf`, cumulative);
      pipeline.hincrby(key, `${series}|sum_ms`, entry.sumMs);
    }
    await pipeline.exec();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}

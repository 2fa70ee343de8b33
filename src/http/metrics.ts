import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Broker } from '../tasks/broker.ts';
import { queueStats, taskDurations } from '../tasks/inspect.ts';
import { withRedisDeadline } from '../tasks/redis.ts';

const STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;

/** The outbox's unfinished rows, as the metrics show them (tasks/outbox.ts). */
export interface OutboxBacklogSource {
  backlog(): Promise<{ pending: number; oldestAgeSeconds: number }>;
}

/**
 * Prometheus metrics: process metrics of this web process, whether Redis answers, per-queue task
 * counts and every worker's task durations (read from Redis, so they cover all processes), and the
 * outbox backlog (from the database) when given. With Redis down the Redis-backed series are left
 * out and `ainfo_redis_up` says 0, rather than the whole page failing.
 */
export function createMetrics(broker: Broker, outbox?: OutboxBacklogSource): { contentType: string; render(): Promise<string> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ainfo_' });
  let redisUp = false;
  new Gauge({
    name: 'ainfo_redis_up',
    help: '1 when Redis (the task queue) answered this scrape, else 0',
    registers: [registry],
    collect() {
      this.set(redisUp ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ainfo_queue_tasks',
    help: 'Tasks per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!redisUp) return;
      for (const stats of await queueStats(broker)) {
        for (const state of STATES) this.set({ queue: stats.queue, state }, stats[state]);
      }
    },
  });
  new Gauge({
    name: 'ainfo_queue_workers',
    help: 'Workers connected per queue',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!redisUp) return;
      for (const stats of await queueStats(broker)) this.set({ queue: stats.queue }, stats.workers);
    },
  });
  if (outbox) {
    const read = (): Promise<{ pending: number; oldestAgeSeconds: number }> => outbox.backlog();
    new Gauge({
      name: 'ainfo_outbox_pending',
      help: 'Outbox rows (work recorded with a database change) whose task has not finished yet',
      registers: [registry],
      async collect() {
        this.set((await read()).pending);
      },
    });
    new Gauge({
      name: 'ainfo_outbox_oldest_seconds',
      help: 'Age of the oldest unfinished outbox row, 0 when none',
      registers: [registry],
      async collect() {
        this.set((await read()).oldestAgeSeconds);
      },
    });
  }

  return {
    contentType: registry.contentType,
    async render() {
      // Once per scrape, before the gauges collect (prom-client collects them all at once).
      redisUp = await withRedisDeadline(broker.connection.ping(), 1_000, 'redis').then(
        () => true,
        () => false,
      );
      const lines = [
        '# HELP ainfo_task_duration_seconds Task run time, by task and outcome, over every worker',
        '# TYPE ainfo_task_duration_seconds histogram',
      ];
      for (const series of redisUp ? await taskDurations(broker) : []) {
        const labels = `task="${series.task}",status="${series.status}"`;
        for (const bucket of series.buckets) {
          lines.push(`ainfo_task_duration_seconds_bucket{${labels},le="${bucket.le}"} ${bucket.count}`);
        }
        lines.push(`ainfo_task_duration_seconds_sum{${labels}} ${series.sumSeconds}`);
        lines.push(`ainfo_task_duration_seconds_count{${labels}} ${series.count}`);
      }
      return `${await registry.metrics()}\n${lines.join('\n')}\n`;
    },
  };
}

import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Broker } from '../tasks/broker.ts';
import { queueStats, taskDurations } from '../tasks/inspect.ts';

const STATES = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;

/**
 * Prometheus metrics: process metrics of this web process, per-queue task counts and every
 * worker's task durations, both read from Redis so they cover all processes.
 */
export function createMetrics(broker: Broker): { contentType: string; render(): Promise<string> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ainfo_' });
  new Gauge({
    name: 'ainfo_queue_tasks',
    help: 'Tasks per queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
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
      for (const stats of await queueStats(broker)) this.set({ queue: stats.queue }, stats.workers);
    },
  });

  return {
    contentType: registry.contentType,
    async render() {
      const lines = [
        '# HELP ainfo_task_duration_seconds Task run time, by task and outcome, over every worker',
        '# TYPE ainfo_task_duration_seconds histogram',
      ];
      for (const series of await taskDurations(broker)) {
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

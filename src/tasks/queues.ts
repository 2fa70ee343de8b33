/** The queues, one per workload, as DESIGN.md lists them. */
export const QUEUE_NAMES = ['default', 'mail', 'notices', 'dataload'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/** Per-queue worker settings; a long dataload run keeps its lock by renewal, not by a long lock. */
export interface QueueSettings {
  /** Jobs one worker process runs at once on this queue. */
  concurrency: number;
}

export const QUEUE_SETTINGS: Readonly<Record<QueueName, QueueSettings>> = {
  default: { concurrency: 8 },
  mail: { concurrency: 8 },
  notices: { concurrency: 2 },
  dataload: { concurrency: 1 },
};

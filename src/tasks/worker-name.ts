import { createRedisBackend, type BackendFactory, type QueueBaseOptions, type RedisQueueBackend } from 'bullmq';

/**
 * The backend of a BullMQ Worker that is known by `workerName` in CLIENT LIST (what
 * `queue.getWorkers()` reads: `inspect`, the admin dashboard) without BullMQ's `name` worker option.
 *
 * Why not the option: with `name` set, BullMQ sends it with every fetch and completion and its Lua
 * writes it into every job hash as `processedBy`, which every later read returns: 2.5 % of Redis'
 * work per task and msgpack plus GC in the worker, for a field nothing of ours reads. The name is
 * only wanted on the worker's blocking connection (`<prefix>:<base64 queue>:w:<name>`, one per
 * worker and queue, renamed by ioredis itself after a reconnect).
 *
 * BullMQ names that connection from `opts.name` while it builds the backend (createRedisBackend,
 * 6.7.0), and reads `opts.name` again per job from the same options object: so the name is there
 * for the construction only. This relies on BullMQ reading it at construction; the test
 * `test/tasks/worker-name.test.ts` fails if a BullMQ upgrade changes that (no name in CLIENT LIST,
 * or `processedBy` written again).
 */
export function namedWorkerBackend(workerName: string): BackendFactory<RedisQueueBackend> {
  return (queueName, opts, flags) => {
    const named: QueueBaseOptions & { name?: string } = opts;
    named.name = workerName;
    try {
      return createRedisBackend(queueName, opts, flags);
    } finally {
      delete named.name;
    }
  };
}

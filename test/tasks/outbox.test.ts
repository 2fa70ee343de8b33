import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTask, OutboxProducer, OutboxRelay, TaskRegistry, TaskWorker, Deps } from '../../src/tasks/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

/** Held open by the test until it calls `release`: the task is running, not finished. */
let gate: { release: () => void; started: boolean } | undefined;
const runs = new Map<string, number>();

const countedTask = defineTask(
  { name: 'test.outboxCounted', queue: 'default', schema: z.object({ n: z.number().int() }), retry: { attempts: 1 } },
  async (_payload, ctx) => {
    runs.set(ctx.id, (runs.get(ctx.id) ?? 0) + 1);
    return Promise.resolve(true);
  },
);

const gatedTask = defineTask(
  { name: 'test.outboxGated', queue: 'default', schema: z.object({}), retry: { attempts: 1 } },
  async () => {
    await new Promise<void>((resolve) => {
      gate = { release: resolve, started: true };
    });
    return 'released';
  },
);

type RowState = {
  task_id: string;
  enqueue_count: number;
  done_at: Date | null;
};

describe('the task outbox on PostgreSQL and Redis', () => {
  let stack: Stack;
  let producer: OutboxProducer;
  const registry = new TaskRegistry();
  registry.register(countedTask);
  registry.register(gatedTask);

  const relay = (): OutboxRelay =>
    new OutboxRelay({ outbox: stack.services.outbox, broker: stack.core.broker, registry, log: stack.core.log, batch: 1_000 });
  const rows = (): Promise<RowState[]> =>
    stack.db.sql.query<RowState>('select task_id, enqueue_count, done_at from task_outbox order by id');

  beforeAll(async () => {
    // No relay of the stack's own: each test drives its relays.
    stack = await startStack({ label: 'outbox', database: 'postgres', relay: false });
    producer = new OutboxProducer(stack.core.broker, stack.services.outbox);
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('records nothing when the transaction rolls back, and the row when it commits', async () => {
    await expect(
      stack.db.db.transaction(async (tx) => {
        await producer.enqueue(countedTask, { n: 0 }, { tx, id: 'outbox-rolled-back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const ref = await stack.db.db.transaction((tx) => producer.enqueue(countedTask, { n: 0 }, { tx, id: 'outbox-committed' }));
    expect(ref).toEqual({ id: 'outbox-committed', name: 'test.outboxCounted', queue: 'default' });
    expect((await rows()).map((row) => row.task_id)).toEqual(['outbox-committed']);
    // Nothing in Redis before a relay runs.
    expect(await stack.core.broker.queue('default').getJob('outbox-committed')).toBeUndefined();
  });

  it('enqueues each row once with two relays ticking at once', async () => {
    await stack.db.db.transaction(async (tx) => {
      for (let n = 1; n <= 300; n += 1) await producer.enqueue(countedTask, { n }, { tx, id: `outbox-pair-${n}` });
    });
    const [first, second] = await Promise.all([relay().tick(), relay().tick()]);
    expect(first.enqueued + second.enqueued).toBe(301);
    expect(first.enqueued).toBeGreaterThan(0);
    const states = await rows();
    expect(states.every((row) => row.enqueue_count === 1)).toBe(true);
    const counts = await stack.core.broker.queue('default').getJobCounts('waiting');
    expect(counts.waiting).toBe(301);
    // A third tick finds nothing left to enqueue.
    expect((await relay().tick()).enqueued).toBe(0);
  });

  it('marks a row done when its task has finished, not when it was enqueued', async () => {
    await stack.core.broker.queue('default').obliterate({ force: true });
    await stack.db.db.transaction((tx) => producer.enqueue(gatedTask, {}, { tx, id: 'outbox-gated' }));
    await relay().tick();
    const done = async (): Promise<boolean> => (await rows()).find((row) => row.task_id === 'outbox-gated')?.done_at != null;
    expect(await done()).toBe(false);
    const worker = new TaskWorker({
      broker: stack.core.broker,
      registry,
      deps: new Deps(),
      log: stack.core.log,
      queues: ['default'],
      lockMs: 5_000,
      outbox: stack.services.outbox,
    });
    await worker.start();
    try {
      await waitUntil(() => gate?.started === true, 10_000, 'the gated task running');
      expect(await done()).toBe(false);
      gate?.release();
      await waitUntil(done, 10_000, 'the row marked done');
      expect(await stack.core.results.get('outbox-gated')).toMatchObject({ state: 'SUCCESS', result: 'released' });
    } finally {
      await worker.close(5_000);
    }
  });

  it('enqueues a row again whose job Redis no longer has, and prunes done rows', async () => {
    await stack.db.db.transaction((tx) => producer.enqueue(countedTask, { n: 9 }, { tx, id: 'outbox-vanishing' }));
    const relays = new OutboxRelay({
      outbox: stack.services.outbox,
      broker: stack.core.broker,
      registry,
      log: stack.core.log,
      checkAfterMs: 0,
      keepDoneMs: 0,
      housekeepingEvery: 1,
    });
    // Housekeeping runs on every tick here: the gated task's done row is pruned at once.
    expect((await relays.tick()).pruned).toBeGreaterThanOrEqual(1);
    expect((await rows()).some((row) => row.task_id === 'outbox-gated')).toBe(false);
    const job = await stack.core.broker.queue('default').getJob('outbox-vanishing');
    expect(job).toBeDefined();
    await job?.remove();
    // One tick finds the job gone, the next enqueues the row again.
    let lost = 0;
    for (let tick = 0; tick < 3 && !(await stack.core.broker.queue('default').getJob('outbox-vanishing')); tick += 1) {
      lost += (await relays.tick()).lost;
    }
    expect(lost).toBeGreaterThanOrEqual(1);
    expect(await stack.core.broker.queue('default').getJob('outbox-vanishing')).toBeDefined();
    expect((await rows()).find((row) => row.task_id === 'outbox-vanishing')?.enqueue_count).toBe(2);
  });

  it('tells exactly one of several relays that Redis restarted (its run_id changed)', async () => {
    const { outbox } = stack.services;
    await outbox.swapRunId('run-before');
    const answers = await Promise.all([1, 2, 3].map(() => outbox.swapRunId('run-after')));
    expect(answers.filter((answer) => answer !== undefined)).toEqual(['run-before']);
    expect(await outbox.swapRunId('run-after')).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { syncSchedules } from '../../src/tasks/beat.ts';
import { defineSchedule, defineTask, Deps, TaskRegistry, TaskWorker } from '../../src/tasks/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

const SCHEDULE_ID = 'test-resync-every-second';

const ran: string[] = [];
const resyncTick = defineTask({ name: 'test.resyncTick', queue: 'default', schema: z.object({}) }, (_payload, ctx) => {
  ran.push(ctx.id);
  return Promise.resolve('tick');
});

/** The registry a beat would build: the task and an every-second entry for it. */
function registryWith(cron: string): TaskRegistry {
  const registry = new TaskRegistry();
  registry.register(resyncTick);
  registry.addSchedule(defineSchedule({ id: SCHEDULE_ID, task: resyncTick, cron, payload: {} }));
  return registry;
}

/** The slot (epoch ms) of each run the scheduler holds in Redis, whatever its state. */
async function pendingSlots(stack: Stack): Promise<number[]> {
  const jobs = await stack.core.broker.queue('default').getJobs(['delayed', 'waiting', 'prioritized', 'active'], 0, -1);
  return jobs.filter((job) => job.repeatJobKey === SCHEDULE_ID).map((job) => Number((job.id ?? '').split(':').pop()));
}

/**
 * A beat start and beat's 60 s re-sync: neither may drop a run that is due and waiting for a busy
 * worker (here no worker at all). Before, every sync upserted with override, which removed that
 * run and scheduled the next slot after now: a daily task waiting behind a broadcast lost its day.
 */
describe('beat re-sync (a restart, the minute re-assertion)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'beat-resync' });
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('leaves a declared entry and its due run alone, and that run still happens once', async () => {
    const { broker, log } = stack.core;
    const registry = registryWith('* * * * * *');
    const first = await syncSchedules(broker, registry);
    expect(first.upserted).toEqual([SCHEDULE_ID]);
    const [slot] = await pendingSlots(stack);
    expect(slot).toBeDefined();
    // No worker: the run of `slot` falls due and waits, as it would behind a busy queue.
    await waitUntil(() => Date.now() > (slot ?? 0) + 500, 5_000, 'the first slot due');

    const again = await syncSchedules(broker, registry);
    expect(await pendingSlots(stack)).toEqual([slot]);
    expect(again).toMatchObject({ upserted: [], unchanged: [SCHEDULE_ID], removed: [] });

    const worker = new TaskWorker({ broker, registry, deps: new Deps(), log, queues: ['default'], lockMs: 5_000 });
    await worker.start();
    try {
      await waitUntil(() => ran.length >= 2, 15_000, 'the due run and the next');
    } finally {
      await worker.close(5_000);
    }
    expect(ran[0]).toBe(`repeat:${SCHEDULE_ID}:${slot}`);
    expect(new Set(ran).size).toBe(ran.length);
  });

  it('writes an entry again when it changed or Redis lost it', async () => {
    const { broker } = stack.core;
    const changed = await syncSchedules(broker, registryWith('*/2 * * * * *'));
    expect(changed.upserted).toEqual([SCHEDULE_ID]);
    const [scheduler] = await broker.queue('default').getJobSchedulers();
    expect(scheduler?.pattern).toBe('*/2 * * * * *');

    // Redis restarted empty, or an operator removed it by hand: the fingerprint alone is not trusted.
    await broker.queue('default').removeJobScheduler(SCHEDULE_ID);
    const restored = await syncSchedules(broker, registryWith('*/2 * * * * *'));
    expect(restored.upserted).toEqual([SCHEDULE_ID]);
    expect(await broker.queue('default').getJobSchedulers()).toHaveLength(1);

    // Its pending run gone (evicted, deleted by hand; BullMQ itself refuses to remove it): the entry
    // would never fire again.
    const queue = broker.queue('default');
    const [pending] = await queue.getJobs(['delayed', 'waiting'], 0, -1);
    await broker.connection.zrem(queue.keys.delayed ?? '', pending?.id ?? '');
    await broker.connection.del(queue.toKey(pending?.id ?? ''));
    const revived = await syncSchedules(broker, registryWith('*/2 * * * * *'));
    expect(revived.upserted).toEqual([SCHEDULE_ID]);
    expect(await pendingSlots(stack)).toHaveLength(1);
  });
});

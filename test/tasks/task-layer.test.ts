import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppContext } from '../../src/context.ts';
import { defineTask } from '../../src/tasks/define-task.ts';
import { PermanentError, TaskPayloadError, UnknownTaskError } from '../../src/tasks/errors.ts';
import { TaskRegistry } from '../../src/tasks/registry.ts';
import { TaskWorker } from '../../src/tasks/worker.ts';
import { testContext } from '../helpers/context.ts';
import { deletePrefix, uniquePrefix } from '../helpers/redis.ts';

const attemptsSeen = new Map<string, number>();

const add = defineTask(
  { name: 'test.add', queue: 'default', schema: z.object({ a: z.number(), b: z.number() }) },
  async ({ a, b }, ctx) => {
    await ctx.progress(50);
    return a + b;
  },
);

const flaky = defineTask(
  {
    name: 'test.flaky',
    queue: 'default',
    schema: z.object({ key: z.string(), failTimes: z.number().int() }),
    retry: { attempts: 4, backoffMs: 50 },
  },
  async ({ key, failTimes }, ctx) => {
    attemptsSeen.set(key, ctx.attempt);
    if (ctx.attempt <= failTimes) throw new Error(`transient failure ${ctx.attempt}`);
    return Promise.resolve({ attempt: ctx.attempt });
  },
);

const permanent = defineTask(
  { name: 'test.permanent', queue: 'default', schema: z.object({ key: z.string() }), retry: { attempts: 5, backoffMs: 50 } },
  ({ key }, ctx) => {
    attemptsSeen.set(key, ctx.attempt);
    return Promise.reject(new PermanentError('550 mailbox unavailable'));
  },
);

const slow = defineTask(
  { name: 'test.slow', queue: 'default', schema: z.object({ ms: z.number() }) },
  async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return 'done';
  },
);

describe('task layer on real Redis', () => {
  const prefix = uniquePrefix('tasks');
  let ctx: AppContext;
  let worker: TaskWorker;

  beforeAll(async () => {
    ctx = await testContext(prefix);
    const registry = new TaskRegistry();
    for (const task of [add, flaky, permanent, slow]) registry.register(task);
    worker = new TaskWorker({
      broker: ctx.broker,
      registry,
      deps: ctx,
      log: ctx.log,
      queues: ['default'],
      lockMs: 5_000,
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker.close(5_000);
    await ctx.close();
    await deletePrefix(prefix);
  });

  it('runs an enqueued task and reports SUCCESS with its return value and progress', async () => {
    const ref = await add.delay({ a: 2, b: 3 });
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ id: ref.id, name: 'test.add', state: 'SUCCESS', result: 5, progress: 50, attempts: 1 });
  });

  it('gives the return value with results.value, and rejects with the reason on failure', async () => {
    const ok = await add.delay({ a: 20, b: 22 });
    expect(await ctx.results.value(ok.id, { timeoutMs: 10_000 })).toBe(42);
    const failed = await permanent.delay({ key: 'value-perm' });
    await expect(ctx.results.value(failed.id, { timeoutMs: 10_000 })).rejects.toThrow(/ended FAILURE: 550 mailbox unavailable/);
    const slowRef = await slow.delay({ ms: 1_000 });
    await expect(ctx.results.value(slowRef.id, { timeoutMs: 100 })).rejects.toThrow(/did not finish in time/);
  });

  it('rejects a bad payload at enqueue, naming the field, and enqueues nothing', async () => {
    const before = await ctx.broker.queue('default').getJobCountByTypes('waiting', 'delayed', 'active', 'completed', 'failed');
    const error = await add.delay({ a: 'two', b: 3 } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskPayloadError);
    expect((error as TaskPayloadError).issues.map((issue) => issue.field)).toEqual(['a']);
    const after = await ctx.broker.queue('default').getJobCountByTypes('waiting', 'delayed', 'active', 'completed', 'failed');
    expect(after).toBe(before);
  });

  it('fails a task whose stored payload is invalid at once, without retries, with the reason', async () => {
    await ctx.broker.queue('default').add('test.flaky', { payload: { key: 42 } }, { jobId: 'bad-payload-1', attempts: 5 });
    const result = await ctx.results.wait('bad-payload-1', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE' });
    expect(result.error).toMatch(/invalid payload: key/);
    expect(result.attempts).toBe(1);
  });

  it('fails a job naming an unknown task at once, and refuses the name at enqueue', async () => {
    await ctx.broker.queue('default').add('test.nope', { payload: {} }, { jobId: 'unknown-1', attempts: 5 });
    const result = await ctx.results.wait('unknown-1', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE', attempts: 1 });
    expect(result.error).toMatch(/unknown task "test.nope"/);
    const registry = new TaskRegistry();
    registry.register(add);
    expect(() => registry.require('test.nope')).toThrow(UnknownTaskError);
  });

  it('retries thrown errors with backoff and then succeeds', async () => {
    const ref = await flaky.delay({ key: 'retry-ok', failTimes: 2 });
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: { attempt: 3 }, attempts: 3 });
  });

  it('gives up after the allowed attempts with FAILURE and the last error', async () => {
    const ref = await flaky.delay({ key: 'retry-fail', failTimes: 10 });
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE', attempts: 4, error: 'transient failure 4' });
    expect(attemptsSeen.get('retry-fail')).toBe(4);
  });

  it('does not retry a PermanentError', async () => {
    const ref = await permanent.delay({ key: 'perm' });
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE', attempts: 1, error: '550 mailbox unavailable' });
    expect(attemptsSeen.get('perm')).toBe(1);
  });

  it('runs a task with the same id once', async () => {
    const first = await add.applyAsync({ a: 1, b: 1 }, { id: 'same-id-1' });
    const second = await add.applyAsync({ a: 100, b: 100 }, { id: 'same-id-1' });
    expect(second.id).toBe(first.id);
    const result = await ctx.results.wait('same-id-1', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: 2 });
    const counts = await ctx.broker.queue('default').getJobCounts('waiting', 'delayed');
    expect((counts.waiting ?? 0) + (counts.delayed ?? 0)).toBe(0);
  });

  it('holds a countdown task PENDING until its time, then runs it', async () => {
    const started = Date.now();
    const ref = await add.applyAsync({ a: 1, b: 2 }, { countdown: 1.5 });
    const early = await ctx.results.get(ref.id);
    expect(early.state).toBe('PENDING');
    expect(early.runAt).toBeDefined();
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result.state).toBe('SUCCESS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('runs an eta task at its moment', async () => {
    const eta = new Date(Date.now() + 1_000);
    const ref = await add.applyAsync({ a: 2, b: 2 }, { eta });
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result.state).toBe('SUCCESS');
    expect(Date.parse(result.startedAt ?? '')).toBeGreaterThanOrEqual(eta.getTime() - 50);
  });

  it('revokes a task that has not started, and not one that has finished', async () => {
    const ref = await add.applyAsync({ a: 5, b: 5 }, { countdown: 30 });
    expect(await ctx.results.revoke(ref.id)).toBe(true);
    expect((await ctx.results.get(ref.id)).state).toBe('REVOKED');
    const done = await add.delay({ a: 1, b: 0 });
    await ctx.results.wait(done.id, { timeoutMs: 10_000 });
    expect(await ctx.results.revoke(done.id)).toBe(false);
    expect((await ctx.results.get(done.id)).state).toBe('SUCCESS');
  });

  it('revokes instead of running a task whose expiry passed before it started', async () => {
    const ref = await add.applyAsync({ a: 1, b: 1 }, { countdown: 1, expires: 0.5 });
    const result = await ctx.results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result.state).toBe('REVOKED');
    expect(result.error).toMatch(/expired/);
  });

  it('reports STARTED while a task runs', async () => {
    const ref = await slow.delay({ ms: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await ctx.results.get(ref.id)).state).toBe('STARTED');
    expect((await ctx.results.wait(ref.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
  });

  it('reports an unknown id as PENDING, as Celery does', async () => {
    expect(await ctx.results.get('never-enqueued')).toEqual({ id: 'never-enqueued', state: 'PENDING', attempts: 0 });
  });
});

describe('result retention', () => {
  const prefix = uniquePrefix('ttl');
  let ctx: AppContext;
  let worker: TaskWorker;

  beforeAll(async () => {
    ctx = await testContext(prefix, { env: { TASK_RESULT_TTL_SECONDS: '1', TASK_RESULT_MAX_COUNT: '50' } });
    const registry = new TaskRegistry();
    registry.register(add);
    worker = new TaskWorker({ broker: ctx.broker, registry, deps: ctx, log: ctx.log, queues: ['default'], lockMs: 5_000 });
    await worker.start();
  });

  afterAll(async () => {
    await worker.close(5_000);
    await ctx.close();
    await deletePrefix(prefix);
  });

  it('forgets finished results after the configured age, so Redis does not grow without bound', async () => {
    const old = await add.delay({ a: 1, b: 1 });
    expect((await ctx.results.wait(old.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Retention is enforced as tasks finish: the next completion removes results past their age.
    const next = await add.delay({ a: 2, b: 2 });
    expect((await ctx.results.wait(next.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    expect(await ctx.results.get(old.id)).toEqual({ id: old.id, state: 'PENDING', attempts: 0 });
    expect((await ctx.results.get(next.id)).state).toBe('SUCCESS');
  });

  it('keeps at most the configured count of finished results', async () => {
    const refs = [];
    for (let i = 0; i < 60; i += 1) refs.push(await add.delay({ a: i, b: 0 }));
    const queue = ctx.broker.queue('default');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await ctx.results.get(refs.at(-1)?.id ?? '')).state).toBe('SUCCESS');
    // Results dropped for the bound read as unknown (PENDING), as Celery reports expired results.
    expect((await ctx.results.get(refs[0]?.id ?? '')).state).toBe('PENDING');
    expect(await queue.getCompletedCount()).toBeLessThanOrEqual(50);
  });
});

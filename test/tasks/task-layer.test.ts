import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineTask,
  depKey,
  Deps,
  MissingDependencyError,
  PermanentError,
  TaskPayloadError,
  TaskRegistry,
  TaskWorker,
  UnknownTaskError,
  type Broker,
  type ResultStore,
} from '../../src/tasks/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { waitUntil } from '../helpers/wait.ts';

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

/** What `greet` declares it uses; the test provides it like a composition root would. */
const GREETER = depKey<{ greet(name: string): string }>('test.greeter');

const greet = defineTask(
  { name: 'test.greet', queue: 'default', schema: z.object({ name: z.string() }), uses: GREETER },
  async ({ name }, ctx) => Promise.resolve(ctx.deps.greet(name)),
);

/** Any error class says it is permanent with `permanent: true`; the worker alone acts on it. */
class RefusedError extends Error {
  readonly permanent = true;
}

const refused = defineTask(
  { name: 'test.refused', queue: 'default', schema: z.object({ key: z.string() }), retry: { attempts: 5, backoffMs: 50 } },
  ({ key }, ctx) => {
    attemptsSeen.set(key, ctx.attempt);
    return Promise.reject(new RefusedError('refused for good'));
  },
);

const stepped = defineTask(
  { name: 'test.stepped', queue: 'default', schema: z.object({ steps: z.number().int() }) },
  async ({ steps }, ctx) => {
    for (let step = 1; step <= steps; step += 1) {
      await ctx.progress({ step });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return steps;
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
  let stack: Stack;
  let producer: Broker;
  let results: ResultStore;

  beforeAll(async () => {
    stack = await startStack({ label: 'tasks', worker: { queues: ['default'], tasks: [add, flaky, permanent, slow, refused, stepped] } });
    ({ broker: producer, results } = stack.core);
  });

  afterAll(() => stack.stop());

  it('runs an enqueued task and reports SUCCESS with its return value and progress', async () => {
    const ref = await producer.enqueue(add, { a: 2, b: 3 });
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ id: ref.id, name: 'test.add', state: 'SUCCESS', result: 5, progress: 50, attempts: 1 });
  });

  it('gives the return value with results.value, and rejects with the reason on failure', async () => {
    const ok = await producer.enqueue(add, { a: 20, b: 22 });
    expect(await results.value(ok.id, { timeoutMs: 10_000 })).toBe(42);
    const failed = await producer.enqueue(permanent, { key: 'value-perm' });
    await expect(results.value(failed.id, { timeoutMs: 10_000 })).rejects.toThrow(/ended FAILURE: 550 mailbox unavailable/);
    const slowRef = await producer.enqueue(slow, { ms: 1_000 });
    await expect(results.value(slowRef.id, { timeoutMs: 100 })).rejects.toThrow(/did not finish in time/);
  });

  it('rejects a bad payload at enqueue, naming the field, and enqueues nothing', async () => {
    const before = await producer.queue('default').getJobCountByTypes('waiting', 'delayed', 'active', 'completed', 'failed');
    const error = await producer.enqueue(add, { a: 'two', b: 3 } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskPayloadError);
    expect((error as TaskPayloadError).issues.map((issue) => issue.field)).toEqual(['a']);
    const after = await producer.queue('default').getJobCountByTypes('waiting', 'delayed', 'active', 'completed', 'failed');
    expect(after).toBe(before);
  });

  it('fails a task whose stored payload is invalid at once, without retries, with the reason', async () => {
    await producer.queue('default').add('test.flaky', { payload: { key: 42 } }, { jobId: 'bad-payload-1', attempts: 5 });
    const result = await results.wait('bad-payload-1', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE' });
    expect(result.error).toMatch(/invalid payload: key/);
    expect(result.attempts).toBe(1);
  });

  it('fails a job naming an unknown task at once, and refuses the name at enqueue', async () => {
    await producer.queue('default').add('test.nope', { payload: {} }, { jobId: 'unknown-1', attempts: 5 });
    const result = await results.wait('unknown-1', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE', attempts: 1 });
    expect(result.error).toMatch(/unknown task "test.nope"/);
    const registry = new TaskRegistry();
    registry.register(add);
    expect(() => registry.require('test.nope')).toThrow(UnknownTaskError);
  });

  it('retries thrown errors with backoff and then succeeds', async () => {
    const ref = await producer.enqueue(flaky, { key: 'retry-ok', failTimes: 2 });
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: { attempt: 3 }, attempts: 3 });
  });

  it('gives up after the allowed attempts with FAILURE and the last error', async () => {
    const ref = await producer.enqueue(flaky, { key: 'retry-fail', failTimes: 10 });
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE', attempts: 4, error: 'transient failure 4' });
    expect(attemptsSeen.get('retry-fail')).toBe(4);
  });

  it('does not retry a PermanentError', async () => {
    const ref = await producer.enqueue(permanent, { key: 'perm' });
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'FAILURE', attempts: 1, error: '550 mailbox unavailable' });
    expect(attemptsSeen.get('perm')).toBe(1);
  });

  it('enqueues many at once, each resolving with its own job in Redis, under distinct ids that are never only digits', async () => {
    // Concurrent enqueues share socket writes (Broker.addJob): each must still be in Redis when its promise resolves.
    const refs = await Promise.all(Array.from({ length: 300 }, (_, n) => producer.enqueue(add, { a: n, b: 1 })));
    expect(new Set(refs.map((ref) => ref.id)).size).toBe(300);
    for (const ref of refs) expect(ref.id).toMatch(/^[A-Za-z][A-Za-z0-9_-]*$/);
    const jobs = await Promise.all(refs.map((ref) => producer.queue('default').getJob(ref.id)));
    expect(jobs.every((job) => job !== undefined)).toBe(true);
    const values = await Promise.all(refs.map((ref) => results.value(ref.id, { timeoutMs: 20_000 })));
    expect(values).toEqual(Array.from({ length: 300 }, (_, n) => n + 1));
  });

  it('runs a task with the same id once', async () => {
    const first = await producer.enqueue(add, { a: 1, b: 1 }, { id: 'same-id-1' });
    const second = await producer.enqueue(add, { a: 100, b: 100 }, { id: 'same-id-1' });
    expect(second.id).toBe(first.id);
    const result = await results.wait('same-id-1', { timeoutMs: 10_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: 2 });
    const counts = await producer.queue('default').getJobCounts('waiting', 'delayed');
    expect((counts.waiting ?? 0) + (counts.delayed ?? 0)).toBe(0);
  });

  it('holds a countdown task PENDING until its time, then runs it', async () => {
    const started = Date.now();
    const ref = await producer.enqueue(add, { a: 1, b: 2 }, { countdown: 1.5 });
    const early = await results.get(ref.id);
    expect(early.state).toBe('PENDING');
    expect(early.runAt).toBeDefined();
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result.state).toBe('SUCCESS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('runs an eta task at its moment', async () => {
    const eta = new Date(Date.now() + 1_000);
    const ref = await producer.enqueue(add, { a: 2, b: 2 }, { eta });
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result.state).toBe('SUCCESS');
    expect(Date.parse(result.startedAt ?? '')).toBeGreaterThanOrEqual(eta.getTime() - 50);
  });

  it('revokes a task that has not started, and not one that has finished', async () => {
    const ref = await producer.enqueue(add, { a: 5, b: 5 }, { countdown: 30 });
    expect(await results.revoke(ref.id)).toBe(true);
    expect((await results.get(ref.id)).state).toBe('REVOKED');
    const done = await producer.enqueue(add, { a: 1, b: 0 });
    await results.wait(done.id, { timeoutMs: 10_000 });
    expect(await results.revoke(done.id)).toBe(false);
    expect((await results.get(done.id)).state).toBe('SUCCESS');
  });

  it('revokes instead of running a task whose expiry passed before it started', async () => {
    const ref = await producer.enqueue(add, { a: 1, b: 1 }, { countdown: 1, expires: 0.5 });
    const result = await results.wait(ref.id, { timeoutMs: 10_000 });
    expect(result.state).toBe('REVOKED');
    expect(result.error).toMatch(/expired/);
  });

  it('reports STARTED while a task runs', async () => {
    const ref = await producer.enqueue(slow, { ms: 1_500 });
    await waitUntil(async () => (await results.get(ref.id)).state !== 'PENDING', 10_000, 'the task left the queue');
    expect((await results.get(ref.id)).state).toBe('STARTED');
    expect((await results.wait(ref.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
  });

  it('fails at once, unretried, any error that says it is permanent', async () => {
    const ref = await producer.enqueue(refused, { key: 'refused' });
    expect(await results.wait(ref.id, { timeoutMs: 10_000 })).toMatchObject({ state: 'FAILURE', attempts: 1, error: 'refused for good' });
    expect(attemptsSeen.get('refused')).toBe(1);
  });

  it('hands each progress report to a waiter as the task makes it', async () => {
    const ref = await producer.enqueue(stepped, { steps: 3 });
    const seen: unknown[] = [];
    const result = await results.wait(ref.id, { timeoutMs: 10_000, onProgress: (progress) => seen.push(progress) });
    expect(result).toMatchObject({ state: 'SUCCESS', result: 3, progress: { step: 3 } });
    expect(seen.at(-1)).toEqual({ step: 3 });
  });

  it('ends a wait with REVOKED when the task is revoked while awaited', async () => {
    const ref = await producer.enqueue(add, { a: 1, b: 1 }, { countdown: 30 });
    const waiting = results.wait(ref.id, { timeoutMs: 10_000 });
    await results.revoke(ref.id, 'changed my mind');
    expect(await waiting).toMatchObject({ state: 'REVOKED', error: 'changed my mind' });
  });

  it('reports an unknown id as PENDING, as Celery does', async () => {
    expect(await results.get('never-enqueued')).toEqual({ id: 'never-enqueued', state: 'PENDING', attempts: 0 });
  });
});

describe('result retention', () => {
  let stack: Stack;
  let producer: Broker;
  let results: ResultStore;

  beforeAll(async () => {
    stack = await startStack({
      label: 'ttl',
      env: { TASK_RESULT_TTL_SECONDS: '1', TASK_RESULT_MAX_COUNT: '50' },
      worker: { queues: ['default'], tasks: [add] },
    });
    ({ broker: producer, results } = stack.core);
  });

  afterAll(() => stack.stop());

  it('forgets finished results after the configured age, so Redis does not grow without bound', async () => {
    const old = await producer.enqueue(add, { a: 1, b: 1 });
    expect((await results.wait(old.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    // The retention is an age (1 s here): it has to pass on the clock.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Retention is enforced as tasks finish: the next completion removes results past their age.
    const next = await producer.enqueue(add, { a: 2, b: 2 });
    expect((await results.wait(next.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    expect(await results.get(old.id)).toEqual({ id: old.id, state: 'PENDING', attempts: 0 });
    expect((await results.get(next.id)).state).toBe('SUCCESS');
  });

  it('keeps at most the configured count of finished results', async () => {
    const refs = [];
    for (let i = 0; i < 60; i += 1) refs.push(await producer.enqueue(add, { a: i, b: 0 }));
    const queue = producer.queue('default');
    await waitUntil(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
      return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0;
    }, 10_000, 'every task ran');
    expect((await results.get(refs.at(-1)?.id ?? '')).state).toBe('SUCCESS');
    // Results dropped for the bound read as unknown (PENDING), as Celery reports expired results.
    expect((await results.get(refs[0]?.id ?? '')).state).toBe('PENDING');
    expect(await queue.getCompletedCount()).toBeLessThanOrEqual(50);
  });
});

describe('task dependencies (DI keys)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'task-deps' });
  });

  afterAll(() => stack.stop());

  const workerWith = (deps: Deps): TaskWorker => {
    const registry = new TaskRegistry();
    registry.register(greet);
    return new TaskWorker({ broker: stack.core.broker, registry, deps, log: stack.core.log, queues: ['default'], lockMs: 5_000 });
  };

  it('refuses to start a worker whose tasks use a key nobody provided, naming the task and the key', async () => {
    const error = await workerWith(new Deps()).start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as Error).message).toContain('task test.greet needs "test.greeter"');
  });

  it('gives a handler exactly what its key provides as ctx.deps', async () => {
    const worker = workerWith(new Deps().provide(GREETER, { greet: (name) => `안녕하세요, ${name}님` }));
    await worker.start();
    try {
      const ref = await stack.core.broker.enqueue(greet, { name: '지우' });
      expect(await stack.core.results.value(ref.id, { timeoutMs: 10_000 })).toBe('안녕하세요, 지우님');
    } finally {
      await worker.close(5_000);
    }
  });
});

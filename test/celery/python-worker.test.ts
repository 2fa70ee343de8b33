import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskPayloadError } from '../../src/tasks/errors.ts';
import { KombuTransport, sendCeleryTask } from '../../src/tasks/celery/index.ts';
import {
  celeryAvailable,
  celeryTestEnv,
  closeHarness,
  requireCeleryInCi,
  startHarness,
  startPythonWorker,
  waitUntil,
  type CeleryHarness,
} from './helpers.ts';
import { readMarks } from './test-tasks.ts';

requireCeleryInCi();

describe.skipIf(!celeryAvailable)('our producer, Python Celery workers (real Celery 5.2.6, real Redis)', () => {
  const env = celeryTestEnv(11, 'worker');
  let h: CeleryHarness;
  let transport: KombuTransport;
  let workerName: string;

  beforeAll(async () => {
    h = await startHarness(env, 3_600);
    transport = new KombuTransport(h.redis);
    workerName = `py-${env.queue}`;
    h.workers.push(await startPythonWorker(env.python(), env.queue, workerName));
  });

  afterAll(() => closeHarness(h, env));

  it('has a Python worker run what sendCeleryTask sent, and reads its SUCCESS through the pub/sub wait', async () => {
    const id = await sendCeleryTask(transport, 'tests.add', { args: [2, 40], queue: env.queue });
    const result = await h.backend.wait(id, { timeoutMs: 20_000 });
    expect(result).toMatchObject({ id, state: 'SUCCESS', result: 42, name: 'tests.add', queue: env.queue });
    expect(result.worker).toMatch(new RegExp(`^${workerName}@`));
    // Python's own AsyncResult reads the same result.
    expect(await h.driver.get(id)).toMatchObject({ state: 'SUCCESS', result: 42 });
  });

  it('delivers args and kwargs as Python values (unicode, nesting, null) under the id we chose', async () => {
    const id = `ainfo-chosen-${env.queue}`;
    const args = ['청년 정책', 3.5, null, [1, { deep: true }]];
    const kwargs = { title: '공지', count: 0, tags: ['a', 'b'] };
    expect(await sendCeleryTask(transport, 'tests.echo', { id, args, kwargs, queue: env.queue })).toBe(id);
    expect(await h.backend.wait(id, { timeoutMs: 20_000 })).toMatchObject({ state: 'SUCCESS', result: { args, kwargs } });
  });

  it('honours countdown: the Python worker runs it no earlier than the ETA we wrote', async () => {
    const sentAt = Date.now();
    const id = await sendCeleryTask(transport, 'tests.add', { args: [1, 1], queue: env.queue, countdown: 1.2 });
    const result = await h.backend.wait(id, { timeoutMs: 20_000 });
    expect(result).toMatchObject({ state: 'SUCCESS', result: 2 });
    expect(result.dateDone?.getTime()).toBeGreaterThanOrEqual(sentAt + 1_200 - 50);
  });

  it('honours expires: a Python worker revokes our message whose expiry passed before its ETA', async () => {
    const id = await sendCeleryTask(transport, 'tests.add', { args: [1, 2], queue: env.queue, countdown: 1, expires: 0.3 });
    expect(await h.backend.wait(id, { timeoutMs: 20_000 })).toMatchObject({
      state: 'REVOKED',
      error: { type: 'TaskRevokedError', module: 'celery.exceptions', args: ['expired'] },
    });
  });

  it('puts our messages on the priority lists a Python worker takes in kombu order', async () => {
    const queue = `${env.queue}-priority`;
    const marks = `${env.queue}:marks:priority`;
    const sent: [string, number][] = [['nine', 9], ['five', 5], ['zero-a', 0], ['three', 3], ['six', 6], ['zero-b', 0], ['one', 1]];
    for (const [value, priority] of sent) await sendCeleryTask(transport, 'tests.record', { args: [marks, value], queue, priority });
    h.workers.push(await startPythonWorker(env.python(), queue, `${workerName}-priority`));
    await waitUntil('the Python worker ran them all', async () => (await h.redis.llen(marks)) === sent.length);
    const ran = await readMarks(h.redis, marks);
    expect(ran.map((mark) => mark.value)).toEqual(['zero-a', 'zero-b', 'one', 'five', 'three', 'six', 'nine']);
    expect(ran.map((mark) => mark.priority)).toEqual([0, 0, 1, 5, 3, 6, 9]);
  });

  it("uses kombu's global_keyprefix for every broker key when both sides set it", async () => {
    const keyPrefix = `${env.queue}-prefix:`;
    const queue = `${env.queue}-prefixed`;
    h.workers.push(await startPythonWorker(env.python({ CELERY_KEYPREFIX: keyPrefix }), queue, `${workerName}-prefixed`));
    const id = await sendCeleryTask(new KombuTransport(h.redis, { keyPrefix }), 'tests.add', { args: [20, 22], queue });
    expect(await h.backend.wait(id, { timeoutMs: 20_000 })).toMatchObject({ state: 'SUCCESS', result: 42 });
    expect(await h.redis.exists(`${keyPrefix}_kombu.binding.${queue}`)).toBe(1);
    expect(await h.redis.exists(`_kombu.binding.${queue}`, queue)).toBe(0);
  });

  it('returns the state a task is in when the wait times out (PENDING for an id nothing knows), and a finished one from the first read', async () => {
    expect(await h.backend.wait(`unknown-${env.queue}`, { timeoutMs: 200 })).toEqual({ id: `unknown-${env.queue}`, state: 'PENDING' });
    const id = await sendCeleryTask(transport, 'tests.add', { args: [5, 5], queue: env.queue });
    await h.backend.wait(id, { timeoutMs: 20_000 });
    // Already stored: the read after subscribing answers; nothing is published any more.
    expect(await h.backend.wait(id, { timeoutMs: 20_000 })).toMatchObject({ state: 'SUCCESS', result: 10 });
  });

  // Last on this worker: Celery 5.2.6's solo worker, after an ETA task and then a failure, waits
  // several seconds before taking its next message (seen with Python-sent messages too).
  it('reads a Python FAILURE with its exception type, module, message and traceback', async () => {
    const id = await sendCeleryTask(transport, 'tests.fail', { args: ['파이썬 쪽 오류'], queue: env.queue });
    const result = await h.backend.wait(id, { timeoutMs: 20_000 });
    expect(result).toMatchObject({ state: 'FAILURE', error: { type: 'InteropError', module: 'app', args: ['파이썬 쪽 오류'] } });
    expect(result.traceback).toContain('raise InteropError(message)');
  });

  it('refuses bad options naming each field, and sends nothing', async () => {
    const queue = `${env.queue}-refused`;
    const attempt = sendCeleryTask(transport, 'tests.add', {
      queue,
      priority: 12,
      countdown: 5,
      eta: new Date(),
      args: 'not a list' as unknown as [],
    });
    await expect(attempt).rejects.toBeInstanceOf(TaskPayloadError);
    await expect(attempt).rejects.toMatchObject({
      issues: expect.arrayContaining([
        expect.objectContaining({ field: 'args' }),
        expect.objectContaining({ field: 'priority' }),
        expect.objectContaining({ field: 'countdown' }),
      ]) as unknown,
    });
    expect(await h.redis.exists(queue, `_kombu.binding.${queue}`)).toBe(0);
  });
});

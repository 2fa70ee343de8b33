import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KombuKeys } from '../../src/tasks/celery/index.ts';
import {
  celeryAvailable,
  celeryTestEnv,
  closeHarness,
  publishedStates,
  requireCeleryInCi,
  startHarness,
  startPythonBeat,
  waitUntil,
  type CeleryHarness,
} from './helpers.ts';
import { readMarks } from './test-tasks.ts';

requireCeleryInCi();

describe.skipIf(!celeryAvailable)('Python Celery producers, our consumer (real Celery 5.2.6, real Redis)', () => {
  const env = celeryTestEnv(9, 'producer');
  let h: CeleryHarness;

  beforeAll(async () => {
    h = await startHarness(env, 120);
    await h.startConsumer(env.queue, 4);
  });

  afterAll(() => closeHarness(h, env));

  it("runs a Python delay() and Python's AsyncResult.get() returns our result, stored in Celery's format", async () => {
    const id = await h.driver.send('delay', 'tests.add', [2, 3]);
    expect(await h.driver.get(id)).toMatchObject({ state: 'SUCCESS', result: 5 });

    const stored = await h.redis.get(`celery-task-meta-${id}`);
    const meta = JSON.parse(stored ?? '{}') as Record<string, unknown>;
    expect(Object.keys(meta)).toEqual([
      'status', 'result', 'traceback', 'children', 'date_done', 'name', 'args', 'kwargs', 'worker', 'retries', 'queue', 'task_id',
    ]);
    expect(meta).toMatchObject({ status: 'SUCCESS', result: 5, name: 'tests.add', args: [2, 3], queue: env.queue, task_id: id });
    expect(meta.date_done).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    const ttl = await h.redis.ttl(`celery-task-meta-${id}`);
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('runs apply_async(countdown=…, expires=…) no earlier than its ETA, with kwargs and unicode intact', async () => {
    const sentAt = Date.now();
    const id = await h.driver.send('apply_async', 'tests.echo', [1, '한글'], {
      kwargs: { flag: true, nested: { list: [1, null] } },
      options: { countdown: 1.5, expires: 60 },
    });
    const answer = await h.driver.get(id);
    expect(answer).toMatchObject({
      state: 'SUCCESS',
      result: { args: [1, '한글'], kwargs: { flag: true, nested: { list: [1, null] } } },
    });
    const done = await h.backend.get(id);
    expect(done.dateDone?.getTime()).toBeGreaterThanOrEqual(sentAt + 1_500 - 50);
  });

  it('reports a failing task to Python as FAILURE with our error type and message', async () => {
    const id = await h.driver.send('delay', 'tests.fail', ['잘못된 입력: boom']);
    expect(await h.driver.get(id)).toMatchObject({ state: 'FAILURE', exc_type: 'InteropError', exc_args: ['잘못된 입력: boom'] });
    expect(await h.backend.get(id)).toMatchObject({ state: 'FAILURE', error: { type: 'InteropError', module: 'ainfo' } });
  });

  it("hands Python its own exception class for a built-in error name, and a thrown error's name and message", async () => {
    const typeError = await h.driver.send('delay', 'tests.add', ['a', 1]);
    expect(await h.driver.get(typeError)).toMatchObject({
      state: 'FAILURE',
      exc_type: 'TypeError',
      exc_module: 'builtins',
      exc_args: ['add needs two numbers'],
    });
    const thrown = await h.driver.send('send_task', 'tests.throws');
    expect(await h.driver.get(thrown)).toMatchObject({ state: 'FAILURE', exc_type: 'RangeError', exc_args: ['thrown, not returned'] });
    expect((await h.backend.get(thrown)).traceback).toContain('RangeError: thrown, not returned');
  });

  it('rejects an unknown task name as a Celery worker does: FAILURE NotRegistered for Python, a log line, the message kept aside', async () => {
    const id = await h.driver.send('send_task', 'tests.nope', [1]);
    expect(await h.driver.get(id)).toMatchObject({
      state: 'FAILURE',
      exc_type: 'NotRegistered',
      exc_module: 'celery.exceptions',
      exc_args: ['tests.nope'],
    });
    const logged = h.lines().find((line) => line.taskId === id);
    expect(logged).toMatchObject({ level: 50, task: 'tests.nope' });
    expect(String(logged?.msg)).toContain("Received unregistered task of type 'tests.nope'");
    const aside = (await h.redis.lrange(new KombuKeys().rejected, 0, -1)).map((entry) => JSON.parse(entry) as Record<string, string>);
    const kept = aside.find((entry) => entry.id === id);
    expect(kept).toMatchObject({ queue: env.queue, task: 'tests.nope', reason: 'unregistered task tests.nope' });
    const envelope = JSON.parse(kept?.raw ?? '{}') as { headers: unknown; properties: { delivery_tag: string } };
    expect(envelope).toMatchObject({ headers: { id, task: 'tests.nope' } });
    // Acknowledged: nothing of it is left unacknowledged or on the queue.
    expect(await h.redis.hget(new KombuKeys().unacked, envelope.properties.delivery_tag)).toBeNull();
    expect(await h.redis.llen(env.queue)).toBe(0);
  });

  it('rejects unknown names on arrival when told which are registered: straight to FAILURE, no STARTED', async () => {
    const queue = `${env.queue}-known`;
    await h.startConsumer(queue, 2, { isRegistered: (name) => name.startsWith('tests.') });
    const id = `${env.queue}-unregistered`;
    const states = await publishedStates(h.redis, id, () => h.driver.send('send_task', 'billing.tasks.charge', [], { options: { queue, task_id: id } }));
    expect(states).toEqual(['FAILURE']);
    expect(await h.backend.get(id)).toMatchObject({ error: { type: 'NotRegistered', args: ['billing.tasks.charge'] } });
  });

  it('stores STARTED with our pid and worker name while a task runs, then SUCCESS', async () => {
    const id = `${env.queue}-started`;
    const states = await publishedStates(h.redis, id, () => h.driver.send('send_task', 'tests.add', [1, 1], { options: { task_id: id } }));
    expect(states).toEqual(['STARTED', 'SUCCESS']);
    const consumer = h.consumers[0];
    expect(consumer).toBeDefined();
    expect(await h.backend.get(id)).toMatchObject({ state: 'SUCCESS', worker: consumer?.workerName });
  });

  it('does not run again a redelivered message whose SUCCESS is stored (its consumer died before acknowledging)', async () => {
    const marks = `${env.queue}:marks:done`;
    const id = `${env.queue}-done`;
    await h.backend.store(id, 'SUCCESS', 'done before', { request: { queue: env.queue } });
    await h.driver.send('send_task', 'tests.record', [marks, 'again'], { options: { task_id: id } });
    await waitUntil('it was acknowledged', () => h.lines().some((line) => line.taskId === id));
    expect(h.lines().find((line) => line.taskId === id)?.msg).toBe('Celery task already succeeded; acknowledged without running it again');
    expect(await readMarks(h.redis, marks)).toEqual([]);
    expect(await h.backend.get(id)).toMatchObject({ state: 'SUCCESS', result: 'done before' });
  });

  it('revokes a message whose expiry passes before its ETA: REVOKED with TaskRevokedError("expired"), never run', async () => {
    const marks = `${env.queue}:marks:expired`;
    const id = await h.driver.send('apply_async', 'tests.record', [marks, 'too late'], { options: { countdown: 1.2, expires: 0.5 } });
    expect(await h.driver.get(id)).toMatchObject({
      state: 'REVOKED',
      exc_type: 'TaskRevokedError',
      exc_module: 'celery.exceptions',
      exc_args: ['expired'],
    });
    expect(await readMarks(h.redis, marks)).toEqual([]);
  });

  it('revokes a message that had already expired when it was fetched', async () => {
    const queue = `${env.queue}-late`;
    const marks = `${env.queue}:marks:late`;
    const id = await h.driver.send('send_task', 'tests.record', [marks, 'late'], { options: { queue, expires: 0.3 } });
    const sentAt = Date.now();
    await waitUntil('the message has expired', () => Date.now() > sentAt + 600);
    await h.startConsumer(queue);
    expect(await h.driver.get(id)).toMatchObject({ state: 'REVOKED', exc_type: 'TaskRevokedError' });
    expect(await readMarks(h.redis, marks)).toEqual([]);
  });

  it('retries as Celery does: RETRY with the error, the same id sent again with retries + 1, then SUCCESS', async () => {
    const id = await h.driver.send('delay', 'tests.flaky');
    expect(await h.driver.get(id)).toMatchObject({ state: 'SUCCESS', result: 2 });
    expect(await h.backend.get(id)).toMatchObject({ state: 'SUCCESS', retries: 2 });
    const retried = h.lines().filter((line) => line.taskId === id && line.msg === 'Celery task failed; retrying');
    expect(retried.map((line) => line.error)).toEqual(['attempt 1', 'attempt 2']);
  });

  it('fails a task whose retry cannot be sent (an id our producer refuses) instead of leaving it unacknowledged', async () => {
    const id = `${env.queue}-control\u0001char`;
    await h.driver.send('send_task', 'tests.flaky', [], { options: { task_id: id } });
    expect(await h.driver.get(id)).toMatchObject({ state: 'FAILURE', exc_type: 'FlakyError', exc_args: ['attempt 1'] });
    expect(h.lines().some((line) => line.taskId === id && line.msg === 'Celery task retry cannot be sent; it fails instead')).toBe(true);
  });

  it('takes messages in kombu priority order: lists 0-2, 3-5, 6-8, 9, first in first out within a list', async () => {
    const queue = `${env.queue}-priority`;
    const marks = `${env.queue}:marks:priority`;
    const sent: [string, number][] = [['nine', 9], ['five', 5], ['zero-a', 0], ['three', 3], ['six', 6], ['zero-b', 0], ['one', 1]];
    for (const [value, priority] of sent) {
      await h.driver.send('send_task', 'tests.record', [marks, value], { options: { queue, priority } });
    }
    await h.startConsumer(queue, 1);
    await waitUntil('every message ran', async () => (await h.redis.llen(marks)) === sent.length);
    const ran = await readMarks(h.redis, marks);
    expect(ran.map((mark) => mark.value)).toEqual(['zero-a', 'zero-b', 'one', 'five', 'three', 'six', 'nine']);
    expect(ran.map((mark) => mark.priority)).toEqual([0, 0, 1, 5, 3, 6, 9]);
  });

  it('holds ETA messages without taking a slot and runs them in ETA order', async () => {
    const queue = `${env.queue}-eta`;
    const marks = `${env.queue}:marks:eta`;
    await h.startConsumer(queue, 1);
    for (const [value, countdown] of [['third', 4], ['first', 2.5], ['second', 3.2]] as const) {
      await h.driver.send('send_task', 'tests.record', [marks, value], { options: { queue, countdown } });
    }
    // One slot only, yet a message without ETA sent after them runs first: held messages take no slot.
    const now = await h.driver.send('send_task', 'tests.record', [marks, 'now'], { options: { queue } });
    expect(await h.driver.get(now)).toMatchObject({ state: 'SUCCESS' });
    await waitUntil('every message ran', async () => (await h.redis.llen(marks)) === 4, 30_000);
    expect((await readMarks(h.redis, marks)).map((mark) => mark.value)).toEqual(['now', 'first', 'second', 'third']);
  });

  it("runs the members of a Python group(), whose GroupResult.get() collects our results", async () => {
    const answer = await h.driver.call({ op: 'group', steps: [['tests.add', [1, 2]], ['tests.add', [3, 4]], ['tests.echo', ['x']]] });
    expect(answer.results).toEqual([3, 7, { args: ['x'], kwargs: {} }]);
  });

  it('rejects a chain it cannot continue, storing FAILURE for every member so Python does not wait forever', async () => {
    const answer = await h.driver.call({ op: 'chain', steps: [['tests.add', [1, 2]], ['tests.add', [10]]] });
    const last = answer.id as string;
    expect(await h.driver.get(last)).toMatchObject({ state: 'FAILURE', exc_type: 'InvalidTaskError' });
    const first = await h.backend.get(String((answer.ids as string[])[0]));
    expect(first.error?.args[0]).toContain('canvas (chain) is not supported');
  });

  it('rejects protocol 1 and pickle messages with the reason, and Python sees the FAILURE', async () => {
    const v1 = await h.driver.send('send_task', 'tests.add', [1, 2], { protocol: 1 });
    const v1Answer = await h.driver.get(v1);
    expect(v1Answer).toMatchObject({ state: 'FAILURE', exc_type: 'InvalidTaskError' });
    expect(String((v1Answer.exc_args as string[])[0])).toContain('task_protocol=2');

    const pickled = await h.driver.send('send_task', 'tests.add', [1, 2], { options: { serializer: 'pickle' } });
    const pickledAnswer = await h.driver.get(pickled);
    expect(pickledAnswer).toMatchObject({ state: 'FAILURE', exc_type: 'ContentDisallowed' });
    expect(String((pickledAnswer.exc_args as string[])[0])).toContain("task_serializer='json'");
  });

  it('runs a task a Python beat entry fires', async () => {
    const marks = `${env.queue}:marks:beat`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-beat-'));
    const beat = startPythonBeat(
      env.python({ CELERY_BEAT_TASK: 'tests.record', CELERY_BEAT_INTERVAL: '1', CELERY_BEAT_ARGS: JSON.stringify([marks, 'from beat']) }),
      path.join(dir, 'schedule'),
    );
    try {
      await waitUntil('beat fired and our consumer ran it', async () => (await h.redis.llen(marks)) > 0, 30_000);
    } finally {
      await beat.stop();
      await rm(dir, { recursive: true, force: true });
    }
    const [mark] = await readMarks(h.redis, marks);
    expect(mark).toMatchObject({ value: 'from beat', side: 'ts' });
    await waitUntil('its result is stored', async () => (await h.backend.get(mark?.id ?? '')).state === 'SUCCESS');
    expect(await h.backend.get(mark?.id ?? '')).toMatchObject({ result: 'from beat', name: 'tests.record' });
  });
});

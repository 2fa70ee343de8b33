import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KombuKeys } from '../../src/tasks/celery/index.ts';
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

/** Short, so restores happen within a test; every consumer and worker here agrees on it. */
const VISIBILITY_SECONDS = 2;
const CONSUMER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'consumer-process.ts');

describe.skipIf(!celeryAvailable)('at-least-once across killed consumers (ours and Python workers, kombu visibility timeout)', () => {
  const env = celeryTestEnv(10, 'kill');
  const keys = new KombuKeys();
  let h: CeleryHarness;

  /** Our consumer in a child process; resolves once it consumes. */
  const startConsumerProcess = async (queue: string): Promise<{ kill: () => Promise<void> }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', CONSUMER_SCRIPT], {
      env: { ...process.env, CELERY_BROKER_URL: env.brokerUrl, CELERY_QUEUE: queue, CELERY_VISIBILITY_TIMEOUT: String(VISIBILITY_SECONDS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitUntil('the consumer process is ready', () => output.includes('Celery consumer ready'), 30_000).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}:\n${output}`);
    });
    return {
      kill: async () => {
        child.kill('SIGKILL');
        await exited;
      },
    };
  };

  /** Our unacknowledged entries: a lost message would be neither here nor on a list. */
  const unackedOf = async (queue: string): Promise<string[]> =>
    Object.values(await h.redis.hgetall(keys.unacked)).filter((entry) => entry.endsWith(`"${queue}"]`));

  beforeAll(async () => {
    h = await startHarness(env, VISIBILITY_SECONDS);
  });

  afterAll(() => closeHarness(h, env));

  it('restores the running and the ETA-held messages of our SIGKILLed consumer; a new consumer runs them and Python gets the results', async () => {
    const queue = `${env.queue}-ours`;
    const marks = `${env.queue}:marks:ours`;
    const later = `${env.queue}:marks:ours-later`;
    const first = await startConsumerProcess(queue);
    const running = await h.driver.send('send_task', 'tests.slow', [1, marks], { options: { queue } });
    const held = await h.driver.send('send_task', 'tests.record', [later, 'held'], { options: { queue, countdown: 2 } });
    await waitUntil('the first consumer started the task', async () => (await h.redis.llen(marks)) === 1);
    await waitUntil('the first consumer holds both', async () => (await unackedOf(queue)).length === 2);
    await first.kill();

    // Nothing is lost: both wait, unacknowledged, for the visibility timeout.
    expect(await unackedOf(queue)).toHaveLength(2);
    await h.startConsumer(queue);
    expect(await h.driver.get(running, 30)).toMatchObject({ state: 'SUCCESS', result: 1 });
    expect(await h.driver.get(held, 30)).toMatchObject({ state: 'SUCCESS', result: 'held' });

    const runs = await readMarks(h.redis, marks);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ id: running, redelivered: false });
    expect(runs[1]).toMatchObject({ id: running, redelivered: true, pid: process.pid });
    expect(runs[0]?.pid).not.toBe(process.pid);
    expect(await readMarks(h.redis, later)).toEqual([expect.objectContaining({ id: held, value: 'held' })]);
    expect(h.lines().some((line) => line.msg === 'Restored unacknowledged Celery messages whose consumer stopped')).toBe(true);
    await waitUntil('every message is acknowledged', async () => (await unackedOf(queue)).length === 0);
    expect(await h.redis.llen(queue)).toBe(0);
  });

  it('restores the message a Python worker died holding (acks_late, SIGKILL mid-task) and runs it here', async () => {
    const queue = `${env.queue}-python`;
    const marks = `${env.queue}:marks:python`;
    const worker = await startPythonWorker(
      env.python({ CELERY_ACKS_LATE: '1', CELERY_VISIBILITY_TIMEOUT: String(VISIBILITY_SECONDS) }),
      queue,
      `doomed-${env.queue}`,
    );
    h.workers.push(worker);
    const id = await h.driver.send('send_task', 'tests.slow', [2, marks], { options: { queue } });
    await waitUntil('the Python worker started the task', async () => (await h.redis.llen(marks)) === 1);
    await worker.stop('SIGKILL');
    expect(await unackedOf(queue)).toHaveLength(1);

    await h.startConsumer(queue);
    expect(await h.driver.get(id, 30)).toMatchObject({ state: 'SUCCESS', result: 2 });
    const runs = await readMarks(h.redis, marks);
    expect(runs).toHaveLength(2);
    expect(runs[0]?.side).toBeUndefined();
    expect(runs[1]).toMatchObject({ id, side: 'ts', redelivered: true });
    expect(await h.backend.get(id)).toMatchObject({ state: 'SUCCESS', worker: h.consumers.at(-1)?.workerName });
  });

  it('keeps a live consumer\'s long task its own: other consumers\' sweeps past the visibility timeout do not run it twice', async () => {
    const queue = `${env.queue}-long`;
    const marks = `${env.queue}:marks:long`;
    await h.startConsumer(queue, 1);
    const id = await h.driver.send('send_task', 'tests.slow', [3 * VISIBILITY_SECONDS, marks], { options: { queue } });
    await waitUntil('the task started', async () => (await h.redis.llen(marks)) === 1);
    // A second consumer of the same queue sweeps every second while the task runs three timeouts long.
    await h.startConsumer(queue, 1);
    expect(await h.driver.get(id, 30)).toMatchObject({ state: 'SUCCESS' });
    expect(await readMarks(h.redis, marks)).toHaveLength(1);
  });

  it('closes gracefully: an ETA-held message goes back to its queue at once, the running task finishes, nothing stays unacknowledged', async () => {
    const queue = `${env.queue}-close`;
    const marks = `${env.queue}:marks:close`;
    // A message is only taken for a free slot (kombu's prefetch window), so the held one needs a second.
    const consumer = await h.startConsumer(queue, 2);
    const running = await h.driver.send('send_task', 'tests.slow', [1, marks], { options: { queue } });
    const held = await h.driver.send('send_task', 'tests.record', [marks, 'after close'], { options: { queue, countdown: 3 } });
    await waitUntil('the task runs and the other is held', () => consumer.inspect().active.length === 1 && consumer.inspect().scheduled.length === 1);
    expect(consumer.inspect().scheduled[0]).toMatchObject({ id: held, task: 'tests.record' });

    await consumer.close({ graceMs: 10_000 });
    expect(await h.backend.get(running)).toMatchObject({ state: 'SUCCESS', result: 1 });
    expect(await unackedOf(queue)).toEqual([]);
    expect(await h.redis.llen(queue)).toBe(1);

    await h.startConsumer(queue);
    expect(await h.driver.get(held, 30)).toMatchObject({ state: 'SUCCESS', result: 'after close' });
  });
});

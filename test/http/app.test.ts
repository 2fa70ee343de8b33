import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { debugTask } from '../../src/modules/system/index.ts';
import { Deps, TaskRegistry, TaskWorker } from '../../src/tasks/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

describe('web skeleton', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack({ label: 'http', database: 'postgres', app: true });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
  });

  afterAll(() => stack.stop());

  it('answers /healthz and /readyz', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', database: 'ok' } });
  });

  it('answers an unknown route with the JSON error body', async () => {
    const response = await app.inject('/api/nothing-here');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /api/nothing-here' } });
  });

  it('serves the OpenAPI document at /docs', async () => {
    const response = await app.inject('/docs/json');
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/healthz');
  });

  it('exports per-queue counts and task durations in Prometheus format', async () => {
    const { broker, results, log } = stack.core;
    const registry = new TaskRegistry();
    registry.register(debugTask);
    const worker = new TaskWorker({ broker, registry, deps: new Deps(), log, queues: ['default'], lockMs: 5_000 });
    await worker.start();
    const ref = await broker.enqueue(debugTask, { ping: 1 });
    expect((await results.wait(ref.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    await worker.close(5_000);
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('ainfo_queue_tasks{queue="default",state="completed"} 1');
    expect(response.body).toContain('ainfo_queue_tasks{queue="mail",state="waiting"} 0');
    expect(response.body).toMatch(/ainfo_task_duration_seconds_count\{task="system.debug",status="success"\} 1/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { TaskWorker } from '../../src/tasks/worker.ts';
import { debugTask } from '../../src/modules/system/system.tasks.ts';
import { testContext } from '../helpers/context.ts';
import { deletePrefix, uniquePrefix } from '../helpers/redis.ts';

describe('web skeleton', () => {
  const prefix = uniquePrefix('http');
  let ctx: AppContext;
  let app: App;

  beforeAll(async () => {
    ctx = await testContext(prefix);
    app = await buildApp(ctx);
  });

  afterAll(async () => {
    await app.close();
    await ctx.close();
    await deletePrefix(prefix);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
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
    const worker = new TaskWorker({
      broker: ctx.broker,
      registry: ctx.registry,
      deps: ctx,
      log: ctx.log,
      queues: ['default'],
      lockMs: 5_000,
    });
    await worker.start();
    const ref = await debugTask.delay({ ping: 1 });
    expect((await ctx.results.wait(ref.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    await worker.close(5_000);
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('ainfo_queue_tasks{queue="default",state="completed"} 1');
    expect(response.body).toContain('ainfo_queue_tasks{queue="mail",state="waiting"} 0');
    expect(response.body).toMatch(/ainfo_task_duration_seconds_count\{task="system.debug",status="success"\} 1/);
  });
});

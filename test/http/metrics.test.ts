import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { debugTask } from '../../src/modules/system/index.ts';
import { buildWebApp, type Core } from '../../src/processes/compose.ts';
import { startWeb } from '../../src/processes/roles.ts';
import { Deps, TaskRegistry, TaskWorker } from '../../src/tasks/index.ts';
import { freePort } from '../helpers/browser.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const TOKEN = 'metrics-token-0123456789-abcdefghij';

describe('/metrics: behind a token on the public port, else on a loopback listener only', () => {
  let stack: Stack;
  let publicApp: App;
  let tokenApp: App;
  let metricsPort = 0;

  beforeAll(async () => {
    metricsPort = await freePort();
    stack = await startStack({ label: 'metrics', database: 'postgres', app: true, env: { METRICS_PORT: String(metricsPort) } });
    if (!stack.app) throw new Error('no app');
    publicApp = stack.app;
    const { config } = stack.core;
    const withToken: Core = { ...stack.core, config: { ...config, metrics: { ...config.metrics, token: TOKEN } } };
    tokenApp = await buildWebApp(withToken, stack.services);
    // One finished task, so the per-task series exist.
    const { broker, results, log } = stack.core;
    const registry = new TaskRegistry();
    registry.register(debugTask);
    const worker = new TaskWorker({ broker, registry, deps: new Deps(), log, queues: ['default'], lockMs: 5_000 });
    await worker.start();
    const ref = await broker.enqueue(debugTask, { ping: 1 });
    expect((await results.wait(ref.id, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    await worker.close(5_000);
  });

  afterAll(async () => {
    await tokenApp.close();
    await stack.stop();
  });

  const expectPrometheusText = (body: string): void => {
    expect(body).toContain('ainfo_queue_tasks{queue="default",state="completed"} 1');
    expect(body).toContain('ainfo_queue_tasks{queue="mail",state="waiting"} 0');
    expect(body).toMatch(/ainfo_task_duration_seconds_count\{task="system.debug",status="success"\} 1/);
  };

  it('is not served on the public port when METRICS_TOKEN is unset', async () => {
    const response = await publicApp.inject('/metrics');
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('ainfo_');
  });

  it('asks for the bearer token on the public port when METRICS_TOKEN is set, and serves the counts with it', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN]) {
      const refused = await tokenApp.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(refused.statusCode, String(authorization)).toBe(401);
      expect(refused.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect(refused.body).not.toContain('ainfo_');
    }
    const response = await tokenApp.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expectPrometheusText(response.body);
  });

  it('serves them on 127.0.0.1:METRICS_PORT from a web process without a token, and stops with it', async () => {
    const web = await startWeb(stack.core, stack.services, { port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expectPrometheusText(await response.text());
      expect((await fetch(`http://127.0.0.1:${metricsPort}/anything-else`)).status).toBe(404);
    } finally {
      await web.stop();
    }
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});

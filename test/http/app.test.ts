import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
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

  it('takes an empty JSON body as no body: an action without one answers as without the header', async () => {
    const json = { 'content-type': 'application/json' };
    const action = await app.inject({ method: 'POST', url: '/api/accounts/logout-all', headers: json, payload: '' });
    expect(action.statusCode).toBe(401);
    // A route that needs a body still refuses the empty one, as a validation error, and bad JSON stays a 400.
    const login = await app.inject({ method: 'POST', url: '/api/accounts/login', headers: json, payload: '' });
    expect(login.statusCode).toBe(400);
    const broken = await app.inject({ method: 'POST', url: '/api/accounts/logout-all', headers: json, payload: '{"a":' });
    expect(broken.statusCode).toBe(400);
  });
});

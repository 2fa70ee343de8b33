import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { buildServices, buildWebApp, type Services } from '../../src/processes/compose.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const HSTS = 'max-age=31536000; includeSubDomains';

describe('security headers on every answer', () => {
  let stack: Stack;
  let app: App;
  let httpsApp: App;
  let httpsServices: Services;

  beforeAll(async () => {
    stack = await startStack({ label: 'headers', database: 'postgres', app: true, env: { PUBLIC_URL: 'http://localhost:8000' } });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    const { config } = stack.core;
    const https = { ...stack.core, config: { ...config, http: { ...config.http, publicUrl: 'https://ainfo.example' } } };
    httpsServices = buildServices(https, stack.db, { ownsDatabase: false });
    httpsApp = await buildWebApp(https, httpsServices);
  });

  afterAll(async () => {
    await httpsApp.close();
    await httpsServices.close();
    await stack.stop();
  });

  /** One request of each kind: JSON, a JSON error, a 404, a page, an asset, the API docs and their assets. */
  const SAMPLES = [
    { method: 'GET', url: '/healthz' },
    { method: 'POST', url: '/api/accounts/login', payload: { email: 'x' } },
    { method: 'GET', url: '/no/such/route' },
    { method: 'GET', url: '/accounts/verify-email?token=nothing' },
    { method: 'GET', url: '/assets/ainfo.css' },
    { method: 'GET', url: '/docs' },
    { method: 'GET', url: '/docs/json' },
    { method: 'GET', url: '/docs/static/swagger-ui-bundle.js' },
  ] as const;

  it('sends X-Content-Type-Options: nosniff on JSON, errors, 404s, pages, assets and the API docs', async () => {
    for (const sample of SAMPLES) {
      const response = await app.inject(sample);
      expect(response.headers['x-content-type-options'], `${sample.method} ${sample.url} (${response.statusCode})`).toBe('nosniff');
    }
  });

  it('sends HSTS on every answer when PUBLIC_URL is https, and never over plain http', async () => {
    for (const sample of SAMPLES) {
      const secure = await httpsApp.inject(sample);
      expect(secure.headers['strict-transport-security'], `${sample.method} ${sample.url} (${secure.statusCode})`).toBe(HSTS);
      const plain = await app.inject(sample);
      expect(plain.headers['strict-transport-security'], sample.url).toBeUndefined();
    }
  });

  it('serves /docs under a CSP that forbids framing and anything from another origin', async () => {
    for (const url of ['/docs', '/docs/static/index.html', '/docs/json']) {
      const response = await app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).not.toMatch(/https?:|unsafe-eval/);
    }
  });
});

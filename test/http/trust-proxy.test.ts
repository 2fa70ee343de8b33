import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { buildServices, buildWebApp, openCore } from '../../src/processes/compose.ts';
import { startStack, testConfig, type Stack } from '../helpers/stack.ts';

const LIMIT = 3;

/** A client address nobody has used, as an attacker would put left-most in X-Forwarded-For. */
const spoofed = (): string => `198.51.${randomInt(0, 255)}.${randomInt(1, 254)}`;

describe('TRUST_PROXY: which X-Forwarded-For hop is the client (real Redis rate limits)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'trustproxy', database: 'postgres', app: true, env: { TRUST_PROXY: '1', AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });

  afterAll(() => stack.stop());

  it('reads a hop count, proxy addresses and CIDRs, or the named ranges', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 192.168.0.0/16' }).http.trustProxy).toBe('10.0.0.5, 192.168.0.0/16');
    expect(loadConfig({ TRUST_PROXY: 'loopback,uniquelocal' }).http.trustProxy).toBe('loopback,uniquelocal');
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('with one trusted hop, limits the client the proxy saw, whatever the client wrote before it', async () => {
    const app = stack.app;
    if (!app) throw new Error('no app');
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= LIMIT; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/accounts/login',
        remoteAddress: '10.0.0.9',
        headers: { 'x-forwarded-for': `${spoofed()}, 203.0.113.7` },
        payload: {},
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    const other = await app.inject({ method: 'POST', url: '/api/accounts/login', remoteAddress: '10.0.0.9', headers: { 'x-forwarded-for': '203.0.113.8' }, payload: {} });
    expect(other.statusCode).toBe(400);
  });

  it('warns at start when told to trust every proxy (TRUST_PROXY=true)', async () => {
    const lines: string[] = [];
    const config = testConfig(stack.prefix, { TRUST_PROXY: 'true' });
    const core = await openCore(config, createLogger('info', {}, { write: (line: string) => void lines.push(line) }), 'web');
    const services = buildServices(core, stack.db, { ownsDatabase: false });
    const app = await buildWebApp(core, services);
    try {
      const warning = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((line) => line.msg.includes('TRUST_PROXY=true'));
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toMatch(/X-Forwarded-For/);
    } finally {
      await app.close();
      await services.close();
      await core.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccounts, type AccountsService, type LoginCheck } from '../../src/modules/accounts/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const OWNER = { email: 'target@example.com', password: 'Seoul-river-2026!', name: '대상' };
/** Test-sized delays: the same rule as production (500 ms doubling to 8 s after 5 failures), in milliseconds of ones. */
const SLOWDOWN = { freeFailures: 5, stepMs: 1, maxDelayMs: 16, windowSeconds: 900 };

describe('login limits: hard per (address, client), a slow-down per address (real Redis, PostgreSQL)', () => {
  let stack: Stack;
  let accounts: AccountsService;

  beforeAll(async () => {
    stack = await startStack({ label: 'loginlimits', database: 'postgres' });
    const { config, log, broker } = stack.core;
    accounts = createAccounts({
      db: stack.db,
      redis: broker.connection,
      producer: broker,
      mailer: stack.services.mailer,
      config,
      log,
      limits: { loginSlowdown: SLOWDOWN },
    });
    await accounts.createSuperuser(OWNER);
  });

  afterAll(() => stack.stop());

  const attempt = (email: string, password: string, clientIp: string): Promise<LoginCheck> => accounts.verifyLogin({ email, password, clientIp });

  it('does not lock the owner out after 25 wrong passwords from five other clients', async () => {
    for (let i = 0; i < 25; i += 1) {
      const check = await attempt(OWNER.email, `wrong guess ${i}`, `10.6.0.${i % 5}`);
      expect(check, `attempt ${i}`).toMatchObject({ ok: false, reason: 'invalid' });
    }
    const owner = await attempt(OWNER.email, OWNER.password, '10.6.1.1');
    expect(owner.ok).toBe(true);
  });

  it('refuses an address from one client after 10 attempts in 15 minutes, the right password too, while other clients go on', async () => {
    const email = 'per-client@example.com';
    await accounts.createSuperuser({ email, password: OWNER.password, name: '대상' });
    for (let i = 0; i < 10; i += 1) expect((await attempt(email, 'not the password', '10.6.2.1')).ok).toBe(false);
    expect(await attempt(email, OWNER.password, '10.6.2.1')).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect((await attempt(email, OWNER.password, '10.6.2.2')).ok).toBe(true);
  });

  it('slows every client down on an address that keeps failing, doubling up to a cap, and never refuses for it', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const check = await attempt('slowed@example.com', 'not the password', `10.6.3.${i}`);
      expect(check).toMatchObject({ ok: false, reason: 'invalid' });
      delays.push(check.delayedMs);
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 16, 16]);
  });

  it('counts unknown addresses the same way, so the limits tell nothing about who has an account', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const check = await attempt('nobody-here@example.com', 'not the password', '10.6.4.1');
      outcomes.push(check.ok ? 'ok' : check.reason);
    }
    expect(outcomes).toEqual([...Array<string>(10).fill('invalid'), 'rate-limited']);
  });
});

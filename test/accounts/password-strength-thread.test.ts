import { describe, expect, it } from 'vitest';
import { passwordWeakness } from '../../src/modules/accounts/passwords.ts';

/** The longest the event loop went without running a 5 ms timer while `work` ran. */
async function longestStall(work: () => Promise<unknown>): Promise<{ stallMs: number; workMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  await work();
  const workMs = performance.now() - started;
  clearInterval(timer);
  stallMs = Math.max(stallMs, performance.now() - last);
  return { stallMs, workMs };
}

// Before: zxcvbn ran on the event loop, 0.3–2.5 s for a 128-character password of l33t and digits
// (load 9–17), during which the web process answered nothing else.
describe('password strength check', () => {
  it('runs off the event loop: other work goes on during slow checks', async () => {
    await passwordWeakness('warm the thread up 42', {});
    const slow = Array.from({ length: 8 }, (_, index) => `p@ssw0rd${index}`.repeat(13).slice(0, 128));
    const { stallMs, workMs } = await longestStall(() => Promise.all(slow.map((password) => passwordWeakness(password, { email: 'x@example.com' }))));
    // On the loop, the longest stall is one whole check (an eighth of the work or more).
    expect(stallMs).toBeLessThan(Math.max(50, workMs / 8));
  });

  it('judges a long password on its first 64 characters, the same as before for everything shorter', async () => {
    expect(await passwordWeakness('p@ssw0rd'.repeat(16))).toMatch(/추측하기 쉬운/);
    expect(await passwordWeakness(`${'q7#Lm2$x'.repeat(8)}${'a'.repeat(60)}`)).toBeUndefined();
    expect(await passwordWeakness('blue ocean 7 waves')).toBeUndefined();
  });
});

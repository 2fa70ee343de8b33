import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { shutdown, type Stoppable } from '../../src/processes/lifecycle.ts';

const log = createLogger('silent');

describe('shutdown', () => {
  it('exits within the grace period though a part never stops (a close waiting on a Redis that is down)', async () => {
    const stopped: string[] = [];
    const parts: Stoppable[] = [
      { name: 'web', stop: () => Promise.resolve().then(() => void stopped.push('web')) },
      { name: 'connections', stop: () => new Promise<void>(() => undefined) },
      { name: 'after', stop: () => Promise.resolve().then(() => void stopped.push('after')) },
    ];
    const exits: number[] = [];
    const started = Date.now();
    await shutdown(parts, log, { graceMs: 300, exit: (code) => exits.push(code) });
    const tookMs = Date.now() - started;
    expect(exits).toEqual([0]);
    expect(stopped).toEqual(['web']);
    expect(tookMs).toBeGreaterThanOrEqual(250);
    expect(tookMs).toBeLessThan(2_000);
  });

  it('stops every part in order and exits 0 at once when they all stop', async () => {
    const stopped: string[] = [];
    const exits: number[] = [];
    const part = (name: string): Stoppable => ({ name, stop: () => Promise.resolve().then(() => void stopped.push(name)) });
    await shutdown([part('worker'), part('services'), part('connections')], log, { graceMs: 60_000, exit: (code) => exits.push(code) });
    expect(stopped).toEqual(['worker', 'services', 'connections']);
    expect(exits).toEqual([0]);
  });
});

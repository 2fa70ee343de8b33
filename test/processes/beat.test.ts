import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInZone, listScheduled, syncSchedules } from '../../src/tasks/beat.ts';
import { Deps, TaskRegistry, TaskWorker } from '../../src/tasks/index.ts';
import { tickTask } from '../fixtures/test.tasks.ts';
import { ROOT, runAinfo, spawnAinfo, type Child } from '../helpers/processes.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const TASK_MODULES = path.join(ROOT, 'test/fixtures/test.tasks.ts');

/** The next Wednesday 01:00 in Seoul (UTC+9, no DST) after `now`, as epoch ms. */
function nextWednesdayOneAmSeoul(now: number): number {
  const seoul = new Date(now + 9 * 3_600_000);
  const candidate = Date.UTC(seoul.getUTCFullYear(), seoul.getUTCMonth(), seoul.getUTCDate(), 1, 0, 0);
  let at = candidate + ((3 - seoul.getUTCDay() + 7) % 7) * 86_400_000;
  if (at <= now + 9 * 3_600_000) at += 7 * 86_400_000;
  return at - 9 * 3_600_000;
}

describe('beat', () => {
  let stack: Stack;
  const children: Child[] = [];
  const env = (extra: Record<string, string> = {}): Record<string, string> => stack.childEnv({ LOG_LEVEL: 'info', ...extra });

  beforeAll(async () => {
    // Beat needs Redis and the registry only: no database here, and none in the beat processes.
    stack = await startStack({ label: 'beat', env: { TASK_MODULES } });
  });

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await stack.stop();
  });

  it('two beats running at once fire each tick of an every-second schedule once', async () => {
    const registry = new TaskRegistry();
    registry.register(tickTask);
    const { broker, log } = stack.core;
    const worker = new TaskWorker({ broker, registry, deps: new Deps(), log, queues: ['default'], lockMs: 5_000 });
    await worker.start();
    for (let i = 0; i < 2; i += 1) children.push(spawnAinfo(['beat'], env({ TEST_TICK_SCHEDULE: '1' })));
    await Promise.all(children.map((child) => child.waitFor('periodic schedule synced')));
    const started = Date.now();
    // Ticks are what is measured here: the beats run for a fixed span of wall time.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    for (const child of children) child.process.kill('SIGTERM');
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0]);
    await worker.close(5_000);
    const elapsedS = (Date.now() - started) / 1000;

    const runs = await broker.queue('default').getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'], 0, -1);
    const ticks = runs.filter((job) => job.name === 'test.tick' && job.repeatJobKey === 'test-tick-every-second').map((job) => job.id ?? '');
    expect(new Set(ticks).size).toBe(ticks.length);
    // Each tick's task id names its second; two beats must not make two tasks for one second.
    const seconds = ticks.map((id) => Math.floor(Number(id.split(':').pop()) / 1000));
    expect(new Set(seconds).size).toBe(seconds.length);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(Math.ceil(elapsedS) + 2);
  });

  it('removes entries no longer declared, and is idempotent', async () => {
    const { broker, registry } = stack.core;
    const declared = registry.scheduleEntries().map((entry) => entry.id);
    // An entry some other deployment (or an older version) left in Redis.
    await broker.queue('default').upsertJobScheduler('test-left-behind', { pattern: '0 3 * * *', tz: 'Asia/Seoul' }, { name: 'test.tick', data: { payload: {} } });
    const first = await syncSchedules(broker, registry);
    expect(first.removed).toContain('test-left-behind');
    expect([...first.upserted, ...first.unchanged].sort()).toEqual([...declared].sort());
    expect([...first.upserted, ...first.unchanged]).toContain('test-wednesday-1am');
    const again = await syncSchedules(broker, registry);
    expect(again.removed).toEqual([]);
    expect(again.upserted).toEqual([]);
    const stored = await listScheduled(broker, registry);
    expect(stored.map((entry) => entry.id).sort()).toEqual([...declared].sort());
    expect(stored.every((entry) => entry.declared && entry.nextRunAt !== undefined)).toBe(true);
  });

  it('shows the next run of each entry in Asia/Seoul (inspect scheduled)', async () => {
    const { broker, registry } = stack.core;
    await syncSchedules(broker, registry);
    const expected = nextWednesdayOneAmSeoul(Date.now());
    const entry = (await listScheduled(broker, registry)).find((row) => row.id === 'test-wednesday-1am');
    expect(entry).toMatchObject({ id: 'test-wednesday-1am', tz: 'Asia/Seoul', cron: '0 1 * * 3' });
    expect(entry?.nextRunAt).toBe(new Date(expected).toISOString());
    expect(entry?.nextRunLocal).toBe(formatInZone(expected, 'Asia/Seoul'));
    expect(entry?.nextRunLocal).toMatch(/ 01:00:00 \(Asia\/Seoul\)$/);

    const cli = await runAinfo(['inspect', 'scheduled', '--json'], env({ LOG_LEVEL: 'warn' }));
    expect(cli.code).toBe(0);
    const rows = JSON.parse(cli.stdout) as { id: string; next: string; nextUtc: string }[];
    expect(rows).toContainEqual(
      expect.objectContaining({ id: 'test-wednesday-1am', next: entry?.nextRunLocal, nextUtc: entry?.nextRunAt }),
    );
  });
});

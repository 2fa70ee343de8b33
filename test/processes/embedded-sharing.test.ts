import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEmbedded } from '../../src/processes/embedded.ts';
import { runAinfo, spawnAinfo, type Child } from '../helpers/processes.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

/**
 * Issue 13's second terminal: with `ainfo all` running on the embedded defaults (PGlite, Chroma,
 * PORT=0), the CLI and a separate worker work beside it with nothing set but what the stack
 * isolates (Redis prefix, data directory).
 */
describe('commands beside a running `ainfo all` on the embedded defaults', () => {
  let stack: Stack;
  let all: Child;
  const children: Child[] = [];
  let env: Record<string, string>;
  let address = '';

  beforeAll(async () => {
    stack = await startStack({ label: 'beside', services: false });
    const { REDIS_URL, QUEUE_PREFIX, DATA_DIR } = stack.childEnv();
    // No DATABASE_URL, CHROMA_URL, PUBLIC_URL or JWT_SECRET: the embedded defaults.
    env = { REDIS_URL: REDIS_URL ?? '', QUEUE_PREFIX: QUEUE_PREFIX ?? '', DATA_DIR: DATA_DIR ?? '', METRICS_ENABLED: 'false', LOG_LEVEL: 'info' };
    await rm(env.DATA_DIR ?? '', { recursive: true, force: true });
    all = spawnAinfo(['all'], { ...env, PORT: '0' });
    children.push(all);
    await all.waitFor('AInfo is up', 120_000);
    address = /AInfo is up: (http:\/\/localhost:\d+)/.exec(all.output())?.[1] ?? '';
  }, 150_000);

  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGINT');
    await Promise.all(children.map((child) => child.exited));
    await stack.stop();
    await rm(env.DATA_DIR ?? '', { recursive: true, force: true });
  });

  it('prints the address it really listens on, which links in mail use too', async () => {
    expect(address).toMatch(/^http:\/\/localhost:\d+$/);
    expect(address).not.toBe('http://localhost:0');
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    expect(readEmbedded(env.DATA_DIR ?? '')).toMatchObject({ pid: all.process.pid, publicUrl: address });
  });

  it('runs createsuperuser, dataload run all, dataload runs and a separate worker in a second terminal', async () => {
    // Side by side, as an operator's terminals would: three clients of the shared database at once.
    const worker = spawnAinfo(['worker', '--queues', 'default'], env);
    children.push(worker);
    const [admin, load] = await Promise.all([
      runAinfo(['createsuperuser', '--email', 'admin@example.kr', '--password', 'quiet harbor lights'], env),
      runAinfo(['dataload', 'run', 'all'], env),
      worker.waitFor('tasks registered', 90_000),
    ]);
    expect(admin.stderr).not.toContain('in use');
    expect(admin.code).toBe(0);
    expect(JSON.parse(admin.stdout)).toMatchObject({ email: 'admin@example.kr', isAdmin: true });
    // A source `ainfo all` is still loading (its first start) is skipped, which is not a sharing failure.
    expect(load.stderr).not.toMatch(/in use|DATABASE_URL|CHROMA_URL/);
    expect(load.stdout).toMatch(/고용24|온통청년|정부24/);

    const [runs, stats] = await Promise.all([runAinfo(['dataload', 'runs', '--json'], env), runAinfo(['inspect', 'stats', '--json'], env)]);
    expect(runs.code).toBe(0);
    const rows = JSON.parse(runs.stdout) as { source: string }[];
    expect(new Set(rows.map((row) => row.source))).toEqual(new Set(['work24', 'youth', 'gov24']));
    const { workers } = JSON.parse(stats.stdout) as { workers: { name: string }[] };
    expect(workers.map((entry) => entry.name)).toContain(`${hostname()}:${worker.process.pid ?? 0}`);
    worker.process.kill('SIGINT');
    expect(await worker.exited).toBe(0);
  }, 150_000);

  it('ignores a publication whose process is gone', async () => {
    const dir = path.join(env.DATA_DIR ?? '', 'stale');
    await mkdir(path.join(dir, 'run'), { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '']);
    await writeFile(path.join(dir, 'run', 'embedded.json'), JSON.stringify({ pid: gone.pid, publicUrl: 'http://localhost:1', databaseUrl: 'postgres://x@localhost/x' }));
    expect(readEmbedded(dir)).toBeUndefined();
  });
});

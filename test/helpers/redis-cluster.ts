import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { spawnWatched, type WatchedProcess } from './watched-process.ts';

const run = promisify(execFile);

/** Asks `port` for CLUSTER INFO once; '' when it does not answer. */
async function clusterInfo(port: number): Promise<string> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return String(await probe.call('CLUSTER', 'INFO'));
  } catch {
    return '';
  } finally {
    probe.disconnect();
  }
}

/**
 * A Redis Cluster of a test's own: three masters (no replicas) from the `redis-server` binary on
 * free ports, keeping nothing on disk, joined by `redis-cli --cluster create`. Never the machine's
 * shared Redis; close() stops its servers by pid and removes their directory.
 */
export class TestRedisCluster {
  private constructor(
    readonly ports: readonly number[],
    private readonly servers: readonly WatchedProcess[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<TestRedisCluster> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-redis-cluster-'));
    const ports: number[] = [];
    const servers: WatchedProcess[] = [];
    const cluster = new TestRedisCluster(ports, servers, dir);
    try {
      for (let index = 0; index < masters; index += 1) {
        const port = await findFreePort();
        const nodeDir = path.join(dir, String(port));
        await mkdir(nodeDir);
        ports.push(port);
        servers.push(
          spawnWatched('redis-server', [
            '--port', String(port),
            '--bind', '127.0.0.1',
            '--dir', nodeDir,
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--save', '',
            '--appendonly', 'no',
            '--protected-mode', 'no',
          ]),
        );
      }
      await cluster.waitFor(async (port) => (await clusterInfo(port)) !== '', 'every node answering');
      await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
      await cluster.waitFor(async (port) => (await clusterInfo(port)).includes('cluster_state:ok'), 'cluster_state:ok on every node');
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** REDIS_URL: one seed node (with REDIS_CLUSTER=true the client learns the others). */
  get url(): string {
    return `redis://127.0.0.1:${this.ports[0] ?? 0}`;
  }

  private async waitFor(check: (port: number) => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const results = await Promise.all(this.ports.map(check));
      if (results.every(Boolean)) return;
      const dead = this.servers.find((server) => server.hasExited);
      if (dead || Date.now() > deadline) {
        throw new Error(`the test's Redis Cluster: no ${what}:\n${this.servers.map((server) => server.output().slice(-1000)).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** How many keys each master holds (CLUSTER-wide DBSIZE per node), in port order. */
  async keysPerNode(): Promise<number[]> {
    return Promise.all(
      this.ports.map(async (port) => {
        const client = new Redis({ port, host: '127.0.0.1' });
        try {
          return await client.dbsize();
        } finally {
          client.disconnect();
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop('SIGTERM')));
    await rm(this.dir, { recursive: true, force: true });
  }
}

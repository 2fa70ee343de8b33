import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { spawnWatched, type WatchedProcess } from './watched-process.ts';

/** Pings `url` until it answers; throws after `timeoutMs`. */
async function waitForRedis(url: string, timeoutMs: number, server: WatchedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      if (server.hasExited || Date.now() > deadline) {
        throw new Error(`redis-server did not answer at ${url}:\n${server.output().slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
}

/**
 * A redis-server of a test's own on a free port, never the machine's shared one, so a test may
 * stop it. It keeps nothing on disk (`--save "" --appendonly no`), as the machine's Redis: after
 * stop() and start() it comes back empty, which is what a restart of such a deployment does.
 */
export class PrivateRedis {
  private server: WatchedProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    /** The address it listens on: 127.0.0.1, or one other hosts reach (a test's own bridge). */
    readonly host: string,
  ) {}

  static async start(options: { host?: string } = {}): Promise<PrivateRedis> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-redis-'));
    const redis = new PrivateRedis(await findFreePort(), dir, options.host ?? '127.0.0.1');
    await redis.start();
    return redis;
  }

  /** `redis://<host>:<port>` for REDIS_URL. */
  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get isRunning(): boolean {
    return this.server !== undefined && !this.server.hasExited;
  }

  /** Starts the server on the same port (empty); resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.isRunning) return;
    const server = spawnWatched('redis-server', [
      '--port', String(this.port),
      '--bind', this.host,
      '--dir', this.dir,
      '--save', '',
      '--appendonly', 'no',
      '--protected-mode', 'no',
    ]);
    this.server = server;
    await waitForRedis(this.url, 10_000, server);
  }

  /** Stops the server (SIGTERM: a clean shutdown that saves nothing); clients get "connection refused". */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.stop('SIGTERM');
  }

  /** Stop and start on the same port: the server comes back with no keys at all. */
  async restartEmpty(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

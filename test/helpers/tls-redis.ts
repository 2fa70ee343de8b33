import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { spawnWatched, type WatchedProcess } from './watched-process.ts';

const run = promisify(execFile);

/**
 * A redis-server of a test's own that speaks only TLS (as managed Redis does), with a
 * self-signed certificate for 127.0.0.1 made by openssl; processes trust it through
 * NODE_EXTRA_CA_CERTS=<caFile>.
 */
export class TlsRedis {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly server: WatchedProcess,
  ) {}

  static async start(): Promise<TlsRedis> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-tls-redis-'));
    const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    const port = await findFreePort();
    const server = spawnWatched('redis-server', [
      '--port', '0',
      '--tls-port', String(port),
      '--bind', '127.0.0.1',
      '--tls-cert-file', cert,
      '--tls-key-file', key,
      '--tls-ca-cert-file', cert,
      '--tls-auth-clients', 'no',
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
    ]);
    const redis = new TlsRedis(port, dir, server);
    const ca = await readFile(cert);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(redis.url, { tls: { ca }, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return redis;
      } catch (error) {
        if (server.hasExited || Date.now() > deadline) {
          await redis.close();
          throw new Error(`TLS redis-server did not answer: ${String(error)}\n${server.output().slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** `rediss://127.0.0.1:<port>` for REDIS_URL. */
  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  /** The certificate to trust (NODE_EXTRA_CA_CERTS). */
  get caFile(): string {
    return path.join(this.dir, 'cert.pem');
  }

  async close(): Promise<void> {
    await this.server.stop('SIGTERM');
    await rm(this.dir, { recursive: true, force: true });
  }
}

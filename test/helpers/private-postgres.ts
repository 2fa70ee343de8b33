import { execFile } from 'node:child_process';
import { appendFile, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { spawnWatched, type WatchedProcess } from './watched-process.ts';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 binaries; PG_BIN_DIR points elsewhere. */
export const PG_BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/**
 * initdb and postgres refuse to run as root. As root, the cluster belongs to the `postgres`
 * system user (the Debian package creates it) and its programs run under that uid, which Node's
 * spawn does directly (the same as `runuser -u postgres --`); as anyone else, as ourselves.
 */
async function clusterOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout } = await run('getent', ['passwd', 'postgres']);
  const [, , uid, gid] = stdout.trim().split(':');
  if (uid === undefined || gid === undefined) throw new Error('no postgres user to own a private cluster (running as root)');
  return { uid: Number(uid), gid: Number(gid) };
}

/** How postgres is stopped: SIGINT is its "fast" shutdown, SIGQUIT its "immediate" one (a crash, recovered at the next start). */
export type PostgresStopMode = 'fast' | 'immediate';

/**
 * A PostgreSQL 15 cluster of a test's own (initdb into a temporary directory, a free port, trust
 * auth, listening on 127.0.0.1 and a socket in that directory), never the machine's shared server,
 * so a test may stop and restart it. Data survives a restart, as on any real deployment.
 */
export class PrivatePostgres {
  private server: WatchedProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly owner: { uid: number; gid: number } | undefined,
    /** The address it listens on: 127.0.0.1, or one other hosts reach (a test's own bridge). */
    readonly host: string,
  ) {}

  static async start(options: { host?: string } = {}): Promise<PrivatePostgres> {
    const host = options.host ?? '127.0.0.1';
    const owner = await clusterOwner();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-pg-'));
    if (owner) await chown(dir, owner.uid, owner.gid);
    const data = path.join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    if (owner) await chown(data, owner.uid, owner.gid);
    await new Promise<void>((resolve, reject) => {
      const initdb = spawnWatched(
        path.join(PG_BIN_DIR, 'initdb'),
        ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'],
        owner ?? {},
      );
      void initdb.exited.then((code) => {
        if (code === 0) resolve();
        else reject(new Error(`initdb failed (${code}):\n${initdb.output().slice(-2000)}`));
      });
    });
    // initdb trusts loopback only; a test's own network reaches it too (trust, as the rest of the test setup).
    if (host !== '127.0.0.1') await appendFile(path.join(data, 'pg_hba.conf'), 'host all all samenet trust\n');
    const cluster = new PrivatePostgres(await findFreePort(), dir, owner, host);
    await cluster.start();
    return cluster;
  }

  /** The URL of a database in this cluster (default `postgres`). */
  url(database = 'postgres'): string {
    return `postgres://postgres@${this.host}:${this.port}/${database}`;
  }

  get isRunning(): boolean {
    return this.server !== undefined && !this.server.hasExited;
  }

  /** Starts the server on the same port and data; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.isRunning) return;
    const server = spawnWatched(
      path.join(PG_BIN_DIR, 'postgres'),
      [
        '-D', path.join(this.dir, 'data'),
        '-p', String(this.port),
        '-c', `listen_addresses=${this.host}`,
        '-c', `unix_socket_directories=${this.dir}`,
        '-c', 'max_connections=200',
      ],
      this.owner ?? {},
    );
    this.server = server;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch {
        if (server.hasExited || Date.now() > deadline) {
          throw new Error(`postgres did not start on port ${this.port}:\n${server.output().slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  /**
   * Stops the server. `fast` (default) ends every session and shuts down cleanly, as
   * `pg_ctl stop -m fast` does; `immediate` is a crash that the next start recovers from.
   */
  async stop(mode: PostgresStopMode = 'fast'): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.stop(mode === 'fast' ? 'SIGINT' : 'SIGQUIT', 30_000);
  }

  async restart(mode: PostgresStopMode = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  /** Creates a database and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`create database "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Stops the server and removes the cluster. */
  async close(): Promise<void> {
    await this.stop('fast');
    await rm(this.dir, { recursive: true, force: true });
  }
}

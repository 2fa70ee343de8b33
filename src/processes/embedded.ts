import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from './compose.ts';
import type { Core } from './core.ts';
import type { Stoppable } from './lifecycle.ts';
import { isProcessAlive } from '../utils/pid.ts';

/**
 * What `ainfo all` on the embedded defaults publishes in `<DATA_DIR>/run/embedded.json`, so that
 * the CLI and a separate `ainfo worker` (or `web`) started beside it use its database, Chroma and
 * public URL instead of trying to open the directories it owns.
 */
export interface EmbeddedServices {
  pid: number;
  /** The embedded PGlite, served on a Unix socket (`postgres://…?host=<socket dir>`). */
  databaseUrl?: string;
  /** The embedded Chroma server. */
  chromaUrl?: string;
  /** The PUBLIC_URL `ainfo all` runs with (its default follows the port it listens on). */
  publicUrl: string;
}

const FILE_NAME = 'embedded.json';
/** Socket paths longer than this do not fit `sun_path` (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

function publicationFile(dataDir: string): string {
  return path.join(dataDir, 'run', FILE_NAME);
}

/** Where the PGlite socket goes: the data directory, or a short private one when that path is too long. */
function socketDirFor(dataDir: string): string {
  const dir = path.join(dataDir, 'run');
  if (`${dir}/.s.PGSQL.5432`.length <= MAX_SOCKET_PATH) return dir;
  return path.join(tmpdir(), `ainfo-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
}

/**
 * The publication of a running `ainfo all` on `dataDir`, or undefined (none, unreadable, or its
 * process is gone). Synchronous: it is read while the configuration is assembled.
 */
export function readEmbedded(dataDir: string): EmbeddedServices | undefined {
  const file = publicationFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedServices>;
    if (typeof parsed.pid !== 'number' || typeof parsed.publicUrl !== 'string' || !isProcessAlive(parsed.pid)) return undefined;
    return {
      pid: parsed.pid,
      publicUrl: parsed.publicUrl,
      ...(typeof parsed.databaseUrl === 'string' ? { databaseUrl: parsed.databaseUrl } : {}),
      ...(typeof parsed.chromaUrl === 'string' ? { chromaUrl: parsed.chromaUrl } : {}),
    };
  } catch {
    return undefined;
  }
}

/**
 * The variables a process beside a running `ainfo all` takes from its publication, for those the
 * environment leaves unset. `DATABASE_URL` set means the operator chose a database: then nothing
 * is taken (a Chroma or URL of another deployment would be wrong too).
 */
export function embeddedOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const unset = (name: string): boolean => (env[name] ?? '') === '';
  if (!unset('DATABASE_URL')) return {};
  const published = readEmbedded(path.resolve(env.DATA_DIR || './data'));
  if (!published?.databaseUrl) return {};
  const overrides: Record<string, string> = { DATABASE_URL: published.databaseUrl };
  if (published.chromaUrl && unset('CHROMA_URL')) overrides.CHROMA_URL = published.chromaUrl;
  if (unset('PUBLIC_URL') && unset('PORT')) overrides.PUBLIC_URL = published.publicUrl;
  return overrides;
}

/**
 * For `ainfo all` on the embedded defaults: serves its PGlite on a Unix socket, starts the
 * embedded Chroma now (other processes need its URL) and publishes both with the public URL.
 * Returns what stops the sharing (before the services close), or undefined when there is nothing
 * embedded to share.
 */
export async function shareEmbedded(core: Core, services: Services): Promise<Stoppable | undefined> {
  const { config, log } = core;
  const { db } = services;
  if (!db.serve) return undefined;
  const socketDir = socketDirFor(config.dataDir);
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  const server = await db.serve({
    dir: socketDir,
    onError: (error) => {
      log.warn({ err: error }, 'a client of the embedded database failed');
    },
  });
  let chromaUrl: string | undefined;
  if (!config.vector.chromaUrl) {
    chromaUrl = await services.policies.serverUrl().catch((error: unknown) => {
      log.warn({ err: error }, 'the embedded Chroma did not start: other processes cannot use it');
      return undefined;
    });
  }
  const publication: EmbeddedServices = {
    pid: process.pid,
    databaseUrl: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    ...(chromaUrl ? { chromaUrl } : {}),
    publicUrl: config.http.publicUrl,
  };
  const file = publicationFile(config.dataDir);
  await mkdir(path.dirname(file), { recursive: true });
  // Written whole, then renamed: a reader never sees half a file.
  await writeFile(`${file}.${process.pid}`, `${JSON.stringify(publication, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.${process.pid}`, file);
  log.info({ socket: server.socketPath, chroma: chromaUrl }, 'embedded database and Chroma shared with the CLI and other processes');
  return {
    name: 'embedded sharing',
    stop: async () => {
      await rm(file, { force: true });
      await server.close();
    },
  };
}

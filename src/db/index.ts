import type { Config } from '../config/config.ts';
import { AppError } from '../utils/errors.ts';
import { openPglite, openPostgres, type DatabaseHandle } from './client.ts';
import { acquireDirLock } from './dir-lock.ts';

export type { Database, DatabaseHandle, SqlRunner, Tx } from './client.ts';
export { queryRows } from './client.ts';
export { migrate } from './migrate.ts';

/**
 * Opens the configured database: PostgreSQL at DATABASE_URL, or the embedded PGlite under
 * ./data/pg. PGlite is single-process, so only a process that owns it (`ainfo all`, `ainfo migrate`,
 * the CLI tools) may open it; `web` and `worker` on their own need DATABASE_URL.
 */
export async function openDatabase(config: Config, options: { allowEmbedded: boolean }): Promise<DatabaseHandle> {
  if (config.db.url) return openPostgres(config.db.url);
  if (!options.allowEmbedded) {
    throw new AppError(
      500,
      'DATABASE_URL_REQUIRED',
      'The embedded database (PGlite under ./data/pg) can only be used by one process: run everything in one ' +
        'process with `ainfo all` (npm start), or set DATABASE_URL=postgres://… so that separate web and worker ' +
        'processes share PostgreSQL.',
    );
  }
  const release = await acquireDirLock(config.db.pgliteDir);
  const handle = await openPglite(config.db.pgliteDir);
  return {
    ...handle,
    async close() {
      await handle.close();
      await release();
    },
  };
}

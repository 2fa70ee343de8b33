import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../utils/errors.ts';
import { isProcessAlive } from '../utils/pid.ts';

/**
 * Takes `<dir>.lock` for this process, so that two processes never open the same embedded PGlite
 * directory (which would corrupt it). A lock left by a dead process is taken over.
 */
export async function acquireDirLock(dir: string): Promise<() => Promise<void>> {
  const lockFile = `${dir.replace(/\/+$/, '')}.lock`;
  await mkdir(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new AppError(
          500,
          'DATABASE_IN_USE',
          `The embedded database ${dir} is in use by process ${holder} (probably \`ainfo all\`). ` +
            'Stop it first, or set DATABASE_URL=postgres://… so that several processes share PostgreSQL.',
        );
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new AppError(500, 'DATABASE_IN_USE', `could not lock ${lockFile}`);
}

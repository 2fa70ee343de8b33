import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../log/logger.ts';

const MIN_SECRET_BYTES = 32;

/**
 * The key that signs access tokens: JWT_SECRET, or — so that `npm start` works with no
 * configuration — a random secret generated once and kept in `<DATA_DIR>/jwt-secret` (mode 0600),
 * so tokens survive a restart and processes sharing the data directory agree. It lives with the
 * accounts module because accounts is the only issuer and verifier of tokens; config stays a pure
 * reading of the environment, without file IO.
 */
export async function resolveJwtSecret(config: Config, log: Logger): Promise<Buffer> {
  if (config.auth.jwtSecret) return Buffer.from(config.auth.jwtSecret, 'utf8');
  const file = path.join(config.dataDir, 'jwt-secret');
  await mkdir(config.dataDir, { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  try {
    await writeFile(file, `${generated}\n`, { flag: 'wx', mode: 0o600 });
    log.warn(
      { file },
      'JWT_SECRET is unset: generated a signing secret and stored it in the data directory. ' +
        'Processes on other machines (or with another DATA_DIR) must share one JWT_SECRET.',
    );
    return Buffer.from(generated, 'utf8');
  } catch (error) {
    // Another process of this data directory wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = (await readFile(file, 'utf8')).trim();
  if (Buffer.byteLength(stored) < MIN_SECRET_BYTES) {
    throw new Error(`${file} holds a secret shorter than ${MIN_SECRET_BYTES} bytes: delete it or set JWT_SECRET`);
  }
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) log.warn({ file }, 'the JWT secret file is readable by other users: chmod 600 it');
  log.info({ file }, 'JWT_SECRET is unset: using the signing secret stored in the data directory');
  return Buffer.from(stored, 'utf8');
}

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startChromaServer } from '../../src/vector/chroma-server.ts';

export interface TestChroma {
  /** Set CHROMA_URL to this. */
  url: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** A real Chroma server on a free port with a temporary data directory: start one per test file. */
export async function startTestChroma(): Promise<TestChroma> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-chroma-'));
  const server = await startChromaServer({ dir });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

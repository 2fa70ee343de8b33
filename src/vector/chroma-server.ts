import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Chroma server this process started; `stop()` ends it. */
export interface ChromaServer {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface StartChromaOptions {
  /** Where Chroma keeps its data. */
  dir: string;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** The address to listen on. Default 127.0.0.1. */
  host?: string;
  /** How long to wait for the heartbeat. Default 60 s (the first start on a cold disk is slow). */
  startTimeoutMs?: number;
  /** Receives the server's output lines (default: dropped). */
  onOutput?: (line: string) => void;
}

/** A TCP port nothing listens on right now. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * A small Node process between us and Chroma that stops Chroma when we are gone: a parent killed
 * with SIGKILL cannot stop its children, an orphaned server would hold ./data/chroma and its port,
 * and Chroma's own process cannot watch (its native server holds the JS thread).
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [parent, ...args] = process.argv.slice(1);
const chroma = spawn(process.execPath, args, { stdio: 'inherit' });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  chroma.kill('SIGTERM');
  setTimeout(() => chroma.kill('SIGKILL'), 5000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => { try { process.kill(Number(parent), 0); } catch { stop(); } }, 1000);
chroma.on('exit', (code) => process.exit(code ?? 0));
`;

function chromaCliPath(): string {
  // The package exports only its client; its CLI sits beside it in dist/.
  const main = fileURLToPath(import.meta.resolve('chromadb'));
  return path.join(path.dirname(main), 'cli.mjs');
}

async function answersHeartbeat(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts `chroma run` from the chromadb package as a child process (its native server would
 * otherwise share our event loop and heap) and resolves once it answers its heartbeat.
 */
export async function startChromaServer(options: StartChromaOptions): Promise<ChromaServer> {
  await mkdir(options.dir, { recursive: true });
  const port = options.port ?? (await findFreePort());
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), chromaCliPath(), 'run', '--path', options.dir, '--port', String(port), '--host', host],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 40) output.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const state = { exited: false };
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      state.exited = true;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (state.exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exitedPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await answersHeartbeat(url))) {
    if (state.exited || Date.now() > deadline) {
      await stop();
      throw new Error(
        `Chroma did not start on ${url} with data in ${options.dir}` +
          `${state.exited ? ` (it exited with code ${child.exitCode ?? 'unknown'})` : ' (timed out)'}:\n${output.slice(-10).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { url, pid: child.pid, stop };
}

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const AINFO_BIN = path.join(ROOT, 'bin/ainfo.js');

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text`; rejects after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/**
 * Runs `ainfo <args>` as a real child process with the given environment. `nodeArgs` go to node
 * itself (e.g. `--cpu-prof`, which NODE_OPTIONS does not accept); `wrap` runs it through another
 * command (`['ip', 'netns', 'exec', '<ns>']`: on a host of the test's own), which must exec it.
 */
export function spawnAinfo(
  args: readonly string[],
  env: Record<string, string>,
  options: { nodeArgs?: readonly string[]; wrap?: readonly string[] } = {},
): Child {
  const [command, ...commandArgs] = [...(options.wrap ?? []), process.execPath, ...(options.nodeArgs ?? []), AINFO_BIN, ...args] as [
    string,
    ...string[],
  ];
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { test: string | RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const waiter of [...waiters]) {
      if (typeof waiter.test === 'string' ? output.includes(waiter.test) : waiter.test.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    process: child,
    output: () => output,
    exited,
    waitFor(test, timeoutMs = 30_000) {
      if (typeof test === 'string' ? output.includes(test) : test.test(output)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`timed out waiting for ${String(test)}; output so far:\n${output.slice(-3000)}`));
        }, timeoutMs);
        waiters.push({
          test,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** Runs `ainfo <args>` to completion and returns its exit code and output. */
export async function runAinfo(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [AINFO_BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | string>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      resolve(exitCode ?? signal ?? 'unknown');
    });
  });
  return { code, stdout, stderr };
}

import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The watchdog between a test and a service it runs (redis-server, postgres): it forwards the
 * signals the test asks for, and stops the service when the test process is gone, even by
 * SIGKILL (the IPC channel closes), so a crashed test run leaves no private server behind.
 * It is written once to a file because `fork` needs a module path.
 */
const WATCHDOG_SOURCE = `
const { spawn } = require('node:child_process');
const { command, args, uid, gid } = JSON.parse(process.env.AINFO_WATCHED);
const child = spawn(command, args, { stdio: 'inherit', uid, gid });
let exited = false;
child.on('error', (error) => { process.stderr.write(String(error) + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  exited = true;
  const status = code === null ? 1 : code;
  if (process.connected) process.send({ exit: code === null ? signal : code }, () => process.exit(status));
  else process.exit(status);
});
process.on('message', (message) => { if (!exited) child.kill(message.signal); });
process.on('disconnect', () => {
  if (exited) return;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { if (!exited) child.kill(signal); });
`;

let watchdogPath: string | undefined;

function watchdogFile(): string {
  if (!watchdogPath) {
    // Named by its content: every test process shares one file, and a changed script gets a new one.
    const hash = createHash('sha256').update(WATCHDOG_SOURCE).digest('hex').slice(0, 12);
    watchdogPath = path.join(os.tmpdir(), `ainfo-test-watchdog-${hash}.cjs`);
    // Written aside and renamed: another test process may be forking it at this very moment.
    writeFileSync(`${watchdogPath}.${process.pid}`, WATCHDOG_SOURCE);
    renameSync(`${watchdogPath}.${process.pid}`, watchdogPath);
  }
  return watchdogPath;
}

export interface WatchedProcess {
  /** Everything the service printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the service's exit code, or the signal that ended it. */
  exited: Promise<number | string>;
  readonly hasExited: boolean;
  /** Sends `signal` to the service itself (SIGKILL included). */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal`, waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/** Runs `command` under a watchdog; `uid`/`gid` run it as another user (postgres refuses root). */
export function spawnWatched(
  command: string,
  args: readonly string[],
  options: { uid?: number; gid?: number; cwd?: string } = {},
): WatchedProcess {
  const child: ChildProcess = fork(watchdogFile(), [], {
    cwd: options.cwd,
    env: { ...process.env, AINFO_WATCHED: JSON.stringify({ command, args, uid: options.uid, gid: options.gid }) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    // A long-lived server's log must not grow without bound in the test process.
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let reported: number | string | undefined;
  child.on('message', (message: { exit?: number | string }) => {
    reported = message.exit;
  });
  let hasExited = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve(reported ?? code ?? signal ?? 'unknown');
    });
  });
  const signal = (name: NodeJS.Signals): void => {
    if (!hasExited && child.connected) child.send({ signal: name });
  };
  return {
    output: () => output,
    exited,
    get hasExited() {
      return hasExited;
    },
    signal,
    async stop(name = 'SIGTERM', timeoutMs = 15_000) {
      if (hasExited) return exited;
      signal(name);
      const timer = setTimeout(() => {
        signal('SIGKILL');
      }, timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

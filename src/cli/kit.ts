import type { Command } from 'commander';
import type { AppContext } from '../context.ts';

/** What the CLI gives a module's `*.cli.ts` to build its commands with. */
export interface CliKit {
  /**
   * Opens an app context for a one-shot command, runs `work`, then closes it. With
   * `database: false` the command works even while `ainfo all` holds the embedded database.
   */
  withContext<T>(options: { database: boolean }, work: (ctx: AppContext) => Promise<T>): Promise<T>;
  /** Prints one JSON value on stdout (pretty when stdout is a terminal). */
  printJson(value: unknown): void;
  /** Prints `message` on stderr and exits with `exitCode` (default 1); no stack trace. */
  fail(message: string, exitCode?: number): never;
}

/** The default export of `src/modules/<domain>/<domain>.cli.ts`. */
export type RegisterCommands = (program: Command, kit: CliKit) => void;

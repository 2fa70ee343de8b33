import type { Command } from 'commander';
import type { DatabaseHandle } from '../db/index.ts';
import type { Core, Services } from '../processes/compose.ts';

/**
 * What the CLI gives a module's `*.cli.ts` to build its commands with. Each `with…` opens exactly
 * what it names for one command, runs `work`, then closes it.
 */
export interface CliKit {
  /**
   * Redis only: the broker (a TaskProducer), the task registry and the result store. Works while
   * `ainfo all` holds the embedded database.
   */
  withCore<T>(work: (core: Core) => Promise<T>): Promise<T>;
  /** The database only, as it is (no migration). */
  withDatabase<T>(work: (db: DatabaseHandle) => Promise<T>): Promise<T>;
  /** Redis, the database (pending migrations applied first) and every module's service. */
  withServices<T>(work: (services: Services, core: Core) => Promise<T>): Promise<T>;
  /** Prints one JSON value on stdout (pretty when stdout is a terminal). */
  printJson(value: unknown): void;
  /** Prints `message` on stderr and exits with `exitCode` (default 1); no stack trace. */
  fail(message: string, exitCode?: number): never;
}

/** The default export of `src/modules/<domain>/<domain>.cli.ts`. */
export type RegisterCommands = (program: Command, kit: CliKit) => void;

/** Terminal columns of a text: Hangul takes two. */
function columnsOf(text: string): number {
  return Array.from(text).reduce((sum, char) => sum + (/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/.test(char) ? 2 : 1), 0);
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * A plain-text table for a terminal: a header row, a rule, the rows; columns padded to the widest
 * cell, Hangul counted as two columns. Rows are cell lists, or records whose keys are the headers.
 */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => headers.map((_header, index) => cellText(row[index])));
  const widths = headers.map((header, index) => Math.max(columnsOf(header), ...cells.map((row) => columnsOf(row[index] ?? ''))));
  const line = (values: readonly string[]): string =>
    values.map((value, index) => value + ' '.repeat(Math.max(0, (widths[index] ?? 0) - columnsOf(value)))).join('  ').trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

/** `table` of records, with their keys (those of the first) as headers. */
export function tableOfRecords(rows: readonly Record<string, unknown>[]): string {
  const headers = Object.keys(rows[0] ?? {});
  return table(headers, rows.map((row) => headers.map((header) => row[header])));
}

import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { servePglite, type PgliteServer, type ServePgliteOptions } from './pglite-server.ts';

/** The typed query layer, the same on both drivers. */
export type Database = PgDatabase<PgQueryResultHKT>;

/** A transaction handle; repositories accept either. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** Raw access for migrations and checks: multi-statement scripts and parameterised queries. */
export interface SqlRunner {
  exec(script: string): Promise<void>;
  /**
   * `prepareAs` names a statement that is run at a high rate (per mail sent): PostgreSQL parses it
   * once per connection and can keep its plan, instead of parsing and planning each time. A name
   * always goes with the same text. PGlite, one in-process connection, ignores it.
   */
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[], prepareAs?: string): Promise<Row[]>;
  /** Runs `work` on one connection (session-level locks, multi-statement transactions). */
  session<T>(work: (session: SqlRunner) => Promise<T>): Promise<T>;
}

export interface DatabaseHandle {
  db: Database;
  sql: SqlRunner;
  kind: 'postgres' | 'pglite';
  /** Rejects when the database does not answer. */
  ping(): Promise<void>;
  /** The embedded PGlite only: serves it to other processes on a Unix socket (see pglite-server.ts). */
  serve?(options: ServePgliteOptions): Promise<PgliteServer>;
  close(): Promise<void>;
}

const dialect = new PgDialect();

/**
 * Runs a statement written with drizzle's `sql` tag (which may embed fragments another module
 * exports, e.g. accounts' notice recipients) on the raw runner, parameters bound; `prepareAs` as
 * in SqlRunner.query.
 */
export async function queryRows<Row extends Record<string, unknown>>(runner: SqlRunner, query: SQL, prepareAs?: string): Promise<Row[]> {
  const compiled = dialect.sqlToQuery(query);
  return runner.query<Row>(compiled.sql, compiled.params, prepareAs);
}

/** PostgreSQL through node-postgres. */
export function openPostgres(url: string, options: { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const runnerOf = (client: pg.Pool | pg.PoolClient): SqlRunner => ({
    async exec(script) {
      await client.query(script);
    },
    async query<Row extends Record<string, unknown>>(text: string, params: unknown[] = [], prepareAs?: string) {
      const result = await client.query<Row>(prepareAs ? { name: prepareAs, text, values: params } : { text, values: params });
      return result.rows;
    },
    async session(work) {
      const connection = await pool.connect();
      try {
        return await work(runnerOf(connection));
      } finally {
        connection.release();
      }
    },
  });
  return {
    db: drizzlePg(pool),
    kind: 'postgres',
    sql: runnerOf(pool),
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/** Embedded PGlite: under `dataDir`, or in memory when `dataDir` is undefined. */
export async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  return fromPglite(client);
}

export function fromPglite(client: PGlite): DatabaseHandle {
  return {
    db: drizzlePglite(client),
    kind: 'pglite',
    sql: pgliteRunner(client),
    async ping() {
      await client.query('select 1');
    },
    serve: (options) => servePglite(client, options),
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

function pgliteRunner(client: PGlite): SqlRunner {
  const runner: SqlRunner = {
    async exec(script) {
      await client.exec(script);
    },
    async query<Row extends Record<string, unknown>>(text: string, params: unknown[] = []) {
      const result = await client.query<Row>(text, params);
      return result.rows;
    },
    // PGlite is one connection already.
    session: (work) => work(runner),
  };
  return runner;
}

import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Load runs: one row per run of a public data source (정부24, 온통청년, 고용24). */
export const dataloadRuns = pgTable(
  'dataload_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    source: text('source', { enum: ['gov24', 'youth', 'work24'] }).notNull(),
    mode: text('mode', { enum: ['live', 'sample'] }).notNull(),
    state: text('state', { enum: ['RUNNING', 'SUCCESS', 'FAILED'] }).notNull(),
    taskId: text('task_id'),
    embedder: text('embedder').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    fetched: integer('fetched').notNull().default(0),
    added: integer('added').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    deleted: integer('deleted').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    error: text('error'),
  },
  (table) => [
    check('dataload_runs_source_check', sql`${table.source} in ('gov24', 'youth', 'work24')`),
    check('dataload_runs_mode_check', sql`${table.mode} in ('live', 'sample')`),
    check('dataload_runs_state_check', sql`${table.state} in ('RUNNING', 'SUCCESS', 'FAILED')`),
    index('dataload_runs_source_started_idx').on(table.source, table.startedAt.desc().nullsFirst()),
    index('dataload_runs_started_idx').on(table.startedAt.desc().nullsFirst()),
  ],
);

export type DataloadRunRow = typeof dataloadRuns.$inferSelect;
export type RunState = DataloadRunRow['state'];
export type RunMode = DataloadRunRow['mode'];

/**
 * Content hash per stored document: a cache of what the catalogue holds, read once per run.
 * Written after the catalogue's upsert and deleted before its delete, so a crash in between can
 * only cause a needless re-embed, never a document that search lacks but the hash claims.
 */
export const dataloadDocuments = pgTable(
  'dataload_documents',
  {
    id: text('id').primaryKey(),
    source: text('source', { enum: ['gov24', 'youth', 'work24'] }).notNull(),
    contentHash: text('content_hash').notNull(),
    storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check('dataload_documents_source_check', sql`${table.source} in ('gov24', 'youth', 'work24')`),
    index('dataload_documents_source_idx').on(table.source),
  ],
);

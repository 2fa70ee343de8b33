import { bigint, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Load runs (migration 0030). Content hashes are not here: they live in each document's Chroma
 * metadata, beside the vector they describe, so the two can never disagree.
 */
export const dataloadRuns = pgTable('dataload_runs', {
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
});

export type DataloadRunRow = typeof dataloadRuns.$inferSelect;
export type RunState = DataloadRunRow['state'];
export type RunMode = DataloadRunRow['mode'];

/**
 * Content hash per stored document (migration 0031): a cache of what Chroma holds, read once per
 * run. Written after the Chroma upsert and deleted before the Chroma delete, so a crash in between
 * can only cause a needless re-embed, never a document that search lacks but the hash claims.
 */
export const dataloadDocuments = pgTable('dataload_documents', {
  id: text('id').primaryKey(),
  source: text('source', { enum: ['gov24', 'youth', 'work24'] }).notNull(),
  contentHash: text('content_hash').notNull(),
  storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
});

import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** EnqueueOptions kept with an outbox row, as absolute times (the row may wait for Redis). */
export interface OutboxOptions {
  /** Epoch ms before which the task does not run (countdown/eta). */
  runAt?: number;
  /** Epoch ms after which it is revoked instead of run. */
  expiresAt?: number;
  priority?: number;
}

/** Tasks recorded with a database change, relayed to Redis by the worker processes (migration 0050). */
export const taskOutbox = pgTable(
  'task_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    taskId: text('task_id').notNull(),
    taskName: text('task_name').notNull(),
    queue: text('queue').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    options: jsonb('options').$type<OutboxOptions>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }),
    redisRunId: text('redis_run_id'),
    enqueueCount: integer('enqueue_count').notNull().default(0),
    lastError: text('last_error'),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('task_outbox_task_id').on(table.taskId),
    index('task_outbox_unfinished_idx').on(table.id).where(sql`${table.doneAt} is null`),
    index('task_outbox_done_idx').on(table.doneAt).where(sql`${table.doneAt} is not null`),
  ],
);

/** The Redis run_id the relays last saw (one row, id 1). */
export const taskRelayState = pgTable(
  'task_relay_state',
  {
    id: integer('id').primaryKey(),
    redisRunId: text('redis_run_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('task_relay_state_id_check', sql`${table.id} = 1`)],
);

export type TaskOutboxRow = typeof taskOutbox.$inferSelect;

import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { userIdReference } from '../accounts/index.ts';
import type { ApplicationStatus } from '../../utils/application-period.ts';

/** A conversation with Ask AInfo: anonymous (`userId` null, the id is the key) or a signed-in user's. */
export const askConversations = pgTable(
  'ask_conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: bigint('user_id', { mode: 'number' }).references(userIdReference, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('ask_conversations_user_idx').on(table.userId).where(sql`user_id is not null`),
    index('ask_conversations_updated_at_idx').on(table.updatedAt),
  ],
);

/** One cited programme as the answer showed it. */
export interface StoredCitation {
  id: string;
  title: string;
  url: string;
  status: ApplicationStatus;
}

/** The filters a turn's search used. */
export interface StoredFilters {
  age: number | null;
  region: string | null;
  status: 'any' | 'open';
}

export const FEEDBACK_VALUES = ['up', 'down'] as const;
export type Feedback = (typeof FEEDBACK_VALUES)[number];

/** One question and its answer. */
export const askMessages = pgTable(
  'ask_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => askConversations.id, { onDelete: 'cascade' }),
    turn: integer('turn').notNull(),
    question: text('question').notNull(),
    answer: text('answer').notNull(),
    citations: jsonb('citations').$type<StoredCitation[]>().notNull().default([]),
    filters: jsonb('filters').$type<Partial<StoredFilters>>().notNull().default({}),
    answerer: text('answerer').notNull(),
    matched: boolean('matched').notNull(),
    feedback: text('feedback', { enum: FEEDBACK_VALUES }),
    feedbackAt: timestamp('feedback_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique('ask_messages_conversation_id_turn_key').on(table.conversationId, table.turn),
    check('ask_messages_feedback_check', sql`${table.feedback} in ('up', 'down')`),
    index('ask_messages_attention_idx')
      .on(table.createdAt.desc().nullsFirst())
      .where(sql`matched = false or feedback = 'down'`),
  ],
);

export type AskMessageRow = typeof askMessages.$inferSelect;

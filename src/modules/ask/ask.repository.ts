import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '../../db/index.ts';
import { askConversations, askMessages, type AskMessageRow, type Feedback, type StoredCitation, type StoredFilters } from './ask.tables.ts';

export interface ConversationRow {
  id: string;
  userId: number | null;
}

export interface NewMessage {
  conversationId: string;
  question: string;
  answer: string;
  citations: StoredCitation[];
  filters: StoredFilters;
  answerer: string;
  matched: boolean;
}

/** A message the operator should look at: it found nothing, or its asker gave it a thumbs down. */
export interface AttentionRow {
  id: string;
  question: string;
  matched: boolean;
  feedback: Feedback | null;
  filters: Partial<StoredFilters>;
  answerer: string;
  createdAt: Date;
}

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ?? (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === UNIQUE_VIOLATION;
}

/** Every query of the ask module: its two tables. */
export class AskRepository {
  private readonly db: Database;

  constructor(database: DatabaseHandle) {
    this.db = database.db;
  }

  async createConversation(userId: number | null): Promise<ConversationRow> {
    const [row] = await this.db.insert(askConversations).values({ userId }).returning({ id: askConversations.id, userId: askConversations.userId });
    if (!row) throw new Error('insert returned no conversation');
    return row;
  }

  async findConversation(id: string): Promise<ConversationRow | undefined> {
    const [row] = await this.db.select({ id: askConversations.id, userId: askConversations.userId }).from(askConversations).where(eq(askConversations.id, id));
    return row;
  }

  /** The conversation's last turn, whose citations a follow-up refers to. */
  async lastMessage(conversationId: string): Promise<AskMessageRow | undefined> {
    const [row] = await this.db.select().from(askMessages).where(eq(askMessages.conversationId, conversationId)).orderBy(desc(askMessages.turn)).limit(1);
    return row;
  }

  async listMessages(conversationId: string, limit: number): Promise<AskMessageRow[]> {
    const rows = await this.db.select().from(askMessages).where(eq(askMessages.conversationId, conversationId)).orderBy(desc(askMessages.turn)).limit(limit);
    return rows.reverse();
  }

  /**
   * Appends a turn as the conversation's next and touches the conversation (retention counts from
   * its last turn). Two asks on one conversation at once may pick the same turn number: the loser
   * of the unique index takes the next one.
   */
  async addMessage(message: NewMessage): Promise<{ id: string; turn: number }> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.db.transaction(async (tx) => {
          const [row] = await tx
            .insert(askMessages)
            .values({
              ...message,
              turn: sql`(select coalesce(max(turn), 0) + 1 from ask_messages where conversation_id = ${message.conversationId})`,
            })
            .returning({ id: askMessages.id, turn: askMessages.turn });
          await tx.update(askConversations).set({ updatedAt: sql`now()` }).where(eq(askConversations.id, message.conversationId));
          if (!row) throw new Error('insert returned no message');
          return row;
        });
      } catch (error) {
        if (attempt >= 5 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /** The message with its conversation's owner, for feedback. */
  async findMessage(id: string): Promise<{ id: string; userId: number | null } | undefined> {
    const [row] = await this.db
      .select({ id: askMessages.id, userId: askConversations.userId })
      .from(askMessages)
      .innerJoin(askConversations, eq(askConversations.id, askMessages.conversationId))
      .where(eq(askMessages.id, id));
    return row;
  }

  /** Sets (or changes) a message's feedback: the last word counts, so a repeat changes nothing. */
  async setFeedback(id: string, feedback: Feedback): Promise<void> {
    await this.db.update(askMessages).set({ feedback, feedbackAt: sql`now()` }).where(eq(askMessages.id, id));
  }

  /** The newest messages that found nothing or got a thumbs down (the partial index serves it). */
  async attention(limit: number): Promise<AttentionRow[]> {
    return this.db
      .select({
        id: askMessages.id,
        question: askMessages.question,
        matched: askMessages.matched,
        feedback: askMessages.feedback,
        filters: askMessages.filters,
        answerer: askMessages.answerer,
        createdAt: askMessages.createdAt,
      })
      .from(askMessages)
      .where(or(eq(askMessages.matched, false), eq(askMessages.feedback, 'down')))
      .orderBy(desc(askMessages.createdAt))
      .limit(limit);
  }

  /**
   * Deletes conversations whose last turn is older than `before` (their messages go with them),
   * at most `batch` at a time so a large backlog does not hold one long lock. Returns how many.
   */
  async pruneBefore(before: Date, batch: number): Promise<number> {
    const rows = await this.db
      .delete(askConversations)
      .where(
        sql`${askConversations.id} in (select id from ask_conversations where ${lt(askConversations.updatedAt, before)} limit ${batch})`,
      )
      .returning({ id: askConversations.id });
    return rows.length;
  }

  /** For tests and the retention task's report: conversations of a user. */
  async countConversations(filter: { userId?: number } = {}): Promise<number> {
    const where = filter.userId !== undefined ? and(eq(askConversations.userId, filter.userId)) : undefined;
    const [row] = await this.db.select({ total: sql<number>`count(*)::int` }).from(askConversations).where(where);
    return row?.total ?? 0;
  }
}

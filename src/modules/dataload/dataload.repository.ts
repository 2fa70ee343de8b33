import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/index.ts';
import { dataloadDocuments, dataloadRuns, type DataloadRunRow, type RunMode } from './dataload.tables.ts';
import type { SourceName } from './dataload.types.ts';

export interface RunCounts {
  fetched: number;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

/** Load runs in PostgreSQL. */
export class RunRepository {
  constructor(private readonly database: Database) {}

  async start(input: { source: SourceName; mode: RunMode; taskId: string | undefined; embedder: string }): Promise<DataloadRunRow> {
    const [row] = await this.database
      .insert(dataloadRuns)
      .values({ source: input.source, mode: input.mode, state: 'RUNNING', taskId: input.taskId ?? null, embedder: input.embedder })
      .returning();
    if (!row) throw new Error('inserting a load run returned no row');
    return row;
  }

  async finish(id: number, state: 'SUCCESS' | 'FAILED', counts: RunCounts, error?: string): Promise<DataloadRunRow> {
    const [row] = await this.database
      .update(dataloadRuns)
      .set({ state, ...counts, error: error ?? null, finishedAt: new Date() })
      .where(eq(dataloadRuns.id, id))
      .returning();
    if (!row) throw new Error(`load run ${id} vanished`);
    return row;
  }

  /**
   * Marks RUNNING rows of a source as failed. Called while holding the source's lock, so any such
   * row belongs to a process that died mid-run.
   */
  async failAbandoned(source: SourceName): Promise<number> {
    const rows = await this.database
      .update(dataloadRuns)
      .set({ state: 'FAILED', finishedAt: new Date(), error: '중단됨: 실행하던 프로세스가 끝까지 마치지 못했습니다' })
      .where(and(eq(dataloadRuns.source, source), eq(dataloadRuns.state, 'RUNNING')))
      .returning({ id: dataloadRuns.id });
    return rows.length;
  }

  async recent(limit: number, source?: SourceName): Promise<DataloadRunRow[]> {
    return this.database
      .select()
      .from(dataloadRuns)
      .where(source ? eq(dataloadRuns.source, source) : undefined)
      .orderBy(desc(dataloadRuns.startedAt), desc(dataloadRuns.id))
      .limit(limit);
  }

  /** Sources with at least one successful run. */
  async loadedSources(): Promise<SourceName[]> {
    const rows = await this.database
      .selectDistinct({ source: dataloadRuns.source })
      .from(dataloadRuns)
      .where(eq(dataloadRuns.state, 'SUCCESS'));
    return rows.map((row) => row.source);
  }

  async get(id: number): Promise<DataloadRunRow | undefined> {
    const [row] = await this.database.select().from(dataloadRuns).where(eq(dataloadRuns.id, id));
    return row;
  }
}

const HASH_CHUNK = 1_000;

/** Content hashes of the stored documents (see `dataloadDocuments`). */
export class DocumentHashRepository {
  constructor(private readonly database: Database) {}

  async hashesOf(source: SourceName): Promise<Map<string, string>> {
    const rows = await this.database
      .select({ id: dataloadDocuments.id, contentHash: dataloadDocuments.contentHash })
      .from(dataloadDocuments)
      .where(eq(dataloadDocuments.source, source));
    return new Map(rows.map((row) => [row.id, row.contentHash]));
  }

  async save(rows: readonly { id: string; source: SourceName; contentHash: string }[]): Promise<void> {
    for (let start = 0; start < rows.length; start += HASH_CHUNK) {
      await this.database
        .insert(dataloadDocuments)
        .values(rows.slice(start, start + HASH_CHUNK).map((row) => ({ ...row })))
        .onConflictDoUpdate({
          target: dataloadDocuments.id,
          set: { contentHash: sql`excluded.content_hash`, source: sql`excluded.source`, storedAt: sql`now()` },
        });
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += HASH_CHUNK) {
      await this.database.delete(dataloadDocuments).where(inArray(dataloadDocuments.id, ids.slice(start, start + HASH_CHUNK)));
    }
  }
}

import type { ProcessStack } from '../helpers/process-stack.ts';
import { pollUntil } from './fault-report.ts';

type Source = 'youth' | 'gov24' | 'work24';

/** The load task of each source, by the name `ainfo call` takes. */
const LOAD_TASK: Record<Source, string> = {
  youth: 'dataload.loadYouthPolicyData',
  gov24: 'dataload.loadGov24Data',
  work24: 'dataload.loadEmploymentData',
};

interface RunRow extends Record<string, unknown> {
  id: string;
  state: string;
  error: string | null;
}

/**
 * Follows public-data loads of one source from the outside: the documents Chroma holds (over its
 * HTTP API), the run records (`dataload_runs`, by SQL) and the requests the API peer served.
 */
export class LoadWatch {
  idsBefore: string[] = [];
  /** The id of the load task enqueue() enqueued. */
  taskId = '';
  private runsBefore = 0;
  private requestsBefore = 0;

  constructor(
    private readonly stack: ProcessStack,
    readonly source: Source,
  ) {}

  /** The ids of this source's documents in the collection now. */
  async storedIds(): Promise<string[]> {
    if (!this.stack.chroma) throw new Error('the stack has no Chroma');
    return (await this.stack.chroma.ids('policies')).filter((id) => id.startsWith(`${this.source}:`));
  }

  /** A complete load first (`ainfo dataload run <source>`, unpaced), so that there are documents to lose. */
  async loadOnce(): Promise<void> {
    const run = await this.stack.cli(['dataload', 'run', this.source], { PUBLIC_API_REQUESTS_PER_SECOND: '1000' });
    if (run.code !== 0) throw new Error(`the first load failed (${run.code}): ${run.stderr}`);
    this.idsBefore = await this.storedIds();
    if (this.idsBefore.length === 0) throw new Error('the first load stored nothing');
  }

  /** Changes every record's summary at the API peer, so that the next run re-embeds and rewrites all of them. */
  reviseAll(): void {
    const data = this.peerData();
    for (const item of data) item.plcyExplnCn = `${item.plcyExplnCn ?? ''} (개정)`;
  }

  /** Drops `count` records from the API peer: a run that completes deletes their documents, a failed one must not. */
  dropRecords(count: number): void {
    this.peerData().splice(0, count);
  }

  private peerData(): Record<string, string>[] {
    if (!this.stack.peer) throw new Error('the stack has no API peer');
    if (this.source !== 'youth') throw new Error('only the youth records are changed by these tests');
    return this.stack.peer.data.youth;
  }

  /** Enqueues a load for the workers (`ainfo call`) and marks where its runs and requests begin. */
  async enqueue(): Promise<string> {
    const [row] = await this.stack.sql<{ max: string | null }>('select max(id)::text as max from dataload_runs');
    this.runsBefore = Number(row?.max ?? 0);
    this.requestsBefore = this.stack.peer?.requests.length ?? 0;
    const call = await this.stack.cli(['call', LOAD_TASK[this.source], '--payload', '{}']);
    if (call.code !== 0) throw new Error(`ainfo call failed (${call.code}): ${call.stderr}`);
    this.taskId = (JSON.parse(call.stdout) as { id: string }).id;
    return this.taskId;
  }

  /** The load task's state as `ainfo result` prints it, with the run's own state when it returned one (`SUCCESS/SKIPPED`). */
  async taskState(): Promise<string> {
    const result = await this.stack.cli(['result', this.taskId]);
    if (result.code !== 0) return `unreadable(${result.code})`;
    const parsed = JSON.parse(result.stdout) as { state: string; result?: { state?: string } };
    return parsed.result?.state ? `${parsed.state}/${parsed.result.state}` : parsed.state;
  }

  /** Pages of this source the peer served since enqueue(). */
  pagesFetched(): number {
    return (this.stack.peer?.requests ?? []).slice(this.requestsBefore).filter((request) => request.api === this.source).length;
  }

  /** Whether the peer has been asked for `page` of this source since enqueue(). */
  hasRequested(page: number): boolean {
    return (this.stack.peer?.requests ?? []).slice(this.requestsBefore).some((request) => request.api === this.source && request.page === page);
  }

  /** Runs of this source recorded since enqueue(), oldest first. */
  async runs(): Promise<RunRow[]> {
    return this.stack.sql<RunRow>(
      'select id::text as id, state, error from dataload_runs where source = $1 and id > $2 order by id',
      [this.source, this.runsBefore],
    );
  }

  /**
   * Waits until the load's attempt is over: its runs are recorded and none is RUNNING, or its task
   * has finished or is waiting for a retry. Gives up quietly after `timeoutMs` (the figures say
   * what was seen: a task lost with Redis reads PENDING for ever).
   */
  async waitForOutcome(timeoutMs: number): Promise<void> {
    await pollUntil(
      async () => {
        const runs = await this.runs().catch(() => []);
        if (runs.length > 0 && runs.every((run) => run.state !== 'RUNNING')) return true;
        return /^(SUCCESS|FAILURE|RETRY)/.test(await this.taskState());
      },
      { everyMs: 1_000, timeoutMs },
    );
  }

  /** What the load came to: documents before and after, the runs, and whether one completed. */
  async figures(): Promise<{
    documentsBefore: number;
    documentsAfter: number;
    documentsLost: number;
    runs: string;
    runsLeftRunning: number;
    completed: number;
    firstError: string;
    task: string;
  }> {
    const after = new Set(await this.storedIds());
    const runs = await this.runs();
    return {
      documentsBefore: this.idsBefore.length,
      documentsAfter: after.size,
      documentsLost: this.idsBefore.filter((id) => !after.has(id)).length,
      runs: runs.map((run) => run.state).join(',') || 'none',
      runsLeftRunning: runs.filter((run) => run.state === 'RUNNING').length,
      completed: runs.filter((run) => run.state === 'SUCCESS').length,
      firstError: JSON.stringify((runs.find((run) => run.error)?.error ?? '').slice(0, 120)),
      task: this.taskId ? await this.taskState() : 'none',
    };
  }
}

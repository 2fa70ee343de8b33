/**
 * Group commit for one kind of statement: calls that arrive while a batch is being written are
 * gathered and written together as the next batch. Under load the batches grow by themselves;
 * alone, a call is written at once (after the current tick), so nothing waits on a timer.
 *
 * Each call resolves with its own result or rejects with its batch's error; a batch never holds
 * more than `maxBatch` items, and the items of one batch have distinct keys (an item whose key is
 * already in the batch waits for the next one), so a set-based statement sees each row once.
 */
export class GroupBatcher<I, O> {
  private queued: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private writing = false;
  private scheduled = false;

  /**
   * @param write Writes one batch; returns one result per item, in the items' order.
   * @param keyOf Items with the same key never share a batch.
   * @param maxBatch Default 100.
   */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly keyOf: (item: I) => unknown,
    private readonly maxBatch = 100,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the other runs that start in this turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || this.queued.length === 0) return;
    this.writing = true;
    const batch: typeof this.queued = [];
    const rest: typeof this.queued = [];
    const keys = new Set<unknown>();
    for (const entry of this.queued) {
      const key = this.keyOf(entry.item);
      if (batch.length < this.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(entry);
      } else rest.push(entry);
    }
    this.queued = rest;
    try {
      const results = await this.write(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => {
        entry.resolve(results[index] as O);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.writing = false;
      if (this.queued.length > 0) void this.flush();
    }
  }
}

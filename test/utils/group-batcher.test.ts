import { describe, expect, it } from 'vitest';
import { GroupBatcher } from '../../src/utils/group-batcher.ts';

describe('GroupBatcher', () => {
  it('writes the calls of one turn as one batch, never two items with the same key together, each answered with its own result', async () => {
    const batches: number[][] = [];
    const batcher = new GroupBatcher<number, string>(
      (items) => {
        batches.push(items);
        return Promise.resolve(items.map((item) => `done ${item}`));
      },
      (item) => item % 10,
    );
    const results = await Promise.all([1, 2, 11, 3, 12].map((item) => batcher.submit(item)));
    expect(results).toEqual(['done 1', 'done 2', 'done 11', 'done 3', 'done 12']);
    expect(batches).toEqual([
      [1, 2, 3],
      [11, 12],
    ]);
  });

  it('gathers calls made while a batch is being written into the next, and caps a batch at its size', async () => {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const batcher = new GroupBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return items;
      },
      (item) => item,
      2,
    );
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((item) => batcher.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    release?.();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });

  it('rejects every call of a failed batch with its error and goes on with the next', async () => {
    let calls = 0;
    const batcher = new GroupBatcher<number, number>(
      (items) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('database down')) : Promise.resolve(items);
      },
      (item) => item,
    );
    const failed = [1, 2].map((item) => batcher.submit(item));
    await expect(Promise.all(failed)).rejects.toThrow('database down');
    await Promise.allSettled(failed);
    expect(await batcher.submit(3)).toBe(3);
  });
});

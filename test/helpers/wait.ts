/**
 * Checks `check` every 50 ms until it holds; throws naming `what` after `timeoutMs`. For
 * conditions nothing announces (a row in a table, a count in Redis); where an event exists
 * (results.wait, smtp.waitFor, child.waitFor), wait on the event instead.
 */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

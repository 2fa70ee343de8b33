/** Named checks, each rejecting when its service does not answer (redis, database, chroma). */
export type ReadinessChecks = Readonly<Record<string, () => Promise<unknown>>>;

export interface CheckOutcome {
  name: string;
  ok: boolean;
  /** Why it failed: internal (addresses, database names), for the log and the admin only. */
  detail?: string;
}

/** How long one check may take before it counts as down. */
export const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check at once, each bounded by `timeoutMs`; never rejects. */
export async function runReadinessChecks(checks: ReadinessChecks, timeoutMs = CHECK_TIMEOUT_MS): Promise<CheckOutcome[]> {
  return Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<CheckOutcome> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer in ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return { name, ok: true };
      } catch (error) {
        return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

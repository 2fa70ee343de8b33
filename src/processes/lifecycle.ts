import type { Logger } from 'pino';

/** Something a process must stop on shutdown, in the order given. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * What the grace keeps back for exiting itself (the process's own teardown, the log's last lines),
 * so that a supervisor waiting SHUTDOWN_GRACE_MS before SIGKILL sees an exit, not a kill.
 */
const EXIT_MARGIN_MS = 500;

export interface ShutdownOptions {
  /**
   * SHUTDOWN_GRACE_MS: the whole shutdown's bound. What has not stopped by then (a close waiting on
   * a Redis that is down) is abandoned: the process exits, which drops its sockets.
   */
  graceMs: number;
  /** Ends the process; tests give their own. Default process.exit. */
  exit?: (code: number) => void;
}

/**
 * Stops each part in order (stop taking work first, connections last), then exits 0; exits 0
 * shortly before `graceMs` (a tenth of it, at most EXIT_MARGIN_MS, kept for exiting) whatever is
 * still stopping. Resolves when it has called exit.
 */
export function shutdown(parts: readonly Stoppable[], log: Logger, options: ShutdownOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  return new Promise((resolve) => {
    let current = '';
    // An object, not a boolean: the loop below reads it after awaits the narrowing cannot see.
    const state = { over: false };
    const finish = (): void => {
      if (state.over) return;
      state.over = true;
      clearTimeout(deadline);
      resolve();
      exit(0);
    };
    const deadline = setTimeout(
      () => {
        log.warn({ part: current, graceMs: options.graceMs }, 'shutdown grace over: exiting without waiting for the rest');
        finish();
      },
      options.graceMs - Math.min(EXIT_MARGIN_MS, Math.floor(options.graceMs / 10)),
    );
    void (async () => {
      for (const part of parts) {
        if (state.over) return;
        const started = Date.now();
        current = part.name;
        try {
          await part.stop();
          log.info({ part: part.name, durationMs: Date.now() - started }, 'stopped');
        } catch (error) {
          log.error({ part: part.name, err: error }, 'error while stopping');
        }
      }
      if (state.over) return;
      log.info('bye');
      // Exit rather than wait for the event loop to drain: a client still reconnecting (Redis down) would keep it alive.
      finish();
    })();
  });
}

/**
 * Waits for SIGINT/SIGTERM, then shuts down (see `shutdown`: in order, bounded by `graceMs`, exit
 * 0). A second signal exits at once with 1, for an operator who cannot wait.
 */
export function stopOnSignals(parts: readonly Stoppable[], log: Logger, options: ShutdownOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        exit(1);
        return;
      }
      stopping = true;
      log.info({ signal, graceMs: options.graceMs }, 'shutting down');
      void shutdown(parts, log, { ...options, exit }).then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

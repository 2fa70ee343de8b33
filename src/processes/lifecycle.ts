import type { Logger } from 'pino';

/** Something a process must stop on shutdown, in the order given. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

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
 * Waits for SIGINT/SIGTERM, then stops each part in order (stop taking work first, connections
 * last) and exits 0, within `graceMs` whatever the services behind do. A second signal exits at
 * once with 1, for an operator who cannot wait.
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
      let current = '';
      const deadline = setTimeout(() => {
        log.warn({ part: current, graceMs: options.graceMs }, 'shutdown grace over: exiting without waiting for the rest');
        exit(0);
      }, options.graceMs);
      void (async () => {
        for (const part of parts) {
          const started = Date.now();
          current = part.name;
          try {
            await part.stop();
            log.info({ part: part.name, durationMs: Date.now() - started }, 'stopped');
          } catch (error) {
            log.error({ part: part.name, err: error }, 'error while stopping');
          }
        }
        clearTimeout(deadline);
        log.info('bye');
        resolve();
        // A client still reconnecting (Redis down) would keep the event loop, and the process, alive.
        exit(0);
      })();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

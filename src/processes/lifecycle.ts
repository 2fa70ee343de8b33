import type { Logger } from 'pino';

/** Something a process must stop on shutdown, in the order given. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * Waits for SIGINT/SIGTERM, then stops each part in order (stop taking work first, connections
 * last) and exits 0. A second signal exits at once with 1, for an operator who cannot wait.
 */
export function stopOnSignals(parts: readonly Stoppable[], log: Logger): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      void (async () => {
        for (const part of parts) {
          const started = Date.now();
          try {
            await part.stop();
            log.info({ part: part.name, durationMs: Date.now() - started }, 'stopped');
          } catch (error) {
            log.error({ part: part.name, err: error }, 'error while stopping');
          }
        }
        log.info('bye');
        resolve();
      })();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

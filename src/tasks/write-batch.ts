import { Redis } from 'ioredis';

/**
 * Lets commands sent on one Redis connection in one turn of the event loop leave together, in one
 * socket write, instead of one write system call each: in the profiles of an enqueue and of a
 * drained task that system call (which on a loopback connection also delivers the bytes to Redis)
 * was the largest single cost, and Redis reads each write separately too.
 *
 * Its users hold the writes only while other work of theirs is in flight, so work running alone is
 * written at once. Held commands leave at the end of the turn, or every `maxHeld` holds: the
 * worker's completions must reach Redis while the worker runs the rest of its batch (held for the
 * whole turn, Redis idled while the worker ran a batch and the worker idled while Redis answered
 * it: the drain fell to 0.7×).
 *
 * Only a standalone ioredis connection is held; a Cluster client (or none yet) is left as it is.
 */
export class WriteBatcher {
  private inFlight = 0;
  private held: Redis['stream'] | undefined;
  private holds = 0;

  constructor(
    private readonly connection: () => unknown,
    private readonly maxHeld = Infinity,
  ) {}

  /** Holds this turn's writes on the connection: until the next turn, or the `maxHeld`th hold. */
  hold(): void {
    if (this.held) {
      if (this.holds >= this.maxHeld) {
        this.held.uncork();
        this.held.cork();
        this.holds = 0;
      }
      this.holds += 1;
      return;
    }
    const connection = this.connection();
    if (!(connection instanceof Redis) || connection.status !== 'ready') return;
    const stream = connection.stream as Redis['stream'] | undefined;
    if (!stream) return;
    stream.cork();
    this.held = stream;
    this.holds = 1;
    // Commands are written a few promise turns after they are made: all of this turn's by then.
    setImmediate(() => {
      this.held = undefined;
      stream.uncork();
    });
  }

  /** A task run starts (counted until its outcome is about to be sent). */
  begin(): void {
    this.inFlight += 1;
  }

  /** A run's outcome is about to be sent: held when other runs are still in flight. */
  end(): void {
    this.inFlight -= 1;
    if (this.inFlight > 0) this.hold();
  }
}

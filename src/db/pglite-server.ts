import { rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST_CODE = 80_877_103;
const GSS_REQUEST_CODE = 80_877_104;
const CANCEL_REQUEST_CODE = 80_877_102;
/** 'Z' ReadyForQuery, length 5, then the transaction status: 'I' idle, 'T' in a block, 'E' failed block. */
const READY_FOR_QUERY = 0x5a;
const IDLE = 0x49;
const TERMINATE = 0x58;
const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4]);

/** A PGlite served over a Unix socket; `close()` stops it (the PGlite stays open). */
export interface PgliteServer {
  /** The socket file (`<dir>/.s.PGSQL.<port>`, as libpq and node-postgres expect). */
  socketPath: string;
  connections(): number;
  close(): Promise<void>;
}

export interface ServePgliteOptions {
  /** The directory of the socket; the file is `.s.PGSQL.5432` in it. */
  dir: string;
  /** Connections served at once; more are refused. Default 32. */
  maxConnections?: number;
  /**
   * A client that keeps a transaction open and sends nothing for this long is disconnected (its
   * transaction rolled back): the whole database waits on an open transaction. Default 60 s.
   */
  idleInTransactionMs?: number;
  onError?: (error: unknown) => void;
}

/** A simple-protocol Query message. */
function queryMessage(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message[0] = 0x51;
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

/**
 * Serves one PGlite to other processes as a PostgreSQL server on a Unix socket, so the CLI and a
 * separate worker can use the embedded database while `ainfo all` owns it.
 *
 * PGlite is one backend: every client shares its session. So each client's exchange (from its
 * first message until the backend is idle again, i.e. a ReadyForQuery 'I', which covers a whole
 * extended-protocol round and a whole BEGIN…COMMIT) holds PGlite's own transaction mutex, the one
 * the owning process's `query`, `exec` and `transaction` take. Nobody else's statement can land in
 * the middle of another's transaction or between its Parse and Sync. (`@electric-sql/pglite-socket`
 * 0.2.17 queues per message on the query mutex instead: a socket client's statement runs inside
 * the owner's open transaction, and the two then deadlock.)
 */
export async function servePglite(db: PGlite, options: ServePgliteOptions): Promise<PgliteServer> {
  const socketPath = `${options.dir.replace(/\/+$/, '')}/.s.PGSQL.5432`;
  const idleInTransactionMs = options.idleInTransactionMs ?? 60_000;
  // Only the owner of the database directory gets here, so a socket file left behind is stale.
  await rm(socketPath, { force: true });
  const sockets = new Set<Socket>();

  /** Holds PGlite's transaction mutex until `release` is called. */
  const acquire = (): Promise<() => void> =>
    new Promise((resolveHeld) => {
      void db._runExclusiveTransaction(
        () =>
          new Promise<void>((release) => {
            resolveHeld(release);
          }),
      );
    });

  const serve = (socket: Socket): void => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    let started = false;
    let closed = false;
    let release: (() => void) | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    let queue = Promise.resolve();

    const execute = async (message: Uint8Array, write: boolean): Promise<number | undefined> => {
      let tail = Buffer.alloc(0);
      await db.runExclusive(() =>
        db.execProtocolRawStream(message, {
          onRawData: (bytes) => {
            const copy = Buffer.from(bytes);
            if (write && !socket.destroyed) socket.write(copy);
            tail = Buffer.concat([tail, copy]).subarray(-6);
          },
        }),
      );
      return tail.length === 6 && tail[0] === READY_FOR_QUERY ? tail[5] : undefined;
    };

    /** Puts the shared backend back as a new client expects it, then lets others in. */
    const abandon = async (): Promise<void> => {
      if (!release) return;
      try {
        await execute(SYNC, false);
        if (db.isInTransaction()) await execute(queryMessage('ROLLBACK'), false);
      } finally {
        release();
        release = undefined;
      }
    };

    const run = async (message: Uint8Array): Promise<void> => {
      if (closed) return;
      clearTimeout(idleTimer);
      release ??= await acquire();
      const status = await execute(message, true);
      if (status === IDLE) {
        release();
        release = undefined;
      } else {
        idleTimer = setTimeout(() => socket.destroy(), idleInTransactionMs);
      }
    };

    const enqueue = (message: Uint8Array): void => {
      queue = queue.then(() => run(message)).catch((error: unknown) => {
        options.onError?.(error);
        socket.destroy();
      });
    };

    /** Splits what arrived into messages: the untyped startup packets first, then typed ones. */
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const packet = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST_CODE || code === GSS_REQUEST_CODE) {
            socket.write('N');
            continue;
          }
          if (code === CANCEL_REQUEST_CODE) {
            socket.end();
            return;
          }
          started = true;
          enqueue(Uint8Array.from(packet));
          continue;
        }
        if (buffer.length < 5) return;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const message = Uint8Array.from(buffer.subarray(0, length));
        buffer = buffer.subarray(length);
        if (message[0] === TERMINATE) {
          socket.end();
          return;
        }
        enqueue(message);
      }
    };

    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      closed = true;
      clearTimeout(idleTimer);
      sockets.delete(socket);
      queue = queue.then(abandon).catch((error: unknown) => options.onError?.(error));
    });
  };

  const server = createServer(serve);
  server.maxConnections = options.maxConnections ?? 32;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    socketPath,
    connections: () => sockets.size,
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => {
          resolve();
        }));
      for (const socket of sockets) socket.destroy();
      await closing;
      await rm(socketPath, { force: true });
    },
  };
}

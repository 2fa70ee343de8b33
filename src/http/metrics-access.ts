import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Logger } from '../log/logger.ts';
import type { Broker } from '../tasks/broker.ts';
import { createMetrics, type OutboxBacklogSource } from './metrics.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Whether an Authorization header is `Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer ([^\s]+)$/.exec(header ?? '')?.[1];
  // Hashing first makes both sides the same length, so the comparison time says nothing about the token.
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

/** A listener of its own for /metrics; `close()` stops it. */
export interface MetricsListener {
  address: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics (nothing else) on `host:port`, by default 127.0.0.1: the counters say, among
 * other things, how many account mails went out, which must not be public. Resolves undefined,
 * after a warning, when the port is taken (another web process on this machine has it): the
 * process runs on without a metrics listener rather than refusing to serve.
 */
export async function startMetricsListener(options: {
  broker: Broker;
  outbox?: OutboxBacklogSource;
  host: string;
  port: number;
  log: Logger;
}): Promise<MetricsListener | undefined> {
  const metrics = createMetrics(options.broker, options.outbox);
  const server: Server = createServer((request, response) => {
    response.setHeader('x-content-type-options', 'nosniff');
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: unknown) => {
        options.log.error({ err: error }, 'metrics could not be read');
        response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    options.log.warn(
      { host: options.host, port: options.port },
      'the metrics port is taken (another web process on this machine?): this process serves no /metrics; give each process its own METRICS_PORT, or set METRICS_TOKEN to serve /metrics on the web port',
    );
    return undefined;
  }
  const bound = server.address();
  const address = typeof bound === 'object' && bound ? `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}` : String(bound);
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

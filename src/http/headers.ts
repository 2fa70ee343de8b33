import type { FastifyInstance } from 'fastify';

/** One year, subdomains included: what HSTS preload lists ask for. */
export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/**
 * Headers every answer carries, whatever produced it (a route, the error handler, the 404
 * handler, a rate limit, a plugin's static file): no MIME sniffing, and HSTS when the service is
 * published over https (PUBLIC_URL), since then plain http is never right.
 */
export function installSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (options.https) reply.header('strict-transport-security', HSTS_VALUE);
    done(null, payload);
  });
}

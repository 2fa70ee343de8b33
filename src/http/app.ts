import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config/config.ts';
import { isPretty, type Logger } from '../log/logger.ts';
import type { Broker } from '../tasks/broker.ts';
import { AppError } from '../utils/errors.ts';
import type { Deps } from '../utils/deps.ts';
import type { Authenticator, SessionReader } from './auth.ts';
import { errorBody, errorBodySchema, installErrorHandling } from './errors.ts';
import { installSecurityHeaders } from './headers.ts';
import { installInputGuard } from './input-guard.ts';
import { bearerMatches } from './metrics-access.ts';
import { createMetrics, type OutboxBacklogSource } from './metrics.ts';
import { contentSecurityPolicy } from './pages/csp.ts';
import { runReadinessChecks, type ReadinessChecks } from './readiness.ts';
import { installPages } from './pages/page.ts';
import type { AnyRoutes } from './routes.ts';

/** A Fastify instance whose route schemas are zod schemas. */
export type App = FastifyInstance;

/** Route config of the routes that take a password, a token or an address. */
export interface AuthRateLimit {
  rateLimit: { max: number; timeWindow: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** AUTH_RATE_LIMIT_PER_MINUTE requests per minute per client IP and route, shared by every web process. */
    authRateLimit: AuthRateLimit;
  }
}

/** What the HTTP app is built from; the web composition root (src/processes/compose.ts) fills it. */
export interface WebDeps {
  config: Config;
  log: Logger;
  /** Its Redis holds the rate-limit counters; its queues feed /metrics and /readyz. */
  broker: Broker;
  /** The task outbox, whose backlog /metrics shows. */
  outbox?: OutboxBacklogSource;
  /** Who a bearer token belongs to (accounts). */
  authenticator: Authenticator;
  /** Who a page session cookie belongs to (accounts). */
  sessionReader: SessionReader;
  /** Signs cookies (`reply.setCookie(…, { signed: true })`); the same in every web process. */
  cookieSecret: Buffer;
  /** Extra /readyz checks by name (the database, Chroma…); each rejects when its service is down. */
  readiness: ReadinessChecks;
  /** The modules' routes, as the scanner found them. */
  routes: readonly { source: string; routes: AnyRoutes }[];
  /** What the routes declared with `uses`; every key must be provided or the build fails. */
  provided: Deps;
}

/**
 * Builds the HTTP app without listening, so tests use `app.inject()`.
 * JSON API under /api, OpenAPI at /docs, health at /healthz and /readyz, metrics at /metrics,
 * pages through `reply.page`, then each module's routes with what they declared.
 */
export async function buildApp(deps: WebDeps): Promise<App> {
  const { config, broker } = deps;
  deps.provided.assertProvides(deps.routes.map(({ source, routes }) => ({ key: routes.uses, neededBy: `routes ${source}` })));
  const app = Fastify({
    // tsc needs the cast (pino's Logger is wider than Fastify's); the linter's program does not see why.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.log as FastifyBaseLogger,
    // Request lines are logged by the hook below, without query strings (tokens travel there).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(config.http.trustProxy),
    bodyLimit: 1_048_576,
  }).withTypeProvider<ZodTypeProvider>();
  if (config.http.trustProxy === true) {
    deps.log.warn(
      'TRUST_PROXY=true believes the left-most X-Forwarded-For entry, which any client can write: per-IP rate limits and audit addresses can be forged. Set the number of proxies in front (TRUST_PROXY=1) or their addresses instead.',
    );
  }
  // `curl -X POST -H 'content-type: application/json' …/send` sends no body: an action that takes
  // none must not answer 400 for it. A route whose schema needs a body still says which field.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('authenticator', deps.authenticator);
  app.decorate('sessionReader', deps.sessionReader);
  app.decorateRequest('viewer', undefined);
  app.decorate('authRateLimit', { rateLimit: { max: config.auth.rateLimitPerMinute, timeWindow: 60_000 } });
  installErrorHandling(app);
  installInputGuard(app);
  installSecurityHeaders(app, { https: config.http.publicUrl.startsWith('https:') });
  await installPages(app);
  await app.register(formbody);
  await app.register(cookie, { secret: deps.cookieSecret });
  await app.register(rateLimit, {
    global: false,
    redis: broker.connection,
    nameSpace: `${config.tasks.prefix}:ainfo:ratelimit:http:`,
    // A Redis hiccup must not lock everyone out of logging in.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', `요청이 너무 많습니다. ${context.after} 뒤에 다시 시도해 주세요.`),
  });

  // In a terminal (pretty logs) a line per page and asset drowns what matters: answered requests
  // go to debug there; failures, and every request in JSON logs, stay at info.
  const quietRequests = isPretty(config.log);
  app.addHook('onResponse', (request, reply, done) => {
    request.log[quietRequests && reply.statusCode < 400 ? 'debug' : 'info'](
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'AInfo API', version: '0.1.0', description: 'Accounts, notices and public policy search' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    // swagger-ui's own scripts from our origin (it sets inline styles); no validator badge from swagger.io.
    uiConfig: { validatorUrl: null },
    staticCSP: contentSecurityPolicy({ scripts: true, inlineStyles: true }),
  });

  const readiness: Record<string, () => Promise<unknown>> = {
    redis: () => withTimeout(broker.connection.ping(), 1_000, 'redis did not answer in 1 s'),
    ...deps.readiness,
  };
  app.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } } },
    () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Redis (and the other services) answer; a 503 names the ones that do not',
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) }),
          503: errorBodySchema.extend({ checks: z.record(z.string(), z.enum(['ok', 'down'])) }),
        },
      },
    },
    async (request, reply) => {
      const outcomes = await runReadinessChecks(readiness);
      const down = outcomes.filter((outcome) => !outcome.ok);
      if (down.length === 0) return { status: 'ready' as const, checks: Object.fromEntries(outcomes.map(({ name }) => [name, 'ok' as const])) };
      // Addresses and database names stay in the log (and the admin dashboard), never in a public answer.
      request.log.warn({ down: Object.fromEntries(down.map(({ name, detail }) => [name, detail])) }, 'not ready');
      return reply.status(503).send({
        ...errorBody('NOT_READY', `연결할 수 없는 서비스가 있습니다: ${down.map(({ name }) => name).join(', ')}`),
        checks: Object.fromEntries(outcomes.map(({ name, ok }) => [name, ok ? ('ok' as const) : ('down' as const)])),
      });
    },
  );

  // Without a token, /metrics is served by the web role's loopback listener (metrics-access.ts), never here.
  const metricsToken = config.metrics.token;
  if (config.metrics.enabled && metricsToken) {
    const metrics = createMetrics(broker, deps.outbox);
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, metricsToken)) throw new AppError(401, 'UNAUTHORIZED', '메트릭을 보려면 토큰이 필요합니다.');
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    });
  }

  for (const { source, routes } of deps.routes) {
    const provided = deps.provided.get<never>(routes.uses, `routes ${source}`);
    await app.register(async (scope) => {
      await routes.plugin(scope, provided);
    });
  }
  return app;
}

/**
 * Fastify's trustProxy for TRUST_PROXY. A hop count becomes a function trusting that many hops
 * from our socket inward: Fastify 5 ignores a bare number (it cannot tell a proxy from a client
 * that connects directly), so a hop count is only right where nobody reaches the app but through
 * the proxies (docs/security.md).
 */
function trustProxyOption(trust: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(message));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

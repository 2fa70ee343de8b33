import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { errorBody, errorBodySchema, installErrorHandling } from './errors.ts';
import { createMetrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The composition root; routes call its services. */
    ctx: AppContext;
  }
}

/** A Fastify instance whose route schemas are zod schemas. */
export type App = FastifyInstance;

const MODULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../modules');
const ROUTES_FILE = /\.routes\.(ts|js)$/;

/** Loads every `src/modules/<domain>/*.routes.ts` (default export: a Fastify plugin). */
async function discoverRoutes(): Promise<{ file: string; plugin: FastifyPluginAsync }[]> {
  const found: { file: string; plugin: FastifyPluginAsync }[] = [];
  const domains = (await readdir(MODULES_DIR, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  for (const domain of domains.sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(MODULES_DIR, domain.name);
    for (const file of (await readdir(dir)).filter((name) => ROUTES_FILE.test(name) && !name.endsWith('.d.ts')).sort()) {
      const loaded = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: FastifyPluginAsync };
      if (typeof loaded.default !== 'function') throw new Error(`${domain.name}/${file} has no default export plugin`);
      found.push({ file: `${domain.name}/${file}`, plugin: loaded.default });
    }
  }
  return found;
}

/**
 * Builds the HTTP app without listening, so tests use `app.inject()`.
 * JSON API under /api, OpenAPI at /docs, health at /healthz and /readyz, metrics at /metrics.
 */
export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    // tsc needs the cast (pino's Logger is wider than Fastify's); the linter's program does not see why.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: ctx.log as FastifyBaseLogger,
    // Request lines are logged by the hook below, without query strings (tokens travel there).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: ctx.config.http.trustProxy,
    bodyLimit: 1_048_576,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('ctx', ctx);
  installErrorHandling(app);

  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
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
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/healthz',
    { schema: { tags: ['ops'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } } },
    () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'Redis (and the other services) answer',
        response: {
          200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }),
          503: errorBodySchema,
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      for (const [name, check] of Object.entries(readinessChecks(ctx))) {
        try {
          await check();
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = error instanceof Error ? error.message : 'failed';
        }
      }
      const ready = Object.values(checks).every((value) => value === 'ok');
      if (!ready) {
        return reply.status(503).send(errorBody('NOT_READY', `not ready: ${JSON.stringify(checks)}`));
      }
      return { status: 'ready' as const, checks };
    },
  );

  if (ctx.config.metrics.enabled) {
    const metrics = createMetrics(ctx.broker);
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    });
  }

  for (const { plugin } of await discoverRoutes()) await app.register(plugin);
  return app;
}

/** What /readyz checks: each throws when its service does not answer. */
function readinessChecks(ctx: AppContext): Record<string, () => Promise<unknown>> {
  return {
    redis: () => withTimeout(ctx.broker.connection.ping(), 1_000, 'redis did not answer in 1 s'),
    ...ctx.readiness,
  };
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

import type { FastifyInstance } from 'fastify';
import type { AnyDepKey, DepKey } from '../utils/deps.ts';

/**
 * A module's routes (the default export of its `*.routes.ts`): a Fastify plugin that receives
 * what it declared with `uses` (its module's service, typically), as the web composition root
 * provides it. The app refuses to start when a key is not provided.
 */
export interface Routes<D> {
  readonly kind: 'ainfo.routes';
  readonly uses: DepKey<D>;
  readonly plugin: (app: FastifyInstance, deps: D) => Promise<void> | void;
}

/** Routes of any dependency type, as the scanner holds them. */
export interface AnyRoutes {
  readonly kind: 'ainfo.routes';
  readonly uses: AnyDepKey;
  readonly plugin: (app: FastifyInstance, deps: never) => Promise<void> | void;
}

export function defineRoutes<D>(uses: DepKey<D>, plugin: (app: FastifyInstance, deps: D) => Promise<void> | void): Routes<D> {
  return Object.freeze({ kind: 'ainfo.routes' as const, uses, plugin });
}

export function isRoutes(value: unknown): value is AnyRoutes {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'ainfo.routes';
}

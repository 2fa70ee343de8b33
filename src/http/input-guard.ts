import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, type FieldError } from '../utils/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Body or query fields that may hold line breaks and tabs (a notice's body). Default: none. */
    multilineFields?: readonly string[];
    /** Inputs are raw data kept as they come (bull-board's task data in Redis), never text for pages, mail or SQL. */
    allowControlCharacters?: boolean;
  }
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- the same, with tab, line feed and carriage return allowed
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const MESSAGE = '제어 문자(NUL, 줄바꿈, 탭 등)는 입력할 수 없습니다.';
const MULTILINE_MESSAGE = '줄바꿈과 탭 말고 다른 제어 문자(NUL 등)는 입력할 수 없습니다.';
const MAX_DEPTH = 8;

/** Every string under `value` holding a control character, by field path (`items.0.title`). */
function collect(value: unknown, path: string, multiline: ReadonlySet<string>, found: FieldError[], depth: number): void {
  if (typeof value === 'string') {
    const lines = multiline.has(path);
    if ((lines ? CONTROL_BUT_LINES : CONTROL).test(value)) found.push({ field: path, message: lines ? MULTILINE_MESSAGE : MESSAGE });
    return;
  }
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) collect(inner, path ? `${path}.${key}` : key, multiline, found, depth + 1);
}

/** The fields of a request's body, query and route parameters that hold control characters. */
export function controlCharacterFields(request: FastifyRequest): FieldError[] {
  if (request.routeOptions.config.allowControlCharacters) return [];
  const multiline = new Set(request.routeOptions.config.multilineFields ?? []);
  const found: FieldError[] = [];
  for (const part of [request.params, request.query, request.body]) collect(part, '', multiline, found, 0);
  return found;
}

/**
 * Refuses control characters in every input of every route, once, for all of them: a NUL byte
 * that reaches PostgreSQL is a 500 (and an error carrying the statement), a line break in a name
 * or a title ends up in a mail's header or first line. It runs after validation, on what the
 * handler will get, so a section's page frame is set and the 400 comes as its page.
 */
export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const fields = controlCharacterFields(request);
    if (fields.length === 0) {
      done();
      return;
    }
    done(new AppError(400, 'VALIDATION_FAILED', `입력값에 쓸 수 없는 제어 문자가 있습니다: ${fields.map((f) => f.field).join(', ')}`, fields));
  });
}

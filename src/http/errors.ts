import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TaskPayloadError, UnknownTaskError } from '../tasks/errors.ts';
import { isRedisConnectionError } from '../tasks/redis.ts';
import { AppError, type FieldError } from '../utils/errors.ts';
import { errorPageView } from './pages/page.ts';

/** The JSON body of every 4xx/5xx answer, for route schemas. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: string, message: string, fields?: readonly FieldError[]): ErrorBody {
  return { error: { code, message, ...(fields && fields.length > 0 ? { fields: [...fields] } : {}) } };
}

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** What went wrong, once, for both answers: the JSON body and the HTML page. */
interface Problem {
  status: number;
  code: string;
  message: string;
  fields?: readonly FieldError[];
  /** The Korean sentence an HTML error page shows. */
  pageMessage: string;
}

/** The answer while Redis (the task queue, rate limits, sessions) cannot be reached. */
export const REDIS_DOWN_MESSAGE = '일시적으로 요청을 처리할 수 없습니다. 잠시 뒤에 다시 시도해 주세요.';

const INTERNAL_PAGE_MESSAGE = '요청을 처리하지 못했습니다. 오류는 서버 로그에 남았습니다.';

function describeError(error: FastifyError | Error): Problem {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'body';
    const fields = error.validation.map((issue) => ({
      field: issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || where,
      message: issue.message ?? 'invalid',
    }));
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      message: `invalid ${where}: ${fields.map((f) => f.field).join(', ')}`,
      fields,
      pageMessage: `입력값이 올바르지 않습니다: ${error.validation.map((issue) => issue.instancePath || issue.message).join(', ')}`,
    };
  }
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}), pageMessage: error.message };
  }
  if (error instanceof TaskPayloadError) {
    return { status: 400, code: 'INVALID_TASK_PAYLOAD', message: error.message, fields: error.issues, pageMessage: error.message };
  }
  // The public answer names no address: the log has the error (status 503 is logged below).
  if (isRedisConnectionError(error)) return { status: 503, code: 'SERVICE_UNAVAILABLE', message: REDIS_DOWN_MESSAGE, pageMessage: REDIS_DOWN_MESSAGE };
  if (error instanceof UnknownTaskError) return { status: 404, code: 'UNKNOWN_TASK', message: error.message, pageMessage: error.message };
  const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, code: STATUS_CODES[status] ?? 'BAD_REQUEST', message: error.message, pageMessage: error.message };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error; the failure was logged', pageMessage: INTERNAL_PAGE_MESSAGE };
}

/**
 * The app's one error handler: every error becomes `{ error: { code, message, fields? } }`, or,
 * for a request a section framed as a page (the admin), the same error as an HTML page in that
 * frame. 5xx never shows internals.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const problem = describeError(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if (request.pageFrame) {
      return reply.page(errorPageView(problem.status, problem.pageMessage, request.pageFrame), { status: problem.status });
    }
    return reply.status(problem.status).send(errorBody(problem.code, problem.message, problem.fields));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });
}

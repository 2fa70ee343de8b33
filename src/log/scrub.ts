/**
 * Query parameters must never reach a log line or a stored task result: they hold password hashes,
 * addresses and tokens. drizzle's query errors put them in their message ("Failed query: …\nparams:
 * a,b,c") and in `params`; PostgreSQL quotes row values in `detail` ("Failing row contains (…)",
 * "Key (email)=(…) already exists"). The statement itself stays: it says what failed.
 */

const PARAMS_IN_MESSAGE = /\nparams: [\s\S]*$/;
const PARAMETER_KEYS = new Set(['params', 'parameters']);
const MAX_CAUSE_DEPTH = 5;

/** The message without the "params: …" part drizzle appends. */
export function withoutQueryParameters(message: string): string {
  return message.replace(PARAMS_IN_MESSAGE, '\nparams: [redacted]');
}

/** PostgreSQL's detail without the row values it quotes. */
function withoutRowValues(detail: string): string {
  return detail.replace(/Failing row contains \([\s\S]*\)\.?/, 'Failing row contains [redacted].').replace(/\)=\([\s\S]*?\)( |\.|$)/g, ')=[redacted]$1');
}

/** A plain object for a log line: type, message, stack, the error's own fields and its causes, all without query parameters. */
export function serializeError(error: Error, depth = 0): Record<string, unknown> {
  const message = withoutQueryParameters(error.message);
  const out: Record<string, unknown> = { type: error.constructor.name, message };
  if (error.stack) out.stack = error.stack.replace(error.message, message);
  for (const [key, value] of Object.entries(error)) {
    if (PARAMETER_KEYS.has(key) || key === 'cause' || key === 'message' || key === 'stack') continue;
    out[key] = key === 'detail' && typeof value === 'string' ? withoutRowValues(value) : value;
  }
  if (error.cause instanceof Error && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** pino serializer for `err` and `error`: errors as above, strings (an error's message) without parameters. */
export function logSafeError(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  if (typeof value === 'string') return withoutQueryParameters(value);
  return value;
}

/**
 * Removes the parameters from an error that is about to be stored (a task's failure reason is
 * its message) and returns it.
 */
export function stripQueryParameters<E>(error: E): E {
  if (error instanceof Error) {
    const message = withoutQueryParameters(error.message);
    if (message !== error.message) {
      if (error.stack) error.stack = error.stack.replace(error.message, message);
      error.message = message;
    }
    for (const key of PARAMETER_KEYS) {
      if (key in error) Reflect.deleteProperty(error, key);
    }
  }
  return error;
}

/** One invalid input field, as the HTTP error body reports it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * An error a service raises for its caller to show: an HTTP status, a stable code
 * (`EMAIL_TAKEN`), a human message, and the fields at fault. Services stay free of fastify;
 * the HTTP error handler maps it to `{ error: { code, message, fields? } }`.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: readonly FieldError[] | undefined;

  constructor(status: number, code: string, message: string, fields?: readonly FieldError[]) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

/**
 * Throw when retrying cannot help (a 5xx SMTP reply, a record that no longer exists): a task fails
 * at once, without the remaining retries, and the message is recorded. Any other error class says
 * the same with a `permanent: true` property (see isPermanent).
 */
export class PermanentError extends Error {
  readonly permanent = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/**
 * Whether an error says retrying cannot help: a PermanentError, or any error carrying
 * `permanent: true` (MailPermanentError, a LoadRunError for a refused key, a missing notice…).
 * The task worker alone turns this into BullMQ's "fail now, no retries".
 */
export function isPermanent(error: unknown): error is Error & { permanent: true } {
  return error instanceof Error && (error as { permanent?: unknown }).permanent === true;
}

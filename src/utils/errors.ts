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

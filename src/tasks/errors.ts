export { PermanentError, isPermanent } from '../utils/errors.ts';

/** One invalid field of a task payload. */
export interface PayloadIssue {
  field: string;
  message: string;
}

/** A payload that does not match its task's schema; raised at enqueue, nothing is enqueued. */
export class TaskPayloadError extends Error {
  readonly taskName: string;
  readonly issues: readonly PayloadIssue[];

  constructor(taskName: string, issues: readonly PayloadIssue[]) {
    super(
      `invalid payload for task "${taskName}": ` +
        issues.map((issue) => `${issue.field || '(payload)'}: ${issue.message}`).join('; '),
    );
    this.name = 'TaskPayloadError';
    this.taskName = taskName;
    this.issues = issues;
  }
}

/** A task name that no registered task has. */
export class UnknownTaskError extends Error {
  readonly taskName: string;

  constructor(taskName: string, known: readonly string[]) {
    super(`unknown task "${taskName}"; registered tasks: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownTaskError';
    this.taskName = taskName;
  }
}

/** Nothing answers at REDIS_URL. */
export class RedisUnavailableError extends Error {
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`Redis does not answer at ${url}`, { cause });
    this.name = 'RedisUnavailableError';
    this.url = url;
  }
}

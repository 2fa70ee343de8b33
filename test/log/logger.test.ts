import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DatabaseHandle } from '../../src/db/index.ts';
import { createLogger } from '../../src/log/logger.ts';
import { users } from '../../src/modules/accounts/accounts.tables.ts';
import { defineTask } from '../../src/tasks/index.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const SECRET_HASH = 'scrypt$ln=15,r=8,p=1$c2VjcmV0LXNhbHQ$THIS-HASH-MUST-NOT-BE-LOGGED';

let database: DatabaseHandle | undefined;

/** Runs the insert that fails on a NUL byte, from inside a task, as a repository would. */
const failingInsert = defineTask({ name: 'logtest.failingInsert', queue: 'default', schema: z.object({}), retry: { attempts: 1, backoffMs: 10 } }, async () => {
  if (!database) throw new Error('no database');
  await database.db.insert(users).values({ email: 'task@example.com', name: '이름\u0000', passwordHash: SECRET_HASH });
});

/** A logger writing its lines into an array. */
function capturingLogger(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  return { log: createLogger('info', {}, { write: (line: string) => void lines.push(line) }), text: () => lines.join('') };
}

async function failureOf(work: Promise<unknown>): Promise<Error> {
  const outcome = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('the query did not fail');
  return outcome;
}

describe('query parameters never reach a log line or a task result (real PostgreSQL)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'logparams', database: 'postgres', services: false, worker: { queues: ['default'], tasks: [failingInsert] } });
    database = stack.db;
  });

  afterAll(() => stack.stop());

  it('logs a failed insert (a NUL byte in a name) with the statement but without its parameters', async () => {
    const error = await failureOf(stack.db.db.insert(users).values({ email: 'nul@example.com', name: '이름\u0000', passwordHash: SECRET_HASH }));
    // The driver's error does carry them: this is what must be stripped.
    expect(`${error.message} ${JSON.stringify(error)}`).toContain(SECRET_HASH);
    const { log, text } = capturingLogger();
    log.error({ err: error }, 'request failed');
    log.warn({ error: error.message }, 'task failed; retrying');
    const output = text();
    expect(output).toContain('Failed query: insert into \\"users\\"');
    expect(output).not.toContain(SECRET_HASH);
    expect(output).not.toContain('nul@example.com');
  });

  it('logs a constraint violation without the failing row PostgreSQL quotes in its detail', async () => {
    const error = await failureOf(stack.db.db.execute(sql`insert into users (email, name, password_hash) values (${'row@example.com'}, null, ${SECRET_HASH})`));
    const { log, text } = capturingLogger();
    log.error({ err: error }, 'request failed');
    const output = text();
    expect(output).toContain('null value in column');
    expect(output).not.toContain(SECRET_HASH);
  });

  it('records a task that failed on a query without the query parameters', async () => {
    const ref = await stack.core.broker.enqueue(failingInsert, {});
    const result = await stack.core.results.wait(ref.id, { timeoutMs: 15_000 });
    expect(result.state).toBe('FAILURE');
    expect(result.error).toContain('Failed query');
    expect(result.error).not.toContain(SECRET_HASH);
  });
});

// `npm run lint` runs this: it fails when the hand-written migrations (src/db/migrations) and the
// drizzle tables (*.tables.ts) describe different schemas. On an embedded PGlite: no server needed.
import { openPglite } from '../src/db/client.ts';
import { declaredTables, schemaDifferences } from './schema-check.ts';

const db = await openPglite(undefined);
try {
  const problems = await schemaDifferences(db.sql, await declaredTables());
  if (problems.length > 0) {
    process.stderr.write(
      `The SQL migrations and the *.tables.ts disagree (${problems.length}):\n${problems.map((line) => `  - ${line}`).join('\n')}\n` +
        'Write a migration for the table change (src/db/migrations/NNNN_name.sql), or change the table to match.\n',
    );
    process.exitCode = 1;
  } else {
    process.stdout.write('schema check: the SQL migrations and the drizzle tables agree\n');
  }
} finally {
  await db.close();
}

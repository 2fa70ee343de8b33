import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { boundariesConfig } from '../../eslint.boundaries.js';
import { ROOT } from '../helpers/processes.ts';

/** The lint rule of eslint.boundaries.js alone, on code that is not on disk. */
describe('the module boundary rule (npm run lint)', () => {
  let eslint: ESLint;

  beforeAll(() => {
    eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, boundariesConfig],
    });
  });

  const problems = async (file: string, code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
    return (result?.messages ?? []).map((message) => `${message.line} ${message.ruleId ?? ''}: ${message.message}`);
  };

  it("fails a deep import of another module's file, from a module, a process, the CLI or a benchmark", async () => {
    expect(await problems('src/modules/notifications/x.ts', "import { a } from '../accounts/accounts.service.ts';\n")).toEqual([
      "1 boundaries/dependencies: import the accounts module through its index.ts, not accounts.service.ts: a module's index is its only door",
    ]);
    expect(await problems('src/modules/dataload/sources/x.ts', "import { a } from '../../accounts/accounts.tables.ts';\n")).toHaveLength(1);
    expect(await problems('src/processes/x.ts', "import { a } from '../modules/admin/admin.service.ts';\n")).toHaveLength(1);
    expect(await problems('src/cli.ts', "import { a } from './modules/dataload/dataload.tasks.ts';\n")).toHaveLength(1);
    expect(await problems('bench/x.bench.ts', "import { a } from '../src/modules/policies/policies.index.ts';\n")).toHaveLength(1);
  });

  it("passes an import through a module's index, a file of the same module, and the shared machinery", async () => {
    const code = [
      "import { a } from '../accounts/index.ts';",
      "import { b } from './notifications.service.ts';",
      "import { c } from '../../tasks/index.ts';",
      "import { d } from '../../http/pages/page.ts';",
    ].join('\n');
    expect(await problems('src/modules/notifications/x.ts', `${code}\n`)).toEqual([]);
    expect(await problems('src/processes/x.ts', "import { a } from '../modules/accounts/index.ts';\nimport { b } from '../tasks/worker.ts';\n")).toEqual([]);
  });
});

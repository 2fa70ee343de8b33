import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RegisterCommands } from '../cli/kit.ts';
import { isRoutes, type AnyRoutes } from '../http/routes.ts';
import { TaskRegistry } from '../tasks/registry.ts';

const MODULES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../modules');

/** What a module contributes by file name: `*.tasks.ts`, `*.routes.ts`, `*.cli.ts`, `*.tables.ts`. */
export type ModuleFileKind = 'tasks' | 'routes' | 'cli' | 'tables';

export interface ModuleFile {
  /** `accounts/accounts.tasks.ts`, or the path given for an extra module. */
  source: string;
  exports: Record<string, unknown>;
}

/**
 * The one scanner (Celery's `autodiscover_tasks`, for routes and commands too): imports every
 * `src/modules/<domain>/*.<kind>.ts` in a stable order (domains, then files, by name), then the
 * `extra` module paths (TASK_MODULES) as given.
 */
export async function importModuleFiles(
  kind: ModuleFileKind,
  options: { modulesDir?: string; extra?: readonly string[] } = {},
): Promise<ModuleFile[]> {
  const modulesDir = options.modulesDir ?? MODULES_DIR;
  const pattern = new RegExp(`\\.${kind}\\.(ts|js)$`);
  const found: ModuleFile[] = [];
  const domains = (await readdir(modulesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  for (const domain of domains.sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(modulesDir, domain.name);
    const files = (await readdir(dir)).filter((file) => pattern.test(file) && !file.endsWith('.d.ts')).sort();
    for (const file of files) {
      const exports = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
      found.push({ source: `${domain.name}/${file}`, exports });
    }
  }
  for (const modulePath of options.extra ?? []) {
    const exports = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
    found.push({ source: modulePath, exports });
  }
  return found;
}

/** Every task and periodic entry the modules (and TASK_MODULES) declare; duplicate names are refused. */
export async function discoverTasks(extraModules: readonly string[] = []): Promise<TaskRegistry> {
  const registry = new TaskRegistry();
  for (const file of await importModuleFiles('tasks', { extra: extraModules })) registry.addModule(file.exports, file.source);
  registry.assertConsistent();
  return registry;
}

/** Every module's routes (the default export of `*.routes.ts`, made with defineRoutes). */
export async function discoverRoutes(): Promise<{ source: string; routes: AnyRoutes }[]> {
  return (await importModuleFiles('routes')).map(({ source, exports }) => {
    if (!isRoutes(exports.default)) throw new Error(`${source} has no default export made with defineRoutes()`);
    return { source, routes: exports.default };
  });
}

/** Every module's commands (the default export of `*.cli.ts`). */
export async function discoverCommands(): Promise<RegisterCommands[]> {
  return (await importModuleFiles('cli')).flatMap(({ exports }) =>
    typeof exports.default === 'function' ? [exports.default as RegisterCommands] : [],
  );
}

/**
 * A typed key for one dependency, e.g. `export const ACCOUNTS = depKey<AccountsService>('accounts')`.
 * Code that needs a dependency names its key (a task's `uses`, a routes file's `defineRoutes`); a
 * composition root provides the value (`deps.provide(ACCOUNTS, accounts)`). `D` is carried by the
 * type only; at run time a key is its name, and two keys are the same key only if they are the same object.
 */
export interface DepKey<D> {
  readonly name: string;
  /** Never set: makes `DepKey<A>` and `DepKey<B>` different types (invariant in `D`). */
  readonly __type?: (value: D) => D;
}

/** A key of any type, for collections of keys. */
export interface AnyDepKey {
  readonly name: string;
}

export function depKey<D>(name: string): DepKey<D> {
  return Object.freeze({ name });
}

/** A dependency someone asked for that no composition root provided. */
export class MissingDependencyError extends Error {
  constructor(readonly missing: readonly { key: string; neededBy: string }[]) {
    super(
      `dependencies not provided: ${missing.map((entry) => `${entry.neededBy} needs "${entry.key}"`).join('; ')}. ` +
        'Provide each key in the composition root of this process (src/processes/compose.ts).',
    );
    this.name = 'MissingDependencyError';
  }
}

/** The values a composition root provides, by key. */
export class Deps {
  private readonly values = new Map<AnyDepKey, unknown>();

  provide<D>(key: DepKey<D>, value: D): this {
    if (this.values.has(key)) throw new Error(`dependency "${key.name}" is provided twice`);
    this.values.set(key, value);
    return this;
  }

  has(key: AnyDepKey): boolean {
    return this.values.has(key);
  }

  /** @throws MissingDependencyError when the key was not provided. */
  get<D>(key: DepKey<D>, neededBy = '(caller)'): D {
    if (!this.values.has(key)) throw new MissingDependencyError([{ key: key.name, neededBy }]);
    return this.values.get(key) as D;
  }

  /**
   * Fails, naming every consumer and the key it lacks, unless every key asked for is provided;
   * called at boot so a missing dependency stops the process before it takes any work.
   */
  assertProvides(needs: Iterable<{ key: AnyDepKey; neededBy: string }>): void {
    const missing = [...needs].filter((need) => !this.values.has(need.key)).map((need) => ({ key: need.key.name, neededBy: need.neededBy }));
    if (missing.length > 0) throw new MissingDependencyError(missing);
  }
}

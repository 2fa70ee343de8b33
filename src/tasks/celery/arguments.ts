/**
 * A Celery call Python itself would refuse with a TypeError: too many positional arguments, an
 * unexpected or repeated keyword, a missing required argument. Retrying cannot fix it.
 */
export class CeleryArgumentsError extends TypeError {
  readonly permanent = true;

  constructor(message: string) {
    super(message);
    this.name = 'CeleryArgumentsError';
  }
}

/**
 * Binds a Celery message's `args` and `kwargs` to a Python signature the way `f(*args, **kwargs)`
 * does: positional arguments first, in order, then keywords by name. A parameter written `name?`
 * may be left out (it is then undefined); every other one is required.
 * @example celeryArguments(['user_id', 'email?', 'domain?'], [7, 'a@b.c', 'x.kr'], {}) → { user_id: 7, email: 'a@b.c', domain: 'x.kr' }
 * @throws CeleryArgumentsError with Python's wording
 */
export function celeryArguments(
  signature: readonly string[],
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const params = signature.map((param) => ({ name: param.replace(/\?$/, ''), optional: param.endsWith('?') }));
  if (args.length > params.length) {
    throw new CeleryArgumentsError(`takes ${params.length} positional argument${params.length === 1 ? '' : 's'} but ${args.length} were given`);
  }
  const bound: Record<string, unknown> = {};
  params.forEach((param, index) => {
    if (index < args.length) bound[param.name] = args[index];
  });
  for (const [name, value] of Object.entries(kwargs)) {
    if (!params.some((param) => param.name === name)) throw new CeleryArgumentsError(`got an unexpected keyword argument '${name}'`);
    if (name in bound) throw new CeleryArgumentsError(`got multiple values for argument '${name}'`);
    bound[name] = value;
  }
  const missing = params.filter((param) => !param.optional && !(param.name in bound)).map((param) => `'${param.name}'`);
  if (missing.length > 0) {
    throw new CeleryArgumentsError(`missing ${missing.length} required argument${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`);
  }
  return bound;
}

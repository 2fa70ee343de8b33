import { InvalidArgumentError } from 'commander';
import type { Core } from '../processes/core.ts';
import type { JsonObject, JsonValue } from '../tasks/celery/index.ts';
import { celeryToTaskResult, isFinished, type TaskResult } from '../tasks/index.ts';

/** A result and where it was found: our task layer, or Celery's result backend. */
export interface FoundResult {
  result: TaskResult;
  backend: 'ainfo' | 'celery';
}

/** Commander parser of a JSON option (`--args '[1, 2]'`), naming the flag in its error. */
export function jsonOption(flag: string, example: string): (value: string) => unknown {
  return (value) => {
    try {
      return JSON.parse(value) as unknown;
    } catch (error) {
      throw new InvalidArgumentError(`not JSON (${(error as Error).message}); quote it: ${flag} '${example}'`);
    }
  };
}

/** Commander parser of `--celery-queues celery,other`. */
export function parseCeleryQueues(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected comma-separated Celery queue names, e.g. celery,mail');
  return names;
}

export interface CeleryCallOptions {
  args?: unknown;
  kwargs?: unknown;
  queue?: string;
  countdown?: number;
  eta?: number;
  expires?: number;
  priority?: number;
  id?: string;
  wait?: boolean;
  timeoutMs: number;
}

/**
 * `ainfo call --celery <name>`: sends a protocol 2 message for a Celery worker (Python's
 * `app.send_task`) and reads its result from Celery's backend, once or until it is ready.
 * @throws TaskPayloadError naming each wrong option; nothing is sent then.
 */
export async function callCelery(core: Core, name: string, options: CeleryCallOptions): Promise<TaskResult> {
  const id = await core.celery.send(name, {
    // Parsed JSON of any shape: the producer refuses a non-array args or non-object kwargs, naming the option.
    args: options.args as JsonValue[] | undefined,
    kwargs: options.kwargs as JsonObject | undefined,
    ...(options.queue !== undefined ? { queue: options.queue } : {}),
    ...(options.countdown !== undefined ? { countdown: options.countdown } : {}),
    ...(options.eta !== undefined ? { eta: options.eta } : {}),
    ...(options.expires !== undefined ? { expires: options.expires } : {}),
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.id !== undefined ? { id: options.id } : {}),
  });
  const stored = options.wait ? await core.celery.wait(id, { timeoutMs: options.timeoutMs }) : await core.celery.get(id);
  // Celery stores the name only with result_extended; we know it.
  return { name, ...celeryToTaskResult(stored) };
}

/**
 * `ainfo result <id>`: ours when our task layer knows the id, else Celery's
 * (`celery-task-meta-<id>`). With `wait`, an id neither side knows yet is awaited on both, and the
 * first to finish answers.
 */
export async function findResult(core: Core, id: string, options: { wait?: boolean; timeoutMs: number }): Promise<FoundResult> {
  const ours = await core.results.get(id);
  if (ours.name !== undefined || ours.state !== 'PENDING') {
    return { result: options.wait ? await core.results.wait(id, { timeoutMs: options.timeoutMs }) : ours, backend: 'ainfo' };
  }
  const celery = await core.celery.get(id);
  if (celery.state !== 'PENDING') {
    const read = options.wait ? await core.celery.wait(id, { timeoutMs: options.timeoutMs }) : celery;
    return { result: celeryToTaskResult(read), backend: 'celery' };
  }
  if (!options.wait) return { result: ours, backend: 'ainfo' };
  const waits: Promise<FoundResult>[] = [
    core.results.wait(id, { timeoutMs: options.timeoutMs }).then((result) => ({ result, backend: 'ainfo' as const })),
    core.celery.wait(id, { timeoutMs: options.timeoutMs }).then((result) => ({ result: celeryToTaskResult(result), backend: 'celery' as const })),
  ];
  return new Promise((resolve) => {
    let left = waits.length;
    let fallback: FoundResult = { result: ours, backend: 'ainfo' };
    const settle = (found?: FoundResult): void => {
      if (found && isFinished(found.result.state)) resolve(found);
      else if (found && found.backend === 'ainfo') fallback = found;
      left -= 1;
      if (left === 0) resolve(fallback);
    };
    for (const wait of waits) {
      wait.then(settle, () => {
        settle();
      });
    }
  });
}

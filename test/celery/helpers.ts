import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import {
  CeleryConsumer,
  CeleryResultBackend,
  KombuKeys,
  type CeleryConsumerOptions,
  type JsonObject,
  type JsonValue,
} from '../../src/tasks/celery/index.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';
import { testExecute } from './test-tasks.ts';

/** Debian's interpreter, where python3-celery installs (not the pyenv python3 first on PATH). */
export const PYTHON = '/usr/bin/python3';
export const PYAPP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pyapp');

/** Whether Debian's Celery can be imported; in CI its absence is a failure, elsewhere a skip. */
export const celeryAvailable: boolean = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import celery, redis'], { stdio: 'ignore' });
  const available = probe.status === 0;
  if (!available && !process.env.CI) {
    console.warn(`skipping the Celery interop tests: ${PYTHON} cannot import celery (apt-get install python3-celery python3-redis)`);
  }
  return available;
})();

/** In CI a missing python3-celery fails the run instead of skipping it. */
export function requireCeleryInCi(): void {
  if (!celeryAvailable && process.env.CI) {
    throw new Error(`CI must run the Celery interop tests: ${PYTHON} cannot import celery (see .ci/run)`);
  }
}

/** One test file's corner of the shared Redis: its own database number and a queue name no one else uses. */
export interface CeleryTestEnv {
  brokerUrl: string;
  queue: string;
  /** Environment for the Python app (test/celery/pyapp/app.py). */
  python(extra?: Record<string, string>): Record<string, string>;
}

export function celeryTestEnv(db: number, label: string): CeleryTestEnv {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = `/${db}`;
  const brokerUrl = url.toString();
  const queue = `ainfo-test-celery-${label}-${randomBytes(4).toString('hex')}`;
  return {
    brokerUrl,
    queue,
    python: (extra = {}) => ({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      PYTHONPATH: PYAPP_DIR,
      PYTHONDONTWRITEBYTECODE: '1',
      CELERY_BROKER_URL: brokerUrl,
      CELERY_RESULT_BACKEND: brokerUrl,
      CELERY_QUEUE: queue,
      ...extra,
    }),
  };
}

/** A pino logger whose lines the test can read. */
export function capturedLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => lines };
}

/** Resolves once `check` holds; rejects with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every state published for `id` (Celery's result channel) while `action` runs and until a ready state arrives. */
export async function publishedStates(redis: Redis, id: string, action: () => Promise<unknown>, timeoutMs = 20_000): Promise<string[]> {
  const subscriber = redis.duplicate();
  const states: string[] = [];
  subscriber.on('message', (_channel: string, value: string) => states.push((JSON.parse(value) as { status: string }).status));
  await subscriber.subscribe(`celery-task-meta-${id}`);
  try {
    await action();
    await waitUntil('a ready state was published', () => states.some((state) => ['SUCCESS', 'FAILURE', 'REVOKED'].includes(state)), timeoutMs);
  } finally {
    subscriber.disconnect();
  }
  return states;
}

/** A Python process of the test app, with its output kept for assertions and failures. */
export interface PythonProcess {
  child: ChildProcess;
  output(): string;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function spawnPython(args: readonly string[], env: Record<string, string>): PythonProcess {
  const child = spawn(PYTHON, args, { cwd: PYAPP_DIR, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const matches = (text: string | RegExp): boolean => (typeof text === 'string' ? output.includes(text) : text.test(output));
  return {
    child,
    output: () => output,
    exited,
    async waitFor(text, timeoutMs = 30_000) {
      try {
        await waitUntil(`python printed ${String(text)}`, () => matches(text), timeoutMs);
      } catch (error) {
        throw new Error(`${(error as Error).message}; output so far:\n${output.slice(-3000)}`);
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A Celery worker of the test app: `/usr/bin/python3 -m celery -A app worker -Q <queue>`, by default `--pool solo`. */
export async function startPythonWorker(
  env: Record<string, string>,
  queue: string,
  name: string,
  options: readonly string[] = ['--pool', 'solo', '--loglevel', 'info'],
): Promise<PythonProcess> {
  const worker = spawnPython(
    ['-m', 'celery', '-A', 'app', 'worker', '-Q', queue, '-n', `${name}@%h`, '--without-heartbeat', '--without-gossip', '--without-mingle', ...options],
    env,
  );
  await worker.waitFor(/ready\./);
  return worker;
}

/** Celery beat of the test app, with its schedule file in a temporary directory. */
export function startPythonBeat(env: Record<string, string>, scheduleFile: string): PythonProcess {
  return spawnPython(['-m', 'celery', '-A', 'app', 'beat', '--loglevel', 'info', '-s', scheduleFile], env);
}

/** The Python producer side, driven one JSON command per line (test/celery/pyapp/driver.py). */
export class PythonDriver {
  private readonly process: PythonProcess;
  private buffer = '';
  private readonly pending: ((line: string) => void)[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(env: Record<string, string>) {
    this.process = spawnPython(['driver.py'], env);
    this.process.child.stdout?.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.pending.shift()?.(line);
        newline = this.buffer.indexOf('\n');
      }
    });
    // A driver that dies answers every waiting call at once (with its output), not after a timeout.
    void this.process.exited.then(() => {
      this.failAll();
    });
  }

  private failAll(): void {
    for (const answer of this.pending.splice(0)) answer('');
  }

  static async start(env: Record<string, string>): Promise<PythonDriver> {
    const driver = new PythonDriver(env);
    await driver.next();
    return driver;
  }

  private next(): Promise<Record<string, JsonValue>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the Python driver did not answer; output:\n${this.process.output().slice(-3000)}`));
      }, 60_000);
      this.pending.push((line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as Record<string, JsonValue>);
        } catch {
          reject(new Error(`the Python driver did not answer with JSON; output:\n${this.process.output().slice(-3000)}`));
        }
      });
    });
  }

  /** Sends one command and resolves with its answer; commands run one after another. */
  call(command: JsonObject): Promise<Record<string, JsonValue>> {
    const answer = this.chain.then(async () => {
      const reply = this.next();
      this.process.child.stdin?.write(`${JSON.stringify(command)}\n`);
      const result = await reply;
      if (typeof result.error === 'string') throw new Error(`Python: ${result.error}`);
      return result;
    });
    this.chain = answer.catch(() => undefined);
    return answer;
  }

  /** Sends a task the way Django code would and returns its id. */
  async send(op: 'delay' | 'apply_async' | 'send_task', task: string, args: JsonValue[] = [], extra: JsonObject = {}): Promise<string> {
    const answer = await this.call({ op, task, args, ...extra });
    if (typeof answer.id !== 'string') throw new Error(`the Python driver sent no id: ${JSON.stringify(answer)}`);
    return answer.id;
  }

  /** `AsyncResult(id).get(timeout=…)` in Python. */
  get(id: string, timeout = 20): Promise<Record<string, JsonValue>> {
    return this.call({ op: 'get', id, timeout });
  }

  async close(): Promise<void> {
    this.process.child.stdin?.end();
    await Promise.race([this.process.exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await this.process.stop('SIGKILL');
  }
}

/**
 * Deletes exactly this test's keys from its database: every key named after its unique queue
 * (the lists, their priority lists, the marks), the queue's binding, the results whose id is given,
 * starts with the queue name or whose stored queue is ours, and our entries in the shared unacked
 * and rejected structures.
 */
export async function cleanupCelery(brokerUrl: string, queue: string, ids: Iterable<string> = []): Promise<void> {
  const redis = new Redis(brokerUrl, { maxRetriesPerRequest: 1 });
  const keys = new KombuKeys();
  try {
    const doomed = new Set<string>([...ids].map((id) => `celery-task-meta-${id}`));
    const ours = (name: unknown): boolean => typeof name === 'string' && name.startsWith(queue);
    // Ids a test chooses start with its queue name too.
    for (const pattern of [`${queue}*`, keys.binding(`${queue}*`), `celery-task-meta-${queue}*`, 'celery-task-meta-*']) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of found) {
          if (pattern !== 'celery-task-meta-*') doomed.add(key);
          else if (ours((JSON.parse((await redis.get(key)) ?? '{}') as { queue?: unknown }).queue)) doomed.add(key);
        }
      } while (cursor !== '0');
    }
    if (doomed.size > 0) await redis.del(...doomed);
    const unacked = await redis.hgetall(keys.unacked);
    for (const [tag, entry] of Object.entries(unacked)) {
      if (entry.includes(`"routing_key": "${queue}`) || entry.includes(`"routing_key":"${queue}`)) await redis.multi().hdel(keys.unacked, tag).zrem(keys.unackedIndex, tag).exec();
    }
    // A consumer SIGKILLed during a sweep leaves kombu's restore lock to expire (300 s); this
    // database is the file's own, so nobody else's sweep holds it.
    await redis.del(keys.unackedMutex);
    for (const entry of await redis.lrange(keys.rejected, 0, -1)) {
      if (ours((JSON.parse(entry) as { queue?: string }).queue)) await redis.lrem(keys.rejected, 0, entry);
    }
  } finally {
    redis.disconnect();
  }
}

/** What a test file of the Celery interop needs: its Redis, the Python producer, our consumers. */
export interface CeleryHarness {
  env: CeleryTestEnv;
  redis: Redis;
  driver: PythonDriver;
  backend: CeleryResultBackend;
  log: Logger;
  lines: () => Record<string, unknown>[];
  consumers: CeleryConsumer[];
  /** Python workers to SIGKILL at the end if still running. */
  workers: PythonProcess[];
  /** Our consumer (running the test tasks) on `queue`, started. */
  startConsumer(queue: string, concurrency?: number, overrides?: Partial<CeleryConsumerOptions>): Promise<CeleryConsumer>;
}

export async function startHarness(env: CeleryTestEnv, visibilityTimeoutSeconds: number): Promise<CeleryHarness> {
  const redis = new Redis(env.brokerUrl);
  const { log, lines } = capturedLogger();
  const consumers: CeleryConsumer[] = [];
  return {
    env,
    redis,
    driver: await PythonDriver.start(env.python()),
    backend: new CeleryResultBackend(redis),
    log,
    lines,
    consumers,
    workers: [],
    async startConsumer(queue, concurrency = 2, overrides = {}) {
      const consumer = new CeleryConsumer({
        brokerUrl: env.brokerUrl,
        queues: [queue],
        concurrency,
        execute: testExecute(redis),
        log,
        resultExtended: true,
        visibilityTimeoutSeconds,
        ...overrides,
      });
      consumers.push(consumer);
      await consumer.start();
      return consumer;
    },
  };
}

/** Stops everything the harness started and deletes exactly the file's keys (also after a failed start). */
export async function closeHarness(harness: CeleryHarness | undefined, env: CeleryTestEnv): Promise<void> {
  try {
    if (!harness) return;
    await Promise.all(harness.consumers.map((consumer) => consumer.close({ graceMs: 5_000 })));
    await Promise.all(harness.workers.map((worker) => worker.stop('SIGKILL')));
    await harness.driver.close();
    await harness.backend.close();
    harness.redis.disconnect();
  } finally {
    await cleanupCelery(env.brokerUrl, env.queue);
  }
}

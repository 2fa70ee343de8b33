import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeCeleryMessage,
  encodeCeleryMessage,
  KombuKeys,
  parseCeleryDate,
  priorityStep,
  pyRepr,
  type CeleryDecodeResult,
  type CeleryTaskMessage,
  type JsonObject,
  type JsonValue,
} from '../../src/tasks/celery/index.ts';
import { celeryAvailable, celeryTestEnv, closeHarness, requireCeleryInCi, startHarness, type CeleryHarness } from './helpers.ts';

const base64 = (value: JsonValue): string => Buffer.from(JSON.stringify(value)).toString('base64');

/** A protocol 2 envelope as kombu writes it, with parts replaced. */
function envelope(parts: { headers?: JsonObject; properties?: JsonObject; body?: string; contentType?: string } = {}): string {
  return JSON.stringify({
    body: parts.body ?? base64([[1, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]),
    'content-encoding': 'utf-8',
    'content-type': parts.contentType ?? 'application/json',
    headers: { lang: 'py', task: 'tests.add', id: 'task-1', retries: 0, eta: null, expires: null, ...parts.headers },
    properties: {
      correlation_id: 'task-1',
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: 'celery' },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: 'tag-1',
      ...parts.properties,
    },
  });
}

function decoded(result: CeleryDecodeResult): CeleryTaskMessage {
  if (!result.ok) throw new Error(`rejected: ${result.rejection.reason}`);
  return result.message;
}

describe('the protocol 2 codec', () => {
  it.each([
    ['text that is not JSON', 'not json', 'bad-json', 'DecodeError'],
    ['an envelope without properties', JSON.stringify({ body: '' }), 'bad-envelope', 'InvalidTaskError'],
    ['a pickled body', envelope({ contentType: 'application/x-python-serialize' }), 'content-type', 'ContentDisallowed'],
    ['a body that is not base64', envelope({ body: '%%%' }), 'encoding', 'DecodeError'],
    ['an unknown compression', envelope({ headers: { compression: 'application/x-lzma' } }), 'encoding', 'DecodeError'],
    ['a protocol 1 body', envelope({ headers: { task: null }, body: base64({ task: 'tests.add', id: 'v1', args: [] }) }), 'protocol-1', 'InvalidTaskError'],
    ['a body that is not [args, kwargs, embed]', envelope({ body: base64({ args: [] }) }), 'bad-body', 'InvalidTaskError'],
    ['an unreadable ETA', envelope({ headers: { eta: 'tomorrow' } }), 'bad-header', 'InvalidTaskError'],
    ['a message without a delivery tag', envelope({ properties: { delivery_tag: null } }), 'bad-envelope', 'InvalidTaskError'],
  ])('rejects %s with a reason and the exception Celery would name', (_label, raw, code, exceptionType) => {
    const result = decodeCeleryMessage(raw, 'celery');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection).toMatchObject({ code, exception: { type: exceptionType } });
    expect(result.rejection.reason.length).toBeGreaterThan(10);
  });

  it('keeps the id and name of a rejected message it could read, so a FAILURE can be stored for it', () => {
    const pickled = decodeCeleryMessage(envelope({ contentType: 'application/x-python-serialize' }), 'celery');
    expect(pickled).toMatchObject({ ok: false, rejection: { id: 'task-1', task: 'tests.add', deliveryTag: 'tag-1' } });
    const v1 = decodeCeleryMessage(envelope({ headers: { task: null, id: null }, body: base64({ task: 'tests.add', id: 'v1-id' }) }), 'celery');
    expect(v1).toMatchObject({ ok: false, rejection: { id: 'v1-id', task: 'tests.add' } });
  });

  it('reads a zlib-compressed body, as kombu compresses it', () => {
    const body = deflateSync(JSON.stringify([['압축'], { n: 1 }, null])).toString('base64');
    const message = decoded(decodeCeleryMessage(envelope({ body, headers: { compression: 'application/x-gzip' } }), 'celery'));
    expect(message).toMatchObject({ args: ['압축'], kwargs: { n: 1 } });
  });

  it('round-trips what it encodes, with ETA and expiry to the millisecond and the priority clamped as kombu does', () => {
    const eta = new Date('2026-05-01T10:00:00.123Z');
    const expires = new Date('2026-05-02T10:00:00.456Z');
    const raw = encodeCeleryMessage({ id: 'abc', task: 'app.tasks.x', args: ['한글', 1], kwargs: { a: null }, queue: 'mail', priority: 7, eta, expires, retries: 2 });
    const message = decoded(decodeCeleryMessage(raw, 'mail'));
    expect(message).toMatchObject({ id: 'abc', task: 'app.tasks.x', args: ['한글', 1], kwargs: { a: null }, priority: 7, retries: 2, rootId: 'abc', routingKey: 'mail', exchange: '' });
    expect(message.eta?.toISOString()).toBe(eta.toISOString());
    expect(message.expires?.toISOString()).toBe(expires.toISOString());
    expect(message.headers.eta).toBe('2026-05-01T10:00:00.123000+00:00');
    const clamped = decoded(decodeCeleryMessage(envelope({ properties: { priority: 42 } }), 'celery'));
    expect(clamped.priority).toBe(9);
  });

  it('reads Celery moments: with an offset, with Z, and without one as UTC (enable_utc)', () => {
    expect(parseCeleryDate('2026-05-01T19:00:00.5+09:00')?.toISOString()).toBe('2026-05-01T10:00:00.500Z');
    expect(parseCeleryDate('2026-05-01T10:00:00.123456Z')?.toISOString()).toBe('2026-05-01T10:00:00.123Z');
    expect(parseCeleryDate('2026-05-01T10:00:00')?.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(parseCeleryDate('next week')).toBeUndefined();
  });

  it("names kombu's priority lists: 0-2 the queue itself, then \\x06\\x163, \\x06\\x166, \\x06\\x169", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(priorityStep)).toEqual([0, 0, 0, 3, 3, 3, 6, 6, 6, 9]);
    const keys = new KombuKeys();
    expect([0, 4, 8, 9].map((priority) => keys.queue('celery', priority))).toEqual(['celery', 'celery\x06\x163', 'celery\x06\x166', 'celery\x06\x169']);
    expect(new KombuKeys('tenant:').unacked).toBe('tenant:unacked');
  });
});

requireCeleryInCi();

describe.skipIf(!celeryAvailable)('the codec against what Python Celery 5.2.6 writes', () => {
  const env = celeryTestEnv(12, 'protocol');
  let h: CeleryHarness;

  beforeAll(async () => {
    h = await startHarness(env, 3_600);
  });

  afterAll(() => closeHarness(h, env));

  /** Sends from Python to a queue nobody consumes and returns the raw list element. */
  const sentByPython = async (task: string, args: JsonValue[], options: JsonObject, list: string): Promise<string> => {
    await h.driver.send('send_task', task, args, { kwargs: { k: '값' }, options: { queue: env.queue, ...options } });
    const raw = await h.redis.rpop(list);
    if (raw === null) throw new Error(`nothing on ${list}`);
    return raw;
  };

  it('decodes an apply_async message with countdown, expires and priority from the list kombu chose', async () => {
    const sentAt = Date.now();
    const raw = await sentByPython('tests.add', [1, '둘'], { countdown: 30, expires: 60, priority: 4 }, `${env.queue}\x06\x163`);
    const message = decoded(decodeCeleryMessage(raw, env.queue));
    expect(message).toMatchObject({ task: 'tests.add', args: [1, '둘'], kwargs: { k: '값' }, priority: 4, retries: 0, exchange: '', routingKey: env.queue, redelivered: false });
    expect(message.rootId).toBe(message.id);
    expect(message.origin).toMatch(/@/);
    expect(message.eta?.getTime()).toBeGreaterThanOrEqual(sentAt + 29_000);
    expect(message.expires?.getTime()).toBeGreaterThan(message.eta?.getTime() ?? Infinity);
  });

  it('decodes a zlib-compressed message Python sent', async () => {
    const raw = await sentByPython('tests.add', [3, 4], { compression: 'zlib' }, env.queue);
    expect(JSON.parse(raw)).toMatchObject({ headers: { compression: 'application/x-gzip' } });
    expect(decoded(decodeCeleryMessage(raw, env.queue))).toMatchObject({ args: [3, 4], kwargs: { k: '값' } });
  });

  it('encodes the same header and property fields as Python, in the same order', async () => {
    const python = JSON.parse(await sentByPython('tests.add', [1], { expires: 60 }, env.queue)) as Record<string, JsonObject>;
    const ours = JSON.parse(encodeCeleryMessage({ id: 'x', task: 'tests.add', args: [1], kwargs: {}, queue: env.queue, priority: 0, expires: new Date(Date.now() + 60_000) })) as Record<string, JsonObject>;
    expect(Object.keys(ours)).toEqual(Object.keys(python));
    expect(Object.keys(ours.headers ?? {})).toEqual(Object.keys(python.headers ?? {}));
    expect(Object.keys(ours.properties ?? {})).toEqual(Object.keys(python.properties ?? {}));
  });

  it("writes argsrepr and kwargsrepr as Python's repr does", async () => {
    const cases: [JsonValue[], JsonObject][] = [
      [[1, 2], {}],
      [['한글', "it's", 'say "hi"', 'tab\there', null, true, false], { nested: [1, { a: 'b' }], 'quote\'key': 1 }],
      [[[]], { empty: {} }],
      [[3.5, -2], {}],
    ];
    for (const [args, kwargs] of cases) {
      const python = await h.driver.call({ op: 'argsrepr', args, kwargs });
      expect({ argsrepr: pyRepr(args, 'tuple'), kwargsrepr: pyRepr(kwargs) }).toEqual(python);
    }
  });
});

import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { brotliDecompressSync, inflateSync } from 'node:zlib';

/**
 * Celery's task message protocol 2 with the JSON serializer, as kombu 5.2's Redis transport stores
 * it (one JSON envelope per list element). Verified against Debian's celery 5.2.6 / kombu 5.2.4:
 * `celery/app/amqp.py` (as_task_v2), `kombu/transport/virtual/base.py` (the envelope, base64 body),
 * `celery/worker/strategy.py` + `request.py` (what a worker reads), `kombu/compression.py`.
 */

/** A value Celery's json serializer carries (kombu 5.2 writes plain JSON, no type tags). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = Record<string, JsonValue>;

/** An exception as Celery's result backend stores it (`Backend.prepare_exception`). */
export interface CeleryException {
  /** Class name (`exc_type`), e.g. `ValueError`, `NotRegistered`. */
  type: string;
  /** Python module of the class (`exc_module`); Python rebuilds the class from it when it can. */
  module: string | null;
  /** The exception's args (`exc_message`); usually one message. */
  args: JsonValue[];
}

/** The canvas part of a message body (`[args, kwargs, embed]`); null when unused. */
export interface CeleryCanvas {
  callbacks: JsonValue;
  errbacks: JsonValue;
  chain: JsonValue;
  chord: JsonValue;
}

/** A decoded protocol 2 task message. */
export interface CeleryTaskMessage {
  /** Task id (`headers.id`), the key of its result. */
  id: string;
  /** Registered task name (`headers.task`), e.g. `accounts.tasks.send_verify_email`. */
  task: string;
  args: JsonValue[];
  kwargs: JsonObject;
  /** How many times the task was retried before this run (`headers.retries`). */
  retries: number;
  /** Run no earlier than this (`headers.eta`); undefined = now. */
  eta: Date | undefined;
  /** Revoke instead of running after this (`headers.expires`). */
  expires: Date | undefined;
  /** kombu's Redis priority 0–9: lower runs first (0, the default, is the highest). */
  priority: number;
  /** The queue (list) the message was fetched from. */
  queue: string;
  /** Routing of the message (`properties.delivery_info`); where a restore puts it back. */
  exchange: string;
  routingKey: string;
  /** Set by kombu when the message was restored after its consumer did not acknowledge it. */
  redelivered: boolean;
  rootId: string | undefined;
  parentId: string | undefined;
  groupId: string | undefined;
  groupIndex: number | undefined;
  /** Producer's node name (`headers.origin`), e.g. `gen123@host`. */
  origin: string | undefined;
  /** Do not store the return value (failures are still stored, as Celery does). */
  ignoreResult: boolean;
  /** `[hard, soft]` seconds from `headers.timelimit`; not enforced here (see docs/celery.md). */
  timeLimit: [number | null, number | null];
  canvas: CeleryCanvas;
  /** kombu's delivery tag (`properties.delivery_tag`): the key in the `unacked` hash. */
  deliveryTag: string;
  headers: JsonObject;
  properties: JsonObject;
}

/** Why a message cannot be run; the consumer logs it, keeps it aside, and stores FAILURE when it can. */
export interface CeleryRejection {
  code: 'bad-json' | 'bad-envelope' | 'content-type' | 'encoding' | 'protocol-1' | 'bad-body' | 'bad-header' | 'canvas';
  reason: string;
  /** What a Celery worker would name the error (ContentDisallowed, DecodeError, InvalidTaskError). */
  exception: CeleryException;
  id?: string;
  task?: string;
  deliveryTag?: string;
  exchange?: string;
  routingKey?: string;
}

export type CeleryDecodeResult = { ok: true; message: CeleryTaskMessage } | { ok: false; rejection: CeleryRejection };

const JSON_CONTENT_TYPE = 'application/json';
/** kombu/compression.py: the mime types kombu writes in `headers.compression`, and how to undo them. */
const DECOMPRESSORS: Readonly<Record<string, (data: Buffer) => Buffer>> = {
  // kombu registers zlib.compress under this name (not gzip framing).
  'application/x-gzip': (data) => inflateSync(data),
  'application/x-brotli': (data) => brotliDecompressSync(data),
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function exception(type: string, module: string, message: string): CeleryException {
  return { type, module, args: [message] };
}

/**
 * Parses an ISO 8601 moment as Celery writes it (`datetime.isoformat()`, e.g.
 * `2024-05-01T10:00:00.123456+00:00`). A moment without an offset is read as UTC, as a worker
 * with Celery's default `enable_utc=True` does. Returns undefined when it is not a moment.
 */
export function parseCeleryDate(value: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!match) return undefined;
  const [, date, time, zone] = match;
  const offset = zone === undefined ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${date}T${time}${offset}`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** A moment as Celery writes `eta`/`expires`: ISO 8601 with microseconds and an explicit UTC offset. */
export function formatCeleryDate(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** `date_done` as Celery writes it: `datetime.utcnow().isoformat()`, naive UTC with microseconds. */
export function formatDateDone(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

/** A rejection with the exception a Celery worker would report for it. */
export function celeryRejection(
  code: CeleryRejection['code'],
  reason: string,
  found: Partial<CeleryRejection> = {},
): CeleryRejection {
  const byCode: Record<CeleryRejection['code'], CeleryException> = {
    'bad-json': exception('DecodeError', 'kombu.exceptions', reason),
    encoding: exception('DecodeError', 'kombu.exceptions', reason),
    'content-type': exception('ContentDisallowed', 'kombu.exceptions', reason),
    'bad-envelope': exception('InvalidTaskError', 'celery.exceptions', reason),
    'protocol-1': exception('InvalidTaskError', 'celery.exceptions', reason),
    'bad-body': exception('InvalidTaskError', 'celery.exceptions', reason),
    'bad-header': exception('InvalidTaskError', 'celery.exceptions', reason),
    canvas: exception('InvalidTaskError', 'celery.exceptions', reason),
  };
  return { code, reason, exception: byCode[code], ...found };
}

function reject(code: CeleryRejection['code'], reason: string, found: Partial<CeleryRejection> = {}): CeleryDecodeResult {
  return { ok: false, rejection: celeryRejection(code, reason, found) };
}

/**
 * Decodes one kombu Redis envelope into a protocol 2 task message. Never throws: anything that is
 * not a JSON protocol 2 message comes back as a rejection with a reason a person can act on.
 * `queue` is the list it was fetched from (the fallback routing key).
 */
export function decodeCeleryMessage(raw: string, queue: string): CeleryDecodeResult {
  let envelope: unknown;
  try {
    envelope = JSON.parse(raw);
  } catch (error) {
    return reject('bad-json', `the message is not JSON (${(error as Error).message})`);
  }
  if (!isObject(envelope) || !isObject(envelope.properties)) {
    return reject('bad-envelope', 'the message is not a kombu envelope (an object with body, headers and properties)');
  }
  const properties = envelope.properties as JsonObject;
  const headers = (isObject(envelope.headers) ? envelope.headers : {}) as JsonObject;
  const deliveryInfo = isObject(properties.delivery_info) ? properties.delivery_info : {};
  const routing = {
    deliveryTag: optionalString(properties.delivery_tag),
    exchange: typeof deliveryInfo.exchange === 'string' ? deliveryInfo.exchange : '',
    routingKey: optionalString(deliveryInfo.routing_key) ?? queue,
  };
  const found: Partial<CeleryRejection> = {
    ...routing,
    id: optionalString(headers.id),
    task: optionalString(headers.task),
  };

  const contentType = typeof envelope['content-type'] === 'string' ? envelope['content-type'] : '';
  if (contentType !== JSON_CONTENT_TYPE) {
    return reject(
      'content-type',
      `content type "${contentType || '(none)'}" is not accepted: only JSON is (set task_serializer='json' and accept_content=['json'] on the Celery side)`,
      found,
    );
  }
  const text = decodeBody(envelope.body, properties.body_encoding, headers.compression, envelope['content-encoding']);
  if (typeof text !== 'string') return reject('encoding', text.error, found);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return reject('bad-json', `the message body is not JSON (${(error as Error).message})`, found);
  }

  if (typeof headers.task !== 'string') {
    if (isObject(body) && typeof body.task === 'string') {
      return reject(
        'protocol-1',
        'this is a task protocol 1 message; only protocol 2 is accepted (set task_protocol=2, the default since Celery 4)',
        { ...found, id: optionalString(body.id), task: body.task },
      );
    }
    return reject('bad-header', 'the message has no task name (headers.task)', found);
  }
  if (!found.id) return reject('bad-header', 'the message has no task id (headers.id)', found);
  if (!Array.isArray(body) || body.length !== 3 || !Array.isArray(body[0]) || !isObject(body[1])) {
    return reject('bad-body', 'the body is not protocol 2 [args, kwargs, embed]', found);
  }
  const embed = isObject(body[2]) ? (body[2] as JsonObject) : {};
  const canvas: CeleryCanvas = {
    callbacks: embed.callbacks ?? null,
    errbacks: embed.errbacks ?? null,
    chain: embed.chain ?? null,
    chord: embed.chord ?? null,
  };

  const eta = readDate(headers.eta);
  if (eta === 'invalid') return reject('bad-header', `invalid ETA value ${JSON.stringify(headers.eta)}`, found);
  const expires = readDate(headers.expires);
  if (expires === 'invalid') return reject('bad-header', `invalid expires value ${JSON.stringify(headers.expires)}`, found);
  if (!routing.deliveryTag) return reject('bad-envelope', 'the message has no delivery tag (properties.delivery_tag)', found);

  const timeLimit = Array.isArray(headers.timelimit) ? headers.timelimit : [];
  const limit = (value: JsonValue | undefined): number | null => (typeof value === 'number' ? value : null);
  const redelivered = headers.redelivered === true || deliveryInfo.redelivered === true;
  return {
    ok: true,
    message: {
      id: found.id,
      task: headers.task,
      args: body[0] as JsonValue[],
      kwargs: body[1] as JsonObject,
      retries: typeof headers.retries === 'number' && Number.isInteger(headers.retries) ? headers.retries : 0,
      eta,
      expires,
      priority: clampPriority(properties.priority),
      queue,
      exchange: routing.exchange,
      routingKey: routing.routingKey,
      redelivered,
      rootId: optionalString(headers.root_id),
      parentId: optionalString(headers.parent_id),
      groupId: optionalString(headers.group),
      groupIndex: typeof headers.group_index === 'number' ? headers.group_index : undefined,
      origin: optionalString(headers.origin),
      ignoreResult: headers.ignore_result === true,
      timeLimit: [limit(timeLimit[0]), limit(timeLimit[1])],
      canvas,
      deliveryTag: routing.deliveryTag,
      headers,
      properties,
    },
  };
}

function readDate(value: JsonValue | undefined): Date | undefined | 'invalid' {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return 'invalid';
  return parseCeleryDate(value) ?? 'invalid';
}

/** kombu clamps a message's priority to 0–9 and treats anything unreadable as 0. */
export function clampPriority(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return 0;
  return Math.max(0, Math.min(9, Math.trunc(number)));
}

function decodeBody(
  body: unknown,
  bodyEncoding: JsonValue | undefined,
  compression: JsonValue | undefined,
  contentEncoding: unknown,
): string | { error: string } {
  if (typeof body !== 'string') return { error: 'the message body is not a string' };
  let bytes: Buffer;
  if (bodyEncoding === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.replace(/\s/g, ''))) return { error: 'the message body is not valid base64' };
    bytes = Buffer.from(body, 'base64');
  } else if (bodyEncoding === undefined || bodyEncoding === null) {
    bytes = Buffer.from(body, 'utf8');
  } else {
    return { error: `body encoding ${JSON.stringify(bodyEncoding)} is not supported (kombu's Redis transport writes base64)` };
  }
  if (compression !== undefined && compression !== null) {
    const decompress = typeof compression === 'string' ? DECOMPRESSORS[compression] : undefined;
    if (!decompress) {
      return { error: `compression ${JSON.stringify(compression)} is not supported (use none, zlib or brotli)` };
    }
    try {
      bytes = decompress(bytes);
    } catch (error) {
      return { error: `the body could not be decompressed (${(error as Error).message})` };
    }
  }
  const encoding = typeof contentEncoding === 'string' ? contentEncoding.toLowerCase() : 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'utf8') {
    return { error: `content encoding "${encoding}" is not supported (JSON messages are utf-8)` };
  }
  return bytes.toString('utf8');
}

/**
 * The kombu envelope of a decoded message as it was on the list (kombu's `Message.serializable()`:
 * the body re-encoded without compression), for keeping a rejected message aside.
 */
export function envelopeOf(message: CeleryTaskMessage): string {
  const { compression: _compression, ...headers } = message.headers;
  const body: JsonValue = [message.args, message.kwargs, { ...message.canvas }];
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body), 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': JSON_CONTENT_TYPE,
    headers,
    properties: message.properties,
  });
}

/** What a producer decides; everything else in the message follows Celery's defaults. */
export interface CeleryMessageSpec {
  id: string;
  task: string;
  args: JsonValue[];
  kwargs: JsonObject;
  /** Queue name; the message goes to kombu's anonymous exchange with this routing key, as Celery does for a direct queue. */
  queue: string;
  priority: number;
  eta?: Date;
  expires?: Date;
  retries?: number;
  rootId?: string;
  parentId?: string;
  groupId?: string;
  ignoreResult?: boolean;
}

/** Celery's `anon_nodename()` shape, for `headers.origin`. */
export const ORIGIN = `ainfo${process.pid}@${os.hostname()}`;

/**
 * Encodes a protocol 2 message exactly as `celery.app.amqp.as_task_v2` + kombu's Redis channel
 * would: the JSON envelope a Python worker takes from the list.
 */
export function encodeCeleryMessage(spec: CeleryMessageSpec): string {
  const body: JsonValue = [spec.args, spec.kwargs, { callbacks: null, errbacks: null, chain: null, chord: null }];
  const headers: JsonObject = {
    lang: 'py',
    task: spec.task,
    id: spec.id,
    shadow: null,
    eta: spec.eta ? formatCeleryDate(spec.eta) : null,
    expires: spec.expires ? formatCeleryDate(spec.expires) : null,
    group: spec.groupId ?? null,
    group_index: null,
    retries: spec.retries ?? 0,
    timelimit: [null, null],
    root_id: spec.rootId ?? spec.id,
    parent_id: spec.parentId ?? null,
    argsrepr: pyRepr(spec.args, 'tuple'),
    kwargsrepr: pyRepr(spec.kwargs),
    origin: ORIGIN,
    ignore_result: spec.ignoreResult ?? false,
  };
  const properties: JsonObject = {
    correlation_id: spec.id,
    reply_to: '',
    delivery_mode: 2,
    // Celery also hands the time-to-live to the transport in ms (AMQP's expiration property).
    ...(spec.expires ? { expiration: String(Math.max(0, Math.trunc(spec.expires.getTime() - Date.now()))) } : {}),
    delivery_info: { exchange: '', routing_key: spec.queue },
    priority: spec.priority,
    body_encoding: 'base64',
    delivery_tag: randomUUID(),
  };
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body), 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': JSON_CONTENT_TYPE,
    headers,
    properties,
  });
}

const ARGSREPR_MAX = 1024;

/** `celery.utils.saferepr` of a JSON value, for `argsrepr`/`kwargsrepr` (what logs and Flower show). */
export function pyRepr(value: JsonValue, sequence: 'list' | 'tuple' = 'list'): string {
  const text = reprOf(value, sequence);
  return text.length > ARGSREPR_MAX ? `${text.slice(0, ARGSREPR_MAX)}...` : text;
}

function reprOf(value: JsonValue, sequence: 'list' | 'tuple' = 'list'): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => reprOf(item));
    if (sequence === 'tuple') return items.length === 1 ? `(${items[0] ?? ''},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  return `{${Object.entries(value)
    .map(([key, item]) => `${reprString(key)}: ${reprOf(item)}`)
    .join(', ')}}`;
}

/** celery.utils.saferepr quotes text in single quotes, escaping only the quote (tabs and newlines stay as they are). */
function reprString(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

import { z } from 'zod';

/** Accepts "true/false/1/0/yes/no" as a boolean environment value. */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();

const url = (protocols: readonly string[]) =>
  z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`) });

/**
 * Every environment variable the service reads, with its default. This is the only place where
 * process.env is interpreted; `loadConfig` turns it into the nested, frozen `Config`.
 */
export const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty`: human-readable lines (pino-pretty); `json`: one JSON object a line. Unset: pretty on a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),

  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Which X-Forwarded-For hops to believe for the client IP (rate limits, the audit log): false;
   * a hop count (1 = one proxy in front); comma-separated proxy addresses/CIDRs or the names
   * loopback, linklocal, uniquelocal; or true (every hop: the left-most entry, which the client writes).
   */
  TRUST_PROXY: z
    .string()
    .regex(
      /^(true|false|\d{1,2}|((loopback|linklocal|uniquelocal|[0-9a-fA-F.:/]+)\s*(,\s*|$))+)$/,
      'false, a hop count (1), proxy addresses/CIDRs (10.0.0.5,192.168.0.0/16, loopback), or true',
    )
    .default('false'),
  /** Unset: `http://localhost:<PORT>`, the port actually listened on. */
  PUBLIC_URL: url(['http', 'https']).optional(),
  DATA_DIR: z.string().min(1).default('./data'),

  /** rediss:// connects over TLS (managed Redis); user and password go in the URL. */
  REDIS_URL: url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  /**
   * REDIS_URL names one node of a Redis Cluster (the others are learned from it). Needs a
   * hash-tagged QUEUE_PREFIX (unset: `{ainfo}`), so that every key lives in one slot.
   */
  REDIS_CLUSTER: booleanFromEnv.default(false),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}.-]+$/, 'letters, digits, _ . - { } only (no ":")')
    .default('ainfo'),
  TASK_RESULT_TTL_SECONDS: positiveInt.default(86_400),
  TASK_RESULT_MAX_COUNT: positiveInt.default(100_000),
  WORKER_CONCURRENCY: positiveInt.optional(),
  /** Extra task modules to load besides the discovered src/modules/<domain>/<domain>.tasks.ts (Celery's `include`), comma-separated paths. */
  TASK_MODULES: z.string().optional(),
  TASK_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  SHUTDOWN_GRACE_MS: nonNegativeInt.default(30_000),

  /** Celery queues (kombu lists) the worker also consumes, comma-separated; unset = Celery interop off. */
  CELERY_QUEUES: z
    .string()
    .regex(/^\s*[^\s,]+(\s*,\s*[^\s,]+)*\s*$/, 'comma-separated queue names, e.g. celery,mail')
    .optional(),
  /** The Celery side's broker_url (kombu keys are unprefixed, so they sit beside ours); unset = REDIS_URL. */
  CELERY_REDIS_URL: url(['redis', 'rediss']).optional(),
  /** The Celery side's result_backend; unset = CELERY_REDIS_URL. */
  CELERY_RESULT_REDIS_URL: url(['redis', 'rediss']).optional(),
  /** Celery's result_expires; 0 keeps results forever. */
  CELERY_RESULT_EXPIRES_SECONDS: nonNegativeInt.default(86_400),
  /** kombu's visibility_timeout: an unacknowledged message whose consumer stopped is restored after this. */
  CELERY_VISIBILITY_TIMEOUT_SECONDS: positiveInt.default(3_600),

  DATABASE_URL: url(['postgres', 'postgresql']).optional(),

  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(1_209_600),
  VERIFY_TOKEN_TTL_HOURS: positiveInt.default(24),
  RESET_TOKEN_TTL_MINUTES: positiveInt.default(60),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(10),

  SMTP_URL: url(['smtp', 'smtps']).optional(),
  MAIL_FROM: z.string().min(3).default('AInfo <no-reply@ainfo.local>'),
  MAIL_RATE_PER_SECOND: nonNegativeInt.default(10),
  /** How long a notice delivery being sent is held by its run; a run that takes over waits for it. */
  NOTICE_DELIVERY_LEASE_MS: z.coerce.number().int().min(1_000).default(120_000),

  CHROMA_URL: url(['http', 'https']).optional(),
  CHROMA_COLLECTION: z.string().min(3).default('policies'),
  EMBEDDINGS: z
    .string()
    .regex(/^(lexical|openai|local:.+)$/, 'one of: lexical, openai, local:<model dir>')
    .default('lexical'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  EMBEDDINGS_BASE_URL: url(['http', 'https']).default('https://api.openai.com/v1'),
  EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),

  /** Who writes Ask AInfo's answers: `extractive` (offline, quotes the documents) or `openai` (LLM_*). */
  ASK_ANSWERER: z.enum(['extractive', 'openai']).default('extractive'),
  /** Any OpenAI-compatible chat-completions server (`…/v1`); needed with ASK_ANSWERER=openai. */
  LLM_BASE_URL: url(['http', 'https']).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  /** Per model request, and the longest silence between two streamed pieces. */
  LLM_TIMEOUT_MS: positiveInt.default(20_000),
  /** Retries of a model request after a 429, a 5xx or a timeout. */
  LLM_MAX_RETRIES: nonNegativeInt.default(2),
  /** Conversations untouched for this many days are deleted by the daily prune. */
  ASK_RETENTION_DAYS: positiveInt.default(90),
  /** Questions per minute per client (anonymous) or per user (signed in), across web processes. */
  ASK_RATE_LIMIT_PER_MINUTE: positiveInt.default(20),

  GOV24_API_KEY: z.string().min(1).optional(),
  GOV24_BASE_URL: url(['http', 'https']).default('https://api.odcloud.kr/api/gov24/v3'),
  YOUTH_POLICY_API_KEY: z.string().min(1).optional(),
  YOUTH_POLICY_BASE_URL: url(['http', 'https']).default('https://www.youthcenter.go.kr/go/ythip/getPlcy'),
  WORK24_API_KEY: z.string().min(1).optional(),
  WORK24_BASE_URL: url(['http', 'https']).default(
    'https://www.work24.go.kr/cm/openApi/call/wk/callOpenApiSvcInfo217L01.do',
  ),
  PUBLIC_API_REQUESTS_PER_SECOND: z.coerce.number().positive().default(1),
  PUBLIC_API_TIMEOUT_MS: positiveInt.default(10_000),
  PUBLIC_API_RETRIES: nonNegativeInt.default(4),
  PUBLIC_API_RETRY_BACKOFF_MS: nonNegativeInt.default(2_000),
  PUBLIC_API_PAGE_SIZE: positiveInt.max(1000).optional(),

  METRICS_ENABLED: booleanFromEnv.default(true),
  /** Set: /metrics on the web port, behind `Authorization: Bearer <token>`. Unset: only on METRICS_HOST:METRICS_PORT. */
  METRICS_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
});

export type Env = z.infer<typeof envSchema>;

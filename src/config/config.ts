import path from 'node:path';
import { envSchema, type Env } from './config.schema.ts';

/** The typed, nested, frozen configuration every other module receives. */
export type Config = ReturnType<typeof shapeConfig>;

/** One wrong environment variable. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Thrown when the environment is invalid; lists every wrong variable at once. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue.variable}: ${issue.message}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function shapeConfig(env: Env) {
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    http: {
      port: env.PORT,
      host: env.HOST,
      /** Fastify's trustProxy: which X-Forwarded-For hops to believe for the client's IP. */
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      /**
       * Base of every link we send; never derived from a request's Host header. Unset: this
       * machine on the port the web process listens on.
       */
      publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    },
    dataDir,
    redis: { url: env.REDIS_URL, cluster: env.REDIS_CLUSTER },
    tasks: {
      prefix: env.QUEUE_PREFIX,
      resultTtlSeconds: env.TASK_RESULT_TTL_SECONDS,
      resultMaxCount: env.TASK_RESULT_MAX_COUNT,
      /** Unset: each queue's own default (QUEUE_SETTINGS). */
      concurrency: env.WORKER_CONCURRENCY,
      /** How long a worker holds a task before others consider it stalled (renewed while it runs). */
      lockMs: env.TASK_LOCK_MS,
      /** Extra `*.tasks.ts` modules (absolute or relative to the working directory). */
      extraModules: (env.TASK_MODULES ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .map((entry) => path.resolve(entry)),
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    },
    celery: {
      /** Empty: the worker consumes no Celery queue. */
      queues: (env.CELERY_QUEUES ?? '')
        .split(',')
        .map((queue) => queue.trim())
        .filter(Boolean),
      brokerUrl: env.CELERY_REDIS_URL ?? env.REDIS_URL,
      resultUrl: env.CELERY_RESULT_REDIS_URL ?? env.CELERY_REDIS_URL ?? env.REDIS_URL,
      resultExpiresSeconds: env.CELERY_RESULT_EXPIRES_SECONDS,
      visibilityTimeoutSeconds: env.CELERY_VISIBILITY_TIMEOUT_SECONDS,
    },
    db: {
      /** Unset: embedded PGlite under `<dataDir>/pg`. */
      url: env.DATABASE_URL,
      pgliteDir: path.join(dataDir, 'pg'),
    },
    auth: {
      jwtSecret: env.JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      verifyTokenTtlMs: env.VERIFY_TOKEN_TTL_HOURS * 3_600_000,
      resetTokenTtlMs: env.RESET_TOKEN_TTL_MINUTES * 60_000,
      rateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
    },
    mail: {
      /** Unset: the dev mailbox (mail stored in the database, shown at /admin/mailbox). */
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      /** 0 turns the shared rate limit off. */
      ratePerSecond: env.MAIL_RATE_PER_SECOND,
      /** Must outlast a network partition a worker may come back from mid-send (docs/scaling.md). */
      deliveryLeaseMs: env.NOTICE_DELIVERY_LEASE_MS,
    },
    vector: {
      /** Unset: a Chroma server started from the chromadb package under `<dataDir>/chroma`. */
      chromaUrl: env.CHROMA_URL,
      chromaDir: path.join(dataDir, 'chroma'),
      collection: env.CHROMA_COLLECTION,
    },
    embeddings: {
      kind: env.EMBEDDINGS,
      openaiApiKey: env.OPENAI_API_KEY,
      baseUrl: env.EMBEDDINGS_BASE_URL.replace(/\/+$/, ''),
      model: env.EMBEDDINGS_MODEL,
    },
    ask: {
      answerer: env.ASK_ANSWERER,
      retentionDays: env.ASK_RETENTION_DAYS,
      rateLimitPerMinute: env.ASK_RATE_LIMIT_PER_MINUTE,
    },
    llm: {
      baseUrl: env.LLM_BASE_URL?.replace(/\/+$/, ''),
      model: env.LLM_MODEL,
      apiKey: env.LLM_API_KEY,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxRetries: env.LLM_MAX_RETRIES,
    },
    publicApis: {
      requestsPerSecond: env.PUBLIC_API_REQUESTS_PER_SECOND,
      timeoutMs: env.PUBLIC_API_TIMEOUT_MS,
      /** Retries of one request after the first attempt (5xx, 429, timeouts, "try later" envelopes). */
      retries: env.PUBLIC_API_RETRIES,
      /** First retry backoff; doubles each retry. */
      retryBackoffMs: env.PUBLIC_API_RETRY_BACKOFF_MS,
      /** Records per page for every source; unset: each source's own default (정부24 500, 온통청년 100, 고용24 100). */
      pageSize: env.PUBLIC_API_PAGE_SIZE,
      gov24: { apiKey: env.GOV24_API_KEY, baseUrl: env.GOV24_BASE_URL },
      youth: { apiKey: env.YOUTH_POLICY_API_KEY, baseUrl: env.YOUTH_POLICY_BASE_URL },
      work24: { apiKey: env.WORK24_API_KEY, baseUrl: env.WORK24_BASE_URL },
    },
    metrics: {
      enabled: env.METRICS_ENABLED,
      /** Set: /metrics is served on the web port to this bearer token. Unset: on the listener below only. */
      token: env.METRICS_TOKEN,
      /** The metrics listener of a web process without a token; loopback unless told otherwise. */
      host: env.METRICS_HOST,
      port: env.METRICS_PORT,
    },
  } as const;
}

/** Fastify's trustProxy: a boolean, a hop count, or the proxies' addresses as given. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads the environment (default: process.env) into a frozen Config.
 * Empty strings count as unset, as they do in most .env files.
 * @throws ConfigError listing every wrong variable.
 */
export function loadConfig(source: Readonly<Record<string, string | undefined>> = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: issue.path.map(String).join('.') || '(env)',
        message: issue.message,
      })),
    );
  }
  const env = { ...parsed.data };
  const clusterIssues: ConfigIssue[] = [];
  if (env.REDIS_CLUSTER) {
    // BullMQ's scripts touch several keys of a queue at once, and a flow several queues: on a
    // cluster they must share one slot, which only a hash tag in the prefix gives.
    if (cleaned.QUEUE_PREFIX === undefined) env.QUEUE_PREFIX = `{${env.QUEUE_PREFIX}}`;
    else if (!/\{[^{}]+\}/.test(env.QUEUE_PREFIX)) {
      clusterIssues.push({
        variable: 'QUEUE_PREFIX',
        message: `on a Redis Cluster (REDIS_CLUSTER) the prefix needs a hash tag so that every key lives in one slot, e.g. {${env.QUEUE_PREFIX.replace(/[{}]/g, '')}}`,
      });
    }
    // kombu names its keys itself (no hash tag possible) and does not speak the cluster protocol.
    if (env.CELERY_QUEUES !== undefined && env.CELERY_REDIS_URL === undefined) {
      clusterIssues.push({
        variable: 'CELERY_REDIS_URL',
        message: 'Celery interop needs a Redis that is not a cluster: set CELERY_REDIS_URL to the Celery side\'s own Redis',
      });
    }
  }
  if (clusterIssues.length > 0) throw new ConfigError(clusterIssues);
  return deepFreeze(shapeConfig(env));
}

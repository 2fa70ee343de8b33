import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { envSchema } from '../../src/config/config.schema.ts';

const readExample = (): Promise<string> => readFile(new URL('../../.env.example', import.meta.url), 'utf8');

describe('config', () => {
  it('gives the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.tasks.prefix).toBe('ainfo');
    expect(config.http.port).toBe(8000);
    expect(config.http.publicUrl).toBe('http://localhost:8000');
    expect(config.tasks.resultTtlSeconds).toBe(86_400);
    expect(config.db.url).toBeUndefined();
    expect(config.mail.smtpUrl).toBeUndefined();
  });

  it('leaves Celery interop off by default, on the Celery side\'s db of REDIS_URL, with kombu\'s and Celery\'s defaults', () => {
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/0' }).celery).toEqual({
      queues: [],
      brokerUrl: 'redis://cache:6379/0',
      resultUrl: 'redis://cache:6379/0',
      resultExpiresSeconds: 86_400,
      visibilityTimeoutSeconds: 3_600,
    });
    const celery = loadConfig({ CELERY_QUEUES: ' celery, mail ', CELERY_REDIS_URL: 'redis://cache:6379/2', CELERY_RESULT_REDIS_URL: 'redis://cache:6379/3' }).celery;
    expect(celery).toMatchObject({ queues: ['celery', 'mail'], brokerUrl: 'redis://cache:6379/2', resultUrl: 'redis://cache:6379/3' });
    expect(() => loadConfig({ CELERY_QUEUES: 'celery,,mail', CELERY_VISIBILITY_TIMEOUT_SECONDS: '0' })).toThrow(
      /CELERY_QUEUES[\s\S]*CELERY_VISIBILITY_TIMEOUT_SECONDS/,
    );
  });

  it('puts every key in one hash slot on a Redis Cluster: a tagged prefix by default, an untagged one refused', () => {
    expect(loadConfig({ REDIS_CLUSTER: 'true' })).toMatchObject({ redis: { cluster: true }, tasks: { prefix: '{ainfo}' } });
    expect(loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'prod-{ainfo}' }).tasks.prefix).toBe('prod-{ainfo}');
    expect(loadConfig({ QUEUE_PREFIX: 'ainfo' }).redis.cluster).toBe(false);
    expect(() => loadConfig({ REDIS_CLUSTER: 'true', QUEUE_PREFIX: 'ainfo' })).toThrow(/QUEUE_PREFIX: .*hash tag.*\{ainfo\}/);
    // kombu's keys cannot carry our tag: Celery interop needs a Redis of its own.
    expect(() => loadConfig({ REDIS_CLUSTER: 'true', CELERY_QUEUES: 'celery' })).toThrow(/CELERY_REDIS_URL/);
    expect(loadConfig({ REDIS_CLUSTER: 'true', CELERY_QUEUES: 'celery', CELERY_REDIS_URL: 'redis://celery:6379/0' }).celery.brokerUrl).toBe('redis://celery:6379/0');
    expect(loadConfig({ REDIS_URL: 'rediss://user:secret@redis.example.kr:6380/0' }).redis.url).toBe('rediss://user:secret@redis.example.kr:6380/0');
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.tasks)).toBe(true);
    expect(() => {
      (config.http as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('lists every wrong variable at once', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://not-redis',
        QUEUE_PREFIX: 'has:colon',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'nope',
        TASK_RESULT_TTL_SECONDS: '-5',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const variables = (caught as ConfigError).issues.map((issue) => issue.variable).sort();
    expect(variables).toEqual(['LOG_LEVEL', 'PORT', 'PUBLIC_URL', 'QUEUE_PREFIX', 'REDIS_URL', 'TASK_RESULT_TTL_SECONDS']);
    expect((caught as ConfigError).message).toContain('6 problems');
  });

  it('treats empty strings as unset and trims a trailing slash off PUBLIC_URL', () => {
    const config = loadConfig({ SMTP_URL: '', PUBLIC_URL: 'https://ainfo.example.kr/' });
    expect(config.mail.smtpUrl).toBeUndefined();
    expect(config.http.publicUrl).toBe('https://ainfo.example.kr');
  });
});

describe('.env.example', () => {
  it('lists every variable the config reads, and no other', async () => {
    const example = await readExample();
    const listed = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]).sort();
    expect(listed).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('is a valid configuration when copied to .env', async () => {
    // Node's own .env parser, the one `ainfo` uses through process.loadEnvFile.
    const parsed = parseEnv(await readExample()) as Record<string, string>;
    expect(() => loadConfig(parsed)).not.toThrow();
    expect(loadConfig(parsed).log.level).toBe('info');
  });
});

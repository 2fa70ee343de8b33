import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

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

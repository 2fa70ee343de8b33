import type { Redis } from 'ioredis';
import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import { messageIdDomain, type Mailer } from '../../mail/index.ts';
import type { TaskProducer } from '../../tasks/index.ts';
import { AccessTokens } from './access-tokens.ts';
import { AccountsRepository } from './accounts.repository.ts';
import { AccountsService, type AccountsSettings } from './accounts.service.ts';
import { resolveJwtSecret } from './jwt-secret.ts';
import { RedisRateCounter } from './rate-counter.ts';
import { WebSessions } from './web-sessions.ts';

/** Mails of one kind per address per window before further requests are accepted and dropped. */
export const MAILS_PER_ADDRESS = { max: 5, windowSeconds: 3_600 } as const;

/** Login attempts on one address from one client IP per window: enough for a person who forgot, a cap for a guesser there. */
export const LOGINS_PER_ADDRESS_AND_CLIENT = { max: 10, windowSeconds: 900 } as const;

/**
 * After 5 failures on an address in 15 minutes (from anywhere), each attempt waits 0.5 s, then
 * 1, 2, 4, 8 s and no more: a guesser spread over many addresses gets a few tries an hour per
 * account, the owner waits 8 s at worst and is never locked out.
 */
export const LOGIN_SLOWDOWN = { freeFailures: 5, stepMs: 500, maxDelayMs: 8_000, windowSeconds: 900 } as const;

/** What the accounts module is built from. */
export interface AccountsModuleDeps {
  db: DatabaseHandle;
  /** Shared rate-limit counters. */
  redis: Redis;
  producer: TaskProducer;
  mailer: Mailer;
  config: Config;
  log: Logger;
  /** Other per-address limits than the defaults above. */
  limits?: Partial<Pick<AccountsSettings, 'mailsPerAddress' | 'loginsPerAddressAndClient' | 'loginSlowdown'>>;
}

/**
 * The accounts module's factory: its service, on the database, Redis, the producer and the mailer
 * it is given. The JWT secret is resolved on first use, so a process that never signs or checks a
 * token never touches the secret file.
 */
export function createAccounts(deps: AccountsModuleDeps): AccountsService {
  const { config, log } = deps;
  let secret: Promise<Buffer> | undefined;
  const getSecret = (): Promise<Buffer> => {
    secret ??= resolveJwtSecret(config, log).catch((error: unknown) => {
      secret = undefined;
      throw error;
    });
    return secret;
  };
  return new AccountsService({
    repository: new AccountsRepository(deps.db),
    accessTokens: new AccessTokens(getSecret, config.auth.accessTokenTtlSeconds),
    secret: getSecret,
    producer: deps.producer,
    mailer: deps.mailer,
    rateCounter: new RedisRateCounter(deps.redis, config.tasks.prefix),
    webSessions: new WebSessions(deps.redis, config.tasks.prefix),
    settings: {
      publicUrl: config.http.publicUrl,
      verifyTokenTtlMs: config.auth.verifyTokenTtlMs,
      resetTokenTtlMs: config.auth.resetTokenTtlMs,
      refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
      messageIdDomain: messageIdDomain(config),
      mailsPerAddress: MAILS_PER_ADDRESS,
      loginsPerAddressAndClient: LOGINS_PER_ADDRESS_AND_CLIENT,
      loginSlowdown: LOGIN_SLOWDOWN,
      ...deps.limits,
    },
    log,
  });
}

import type { Config } from '../../config/config.ts';
import type { DatabaseHandle } from '../../db/index.ts';
import type { Logger } from '../../log/logger.ts';
import { messageIdDomain } from '../../mail/index.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { Broker } from '../../tasks/broker.ts';
import { AccessTokens } from './access-tokens.ts';
import { AccountsRepository } from './accounts.repository.ts';
import { AccountsService, type AccountsSettings } from './accounts.service.ts';
import { sendResetPasswordEmail, sendVerifyEmail } from './accounts.tasks.ts';
import { resolveJwtSecret } from './jwt-secret.ts';
import type { ScryptParams } from './passwords.ts';
import { RedisRateCounter } from './rate-counter.ts';

/** Mails of one kind per address per window before further requests are accepted and dropped. */
export const MAILS_PER_ADDRESS = { max: 5, windowSeconds: 3_600 } as const;

/** Login attempts per address per window, whatever the IP; generous for people, a cap for guessing. */
export const LOGINS_PER_ADDRESS = { max: 20, windowSeconds: 900 } as const;

/**
 * Wires the accounts service for the composition root. The JWT secret is resolved on first use,
 * so a process that never signs or checks a token (beat) never touches the secret file.
 */
export function createAccountsService(options: {
  config: Config;
  database: () => DatabaseHandle;
  broker: Broker;
  mailer: Mailer;
  log: Logger;
  passwordParams?: ScryptParams;
  /** Other per-address limits than the defaults above. */
  limits?: Partial<Pick<AccountsSettings, 'mailsPerAddress' | 'loginsPerAddress'>>;
}): AccountsService {
  const { config, log, broker } = options;
  let secret: Promise<Buffer> | undefined;
  const getSecret = (): Promise<Buffer> => {
    secret ??= resolveJwtSecret(config, log).catch((error: unknown) => {
      secret = undefined;
      throw error;
    });
    return secret;
  };
  return new AccountsService({
    repository: new AccountsRepository(options.database),
    accessTokens: new AccessTokens(getSecret, config.auth.accessTokenTtlSeconds),
    mailQueue: {
      async sendVerifyEmail(userId) {
        await broker.enqueue(sendVerifyEmail, { userId });
      },
      async sendResetPasswordEmail(userId) {
        await broker.enqueue(sendResetPasswordEmail, { userId });
      },
    },
    mailer: options.mailer,
    rateCounter: new RedisRateCounter(broker.connection, config.tasks.prefix),
    settings: {
      publicUrl: config.http.publicUrl,
      verifyTokenTtlMs: config.auth.verifyTokenTtlMs,
      resetTokenTtlMs: config.auth.resetTokenTtlMs,
      refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
      messageIdDomain: messageIdDomain(config),
      mailsPerAddress: MAILS_PER_ADDRESS,
      loginsPerAddress: LOGINS_PER_ADDRESS,
      ...options.limits,
    },
    log,
    ...(options.passwordParams ? { passwordParams: options.passwordParams } : {}),
  });
}

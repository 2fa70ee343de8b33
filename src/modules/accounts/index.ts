// The accounts module's public API: the only file other code imports from this folder.
export { createAccounts, LOGIN_SLOWDOWN, LOGINS_PER_ADDRESS_AND_CLIENT, MAILS_PER_ADDRESS, type AccountsModuleDeps } from './accounts.module.ts';
export {
  AccountsService,
  toPublicUser,
  type AccountIdentity,
  type AuthUser,
  type DeliveryOutcome,
  type LoginCheck,
  type PublicUser,
  type SessionTokens,
  type SignupAccepted,
  type TokenProblem,
} from './accounts.service.ts';
export type { UserFilter, UserListItem } from './accounts.repository.ts';
export { ACCOUNTS, ACCOUNT_MAIL_RETRY, purgeExpiredTokens, sendAccountExistsEmail, sendResetPasswordEmail, sendVerifyEmail } from './accounts.tasks.ts';
export { userIdReference } from './accounts.tables.ts';
export { currentNoticeConsent, noticeRecipients } from './accounts.sql.ts';

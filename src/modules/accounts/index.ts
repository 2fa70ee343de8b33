// The accounts module's public API: the only file other code imports from this folder.
export { createAccounts, LOGIN_SLOWDOWN, LOGINS_PER_ADDRESS_AND_CLIENT, MAILS_PER_ADDRESS, type AccountsModuleDeps } from './accounts.module.ts';
export {
  AccountsService,
  toPublicUser,
  type AccountIdentity,
  type AuthUser,
  type DeliveryOutcome,
  type LoginCheck,
  type Me,
  type WebLoginResult,
  type PublicUser,
  type SessionTokens,
  type SignupAccepted,
  type TokenProblem,
} from './accounts.service.ts';
export type { UserFilter, UserListItem } from './accounts.repository.ts';
export { ACCOUNTS, ACCOUNT_MAIL_RETRY, purgeExpiredTokens, sendAccountExistsEmail, sendResetPasswordEmail, sendVerifyEmail } from './accounts.tasks.ts';
export { userIdReference } from './accounts.tables.ts';
export { currentNoticeConsent, noticeRecipients } from './accounts.sql.ts';
export { ageFromBirthYear, SITUATION_LABELS, type Profile } from './accounts.profile.ts';
export { SITUATIONS, type Situation } from './accounts.tables.ts';

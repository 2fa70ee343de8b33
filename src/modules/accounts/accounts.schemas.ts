import { z } from 'zod';
import { hasHiddenCharacters, looksLikeLink } from '../../utils/text.ts';
import { SITUATIONS } from './accounts.tables.ts';
import { PASSWORD_MAX_LENGTH } from './passwords.ts';

/** Trimmed, at most 254 characters (RFC 5321), a plausible address. */
export const emailSchema = z
  .string()
  .trim()
  .max(254, '이메일 주소가 너무 깁니다.')
  .pipe(z.email({ error: '올바른 이메일 주소가 아닙니다.' }));

/** Strength is checked by the service (it needs the e-mail); here only the bounds. */
export const passwordSchema = z.string().min(1, '비밀번호를 입력해 주세요.').max(PASSWORD_MAX_LENGTH, `비밀번호는 ${PASSWORD_MAX_LENGTH}자 이하여야 합니다.`);

export const tokenSchema = z.string().min(1, '토큰이 없습니다.').max(200, '유효하지 않은 토큰입니다.');

/**
 * A person's name: mail greets them with it, so one plain line (no line breaks, control or
 * direction characters) and nothing a mail client would link or a reader take for an address.
 */
export const nameSchema = z
  .string()
  .trim()
  .min(1, '이름을 입력해 주세요.')
  .max(100, '이름은 100자 이하여야 합니다.')
  .refine((name) => !hasHiddenCharacters(name), '이름은 줄바꿈이나 제어 문자 없이 한 줄로 입력해 주세요.')
  .refine((name) => !looksLikeLink(name), '이름에는 웹 주소, 도메인, 이메일 주소를 쓸 수 없습니다.');

export const signupBody = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  noticeConsent: z.boolean().optional(),
});

/** A user's public id: random (UUID), the only id the API shows. */
const publicIdSchema = z.uuid().describe('the user\'s public id (random; the API never shows the internal sequential id)');

export const publicUserSchema = z.object({
  id: publicIdSchema,
  email: z.string(),
  name: z.string(),
  emailVerified: z.boolean(),
  noticeConsent: z.boolean(),
  isAdmin: z.boolean(),
  createdAt: z.string(),
});

/** GET /api/accounts/me: the account and the profile (null where not told). */
export const meSchema = publicUserSchema.extend({
  birthYear: z.number().int().nullable(),
  regionSido: z.string().nullable().describe('short 시도 key, e.g. 서울'),
  regionSigungu: z.string().nullable().describe('a 시군구 of regionSido, e.g. 강남구'),
  situation: z.enum(SITUATIONS).nullable(),
});

export const changePasswordBody = z.object({ currentPassword: passwordSchema, newPassword: passwordSchema });
export const deleteAccountBody = z.object({ password: passwordSchema });

export const sessionSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
  refreshToken: z.string(),
});

export const acceptedSchema = z.object({ status: z.literal('accepted'), message: z.string() });

/** Signup's answer, the same whether the address was free or taken (no enumeration). */
export const signupAcceptedSchema = acceptedSchema.extend({ email: z.string() });

export const loginBody = z.object({ email: z.string().trim().max(254), password: passwordSchema });
export const emailBody = z.object({ email: emailSchema });
export const tokenBody = z.object({ token: tokenSchema });
export const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
export const resetConfirmBody = z.object({ token: tokenSchema, newPassword: passwordSchema });

/** Query-string booleans: only the two spellings an operator types. */
const queryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');

export const usersQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  q: z.string().trim().max(100).optional().describe('part of the e-mail address or the name'),
  consent: queryBoolean.optional(),
  verified: queryBoolean.optional(),
});

export const userList = z.object({
  items: z.array(
    z.object({
      id: publicIdSchema,
      email: z.string(),
      name: z.string(),
      noticeConsent: z.boolean(),
      emailVerified: z.boolean(),
      emailVerifiedAt: z.string().nullable(),
      isAdmin: z.boolean(),
      createdAt: z.string(),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

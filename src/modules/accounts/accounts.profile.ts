import { z } from 'zod';
import { AppError, type FieldError } from '../../utils/errors.ts';
import { findSido, sidoOf } from '../../utils/regions.ts';
import { nameSchema } from './accounts.schemas.ts';
import { SITUATIONS, type Situation, type UserRow } from './accounts.tables.ts';

/** The profile's 상황, as people read it. */
export const SITUATION_LABELS: Readonly<Record<Situation, string>> = {
  student: '학생',
  'job-seeking': '구직 중',
  employed: '재직',
  'starting-business': '창업 준비',
  other: '기타',
};

/** What a person told about themselves (/me); every field may be empty. */
export interface Profile {
  birthYear: number | null;
  /** Short 시도 key (`서울`). */
  regionSido: string | null;
  /** A 시군구 of `regionSido` (`강남구`). */
  regionSigungu: string | null;
  situation: Situation | null;
}

export function profileOf(user: UserRow): Profile {
  return { birthYear: user.birthYear, regionSido: user.regionSido, regionSigungu: user.regionSigungu, situation: user.situation };
}

/** The year in Asia/Seoul, where birth years are counted. */
function seoulYear(now: Date): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Seoul', year: 'numeric' }).format(now));
}

/**
 * 만 나이 from a birth year alone: the age before this year's birthday (the lower of the two a year
 * allows). Youth programmes mostly end at an upper age, so the lower one never drops a programme
 * the person may still apply to; the search form shows it and one can change it.
 */
export function ageFromBirthYear(birthYear: number, now = new Date()): number {
  return Math.max(0, seoulYear(now) - birthYear - 1);
}

const birthYearSchema = z
  .number({ error: '출생 연도는 숫자로 입력해 주세요.' })
  .int('출생 연도는 네 자리 숫자로 입력해 주세요.')
  .refine((year) => year >= seoulYear(new Date()) - 120 && year <= seoulYear(new Date()), '출생 연도를 다시 확인해 주세요.');

/**
 * A change of profile (PATCH /api/accounts/me and the /me forms): only the fields present change;
 * `null` empties one. The region pair is checked against src/utils/regions.ts afterwards.
 */
export const profilePatchSchema = z
  .strictObject(
    {
    name: nameSchema,
    birthYear: birthYearSchema.nullable(),
    regionSido: z.string().trim().max(20, '시도를 목록에서 골라 주세요.').nullable(),
    regionSigungu: z.string().trim().max(40, '시군구를 목록에서 골라 주세요.').nullable(),
    situation: z.enum(SITUATIONS, { error: `상황은 ${Object.values(SITUATION_LABELS).join(', ')} 중에서 골라 주세요.` }).nullable(),
    noticeConsent: z.boolean({ error: '공지 메일 수신 동의는 true 또는 false여야 합니다.' }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `알 수 없는 항목입니다: ${issue.keys.join(', ')}` : undefined) },
  )
  .partial();

export type ProfilePatch = z.infer<typeof profilePatchSchema>;

/** What the repository writes: a checked patch, the region already resolved. */
export type CheckedProfilePatch = Omit<ProfilePatch, 'situation'> & { situation?: Situation | null };

/**
 * Checks a patch (the same rules for the API and the pages) and resolves the region: a 시도 by any
 * of its names becomes its short key; a 시군구 must belong to it; a new 시도 without a 시군구 clears
 * the old 시군구.
 * @throws AppError 400 VALIDATION_FAILED naming every bad field, in Korean.
 */
export function checkProfilePatch(input: unknown): CheckedProfilePatch {
  const parsed = profilePatchSchema.safeParse(input);
  if (!parsed.success) {
    const fields: FieldError[] = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'body'),
      message: issue.message,
    }));
    throw invalid(fields);
  }
  const patch: CheckedProfilePatch = { ...parsed.data };
  const fields: FieldError[] = [];
  if (patch.regionSido === '') patch.regionSido = null;
  if (patch.regionSigungu === '') patch.regionSigungu = null;
  if (patch.regionSido !== undefined && patch.regionSido !== null) {
    const sido = findSido(patch.regionSido);
    if (!sido) fields.push({ field: 'regionSido', message: `시도 “${patch.regionSido}”을(를) 찾을 수 없습니다. 목록에서 골라 주세요.` });
    else patch.regionSido = sido.short;
  }
  if (patch.regionSigungu !== undefined && patch.regionSigungu !== null) {
    const sido = patch.regionSido ? sidoOf(patch.regionSido) : undefined;
    if (!sido) {
      if (fields.length === 0) fields.push({ field: 'regionSigungu', message: '시군구를 고르려면 시도도 함께 골라 주세요.' });
    } else if (!sido.sigungu.some((entry) => entry.name === patch.regionSigungu)) {
      fields.push({ field: 'regionSigungu', message: `${patch.regionSigungu}은(는) ${sido.name}에 속하지 않습니다. 목록에서 골라 주세요.` });
    }
  }
  // A 시도 changed alone: the old 시군구 belonged to the old one.
  if (patch.regionSido !== undefined && patch.regionSigungu === undefined) patch.regionSigungu = null;
  if (fields.length > 0) throw invalid(fields);
  return patch;
}

function invalid(fields: readonly FieldError[]): AppError {
  return new AppError(400, 'VALIDATION_FAILED', fields.map((field) => field.message).join(' '), fields);
}

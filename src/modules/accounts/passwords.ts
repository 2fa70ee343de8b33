import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters; encoded into every hash so they can be raised later. */
export interface ScryptParams {
  /** log2 of N (CPU/memory cost). */
  logN: number;
  r: number;
  p: number;
}

/**
 * N=2^15, r=8, p=1: 32 MiB per hash (~0.4 s on this project's loaded 2-vCPU CI machine); twice the work of Django's
 * scrypt hasher (2^14) that the original used. Login is rate-limited, so an attacker pays it per
 * guess; raise it here when hardware allows, old hashes are upgraded at the next login.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 15, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const ENCODED = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => {
    // NFC: the same Hangul password typed on macOS (NFD) and elsewhere must hash the same.
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** `scrypt$ln=15,r=8,p=1$<salt>$<key>` (base64url), with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export interface PasswordCheck {
  matches: boolean;
  /** The hash uses other parameters than `current`: store a new hash after a successful login. */
  needsRehash: boolean;
}

/** Compares in constant time; an unparsable hash never matches. */
export async function verifyPassword(
  password: string,
  encoded: string,
  current: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<PasswordCheck> {
  const match = ENCODED.exec(encoded);
  if (!match) return { matches: false, needsRehash: true };
  const params: ScryptParams = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const salt = Buffer.from(match[4] ?? '', 'base64url');
  const expected = Buffer.from(match[5] ?? '', 'base64url');
  if (expected.length === 0 || params.logN < 1 || params.logN > 20) return { matches: false, needsRehash: true };
  const actual = await derive(password, salt, params, expected.length);
  return {
    matches: timingSafeEqual(actual, expected),
    needsRehash: params.logN !== current.logN || params.r !== current.r || params.p !== current.p,
  };
}

const COMMON_PASSWORDS = new Set([
  'password', 'password1', 'password123', 'passw0rd', '12345678', '123456789', '1234567890', 'qwerty123',
  'qwertyuiop', '1q2w3e4r', '1q2w3e4r5t', 'q1w2e3r4', 'asdf1234', 'zxcvbnm1', 'iloveyou', 'abcd1234',
  'admin1234', 'letmein1', 'sunshine1', 'football1', '11111111', '00000000', 'qwer1234', 'asdfasdf',
]);

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Why a password is too weak, in Korean, or undefined when it is acceptable: at least 8
 * characters, not a well-known password, not one repeated character, not the e-mail's name part.
 */
export function passwordWeakness(password: string, email?: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `비밀번호는 ${PASSWORD_MIN_LENGTH}자 이상이어야 합니다.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `비밀번호는 ${PASSWORD_MAX_LENGTH}자 이하여야 합니다.`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return '너무 흔한 비밀번호입니다. 다른 비밀번호를 사용해 주세요.';
  if (new Set(lower).size < 4) return '서로 다른 문자를 4가지 이상 사용해 주세요.';
  if (/^\d+$/.test(password)) return '숫자만으로 된 비밀번호는 사용할 수 없습니다.';
  const localPart = email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 4 && lower.includes(localPart)) {
    return '비밀번호에 이메일 주소를 포함할 수 없습니다.';
  }
  return undefined;
}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { TranslationKeys } from '@zxcvbn-ts/core';

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

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * zxcvbn's score (0-4) a password needs: 3 means about 10^8 guesses or more, "safely unguessable"
 * for an online attacker and a slow hash like ours offline.
 */
export const MIN_PASSWORD_SCORE = 3;

/** zxcvbn-ts's feedback, in Korean (it ships no Korean translation): what is wrong, then what to do. */
const KOREAN: TranslationKeys = {
  warnings: {
    straightRow: '키보드에서 한 줄로 이어진 키(예: qwerty)는 추측하기 쉽습니다.',
    keyPattern: '짧은 키보드 패턴은 추측하기 쉽습니다.',
    simpleRepeat: '같은 문자를 반복한 부분(예: aaa)은 추측하기 쉽습니다.',
    extendedRepeat: '반복된 문자열(예: abcabc)은 추측하기 쉽습니다.',
    sequences: '연속된 문자나 숫자(예: abc, 1234)는 추측하기 쉽습니다.',
    recentYears: '최근 연도는 추측하기 쉽습니다.',
    dates: '날짜는 추측하기 쉽습니다.',
    topTen: '가장 많이 쓰이는 비밀번호입니다.',
    topHundred: '아주 흔히 쓰이는 비밀번호입니다.',
    common: '흔히 쓰이는 비밀번호입니다.',
    similarToCommon: '흔히 쓰이는 비밀번호와 비슷합니다.',
    wordByItself: '단어 하나만으로는 추측하기 쉽습니다.',
    namesByThemselves: '이름이나 성만으로는 추측하기 쉽습니다.',
    commonNames: '흔한 이름이나 성은 추측하기 쉽습니다.',
    userInputs: '이메일 주소나 이름처럼 본인을 알면 짐작할 수 있는 내용이 들어 있습니다.',
    pwned: '유출된 적이 있는 비밀번호입니다.',
  },
  suggestions: {
    l33t: '글자를 비슷한 숫자나 기호로 바꾸는 것(예: a → @)은 도움이 되지 않습니다.',
    reverseWords: '흔한 단어를 거꾸로 쓰는 것은 도움이 되지 않습니다.',
    allUppercase: '전부가 아니라 일부 글자만 대문자로 쓰세요.',
    capitalization: '첫 글자만 대문자로 바꾸는 것으로는 부족합니다.',
    dates: '본인과 관련된 날짜와 연도는 피하세요.',
    recentYears: '최근 연도는 피하세요.',
    associatedYears: '본인과 관련된 연도는 피하세요.',
    sequences: '연속된 문자나 숫자는 피하세요.',
    repeated: '반복되는 단어나 문자는 피하세요.',
    longerKeyboardPattern: '키보드 패턴을 쓴다면 더 길게, 방향을 여러 번 바꿔 쓰세요.',
    anotherWord: '흔하지 않은 단어를 하나 이상 더 넣으세요.',
    useWords: '서로 관련 없는 단어 여러 개를 이어 쓰세요.',
    noNeed: '기호, 숫자, 대문자가 없어도 강한 비밀번호를 만들 수 있습니다.',
    pwned: '다른 곳에서 이 비밀번호를 쓰고 있다면 그곳의 비밀번호도 바꾸세요.',
  },
  timeEstimation: {
    ltSecond: '1초 미만',
    second: '1초',
    seconds: '{base}초',
    minute: '1분',
    minutes: '{base}분',
    hour: '1시간',
    hours: '{base}시간',
    day: '1일',
    days: '{base}일',
    month: '1개월',
    months: '{base}개월',
    year: '1년',
    years: '{base}년',
    centuries: '수백 년',
  },
};

/**
 * zxcvbn's cost grows with the password: ~10 ms for a passphrase but 0.3–2.5 s for 128 characters
 * of l33t or digits (measured at load 9–17), all of it on the event loop, where it stalls every
 * other request of the web process. Checked in a thread of its own, and on at most this many
 * characters: a password already long enough to be cut is far past the guesses a score of 3 needs.
 */
const STRENGTH_MAX_LENGTH = 64;

interface StrengthRequest {
  id: number;
  password: string;
  userInputs: string[];
}

interface StrengthAnswer {
  id: number;
  score?: number;
  warning?: string | null;
  suggestions?: string[];
  error?: string;
}

// The thread runs plain CommonJS (no TypeScript loader in a worker thread): zxcvbn-ts with its
// common dictionaries (passwords, names, Wikipedia words, keyboard layouts), loaded once when the
// thread starts, about 170 ms and 7 MB of heap (docs/benchmarks.md) that a worker or beat never pays.
const STRENGTH_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const zxcvbn = new ZxcvbnFactory({
  dictionary: common.dictionary,
  graphs: common.adjacencyGraphs,
  translations: workerData.translations,
  maxLength: workerData.maxLength,
});
parentPort.on('message', (request) => {
  try {
    const result = zxcvbn.check(request.password, request.userInputs);
    parentPort.postMessage({ id: request.id, score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions });
  } catch (error) {
    parentPort.postMessage({ id: request.id, error: String(error && error.message || error) });
  }
});
`;

/** One thread per process, started on the first check; checks queue on it in order. */
class StrengthThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (answer: StrengthAnswer) => void; reject: (error: Error) => void }>();

  check(password: string, userInputs: string[]): Promise<StrengthAnswer> {
    const worker = this.start();
    const request: StrengthRequest = { id: this.nextId++, password: password.slice(0, STRENGTH_MAX_LENGTH), userInputs };
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      // Counted as a handle only while a check waits: an idle thread never keeps a process alive.
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage(request);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const require = createRequire(import.meta.url);
    const worker = new Worker(STRENGTH_THREAD, {
      eval: true,
      workerData: {
        core: require.resolve('@zxcvbn-ts/core'),
        common: require.resolve('@zxcvbn-ts/language-common'),
        translations: KOREAN,
        maxLength: STRENGTH_MAX_LENGTH,
      },
    });
    worker.unref();
    worker.on('message', (answer: StrengthAnswer) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0) worker.unref();
      if (answer.error !== undefined) waiter?.reject(new Error(`password strength check failed: ${answer.error}`));
      else waiter?.resolve(answer);
    });
    // A thread that died (out of memory, a bug) fails what it held; the next check starts a new one.
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      fail(new Error(`the password strength thread exited (${code})`));
    });
    this.worker = worker;
    return worker;
  }
}

const strength = new StrengthThread();

/** What a password must not be made of: the address (and its local part), the name and its parts, the service. */
function userInputsOf(context: { email?: string; name?: string }): string[] {
  const email = context.email?.trim().toLowerCase() ?? '';
  const name = context.name?.trim().toLowerCase() ?? '';
  return [email, email.split('@')[0] ?? '', name, ...name.split(/\s+/), 'ainfo'].filter((input) => input.length >= 2);
}

/**
 * Why a password is too weak, in Korean (what is wrong and what to do instead), or undefined when
 * it is acceptable: 8 to 128 characters and a zxcvbn score of at least MIN_PASSWORD_SCORE, with the
 * person's address and name counted as known to the attacker.
 */
export async function passwordWeakness(password: string, context: { email?: string; name?: string } = {}): Promise<string | undefined> {
  if (password.length < PASSWORD_MIN_LENGTH) return `비밀번호는 ${PASSWORD_MIN_LENGTH}자 이상이어야 합니다.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `비밀번호는 ${PASSWORD_MAX_LENGTH}자 이하여야 합니다.`;
  const { score = 0, warning, suggestions = [] } = await strength.check(password, userInputsOf(context));
  if (score >= MIN_PASSWORD_SCORE) return undefined;
  const advice = suggestions.length > 0 ? suggestions.join(' ') : KOREAN.suggestions.useWords;
  return ['추측하기 쉬운 비밀번호입니다.', warning ?? '', advice].filter(Boolean).join(' ');
}

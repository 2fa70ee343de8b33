import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { AccessTokens } from '../../src/modules/accounts/access-tokens.ts';
import { resolveJwtSecret } from '../../src/modules/accounts/jwt-secret.ts';
import { hashPassword, passwordWeakness, verifyPassword } from '../../src/modules/accounts/passwords.ts';
import { mintToken, parseToken, secretMatches } from '../../src/modules/accounts/secret-tokens.ts';

const FAST = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('encodes its parameters with a per-hash salt and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('같은 비밀번호 123'), hashPassword('같은 비밀번호 123')]);
    expect(a).toMatch(/^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('같은 비밀번호 123', a)).toEqual({ matches: true, needsRehash: false });
    expect((await verifyPassword('같은 비밀번호 124', a)).matches).toBe(false);
  });

  it('treats composed and decomposed Hangul as the same password', async () => {
    const composed = '한글비밀번호입니다';
    const hash = await hashPassword(composed, FAST);
    expect((await verifyPassword(composed.normalize('NFD'), hash, FAST)).matches).toBe(true);
  });

  it('asks for a rehash when the stored parameters are older, and never matches garbage', async () => {
    const old = await hashPassword('long enough pw', FAST);
    expect(await verifyPassword('long enough pw', old)).toEqual({ matches: true, needsRehash: true });
    expect(await verifyPassword('x', 'pbkdf2$whatever')).toEqual({ matches: false, needsRehash: true });
  });

  it('refuses what a strength estimator with common-password dictionaries guesses, naming what to change in Korean', async () => {
    expect(await passwordWeakness('short')).toMatch(/8자 이상/);
    expect(await passwordWeakness('x'.repeat(129))).toMatch(/128자 이하/);
    expect(await passwordWeakness('Passw0rd!')).toMatch(/흔히 쓰이는 비밀번호와 비슷합니다/);
    expect(await passwordWeakness('qwerty12')).toMatch(/흔히 쓰이는 비밀번호입니다/);
    expect(await passwordWeakness('iloveyou12')).toMatch(/흔히 쓰이는 비밀번호와 비슷합니다/);
    expect(await passwordWeakness('aaaaaaaaaa')).toMatch(/반복/);
    expect(await passwordWeakness('abcdefgh12')).toMatch(/연속된/);
    expect(await passwordWeakness('minji2024!!', { email: 'minji2024@example.com' })).toMatch(/이메일 주소나 이름/);
    expect(await passwordWeakness('hongildong77', { email: 'x@example.com', name: '홍 hongildong' })).toMatch(/이메일 주소나 이름/);
    // Every refusal says what to do instead.
    expect(await passwordWeakness('correcthorse')).toMatch(/단어/);
    for (const strong of ['blue ocean 7 waves', '서울숲 산책길 2026', 'Seoul-river-2026!']) {
      expect(await passwordWeakness(strong, { email: 'kim@example.com', name: '김민지' }), strong).toBeUndefined();
    }
  });
});

describe('mail tokens', () => {
  it('are random selector.secret pairs whose secret is stored only as a hash', () => {
    const minted = mintToken();
    const parsed = parseToken(minted.token);
    expect(parsed?.selector).toBe(minted.selector);
    expect(minted.verifierHash).toMatch(/^[0-9a-f]{64}$/);
    expect(minted.verifierHash).not.toContain(parsed?.secret ?? '-');
    expect(secretMatches(parsed?.secret ?? '', minted.verifierHash)).toBe(true);
    expect(secretMatches(`${parsed?.secret.slice(0, -1) ?? ''}x`, minted.verifierHash)).toBe(false);
    expect(mintToken().token).not.toBe(minted.token);
    expect(parseToken('not a token')).toBeUndefined();
  });
});

describe('access tokens (HS256)', () => {
  const secret = () => Promise.resolve(Buffer.from('k'.repeat(40)));

  it('verifies its own tokens and rejects expired ones and other keys', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const tokens = new AccessTokens(secret, 900, () => now);
    const subject = '0b8e3c1e-5a7d-4f2a-9c3b-6d1e2f3a4b5c';
    const { token, expiresIn } = await tokens.sign(subject, 3);
    expect(expiresIn).toBe(900);
    expect(await tokens.verify(token)).toMatchObject({ sub: subject, sv: 3 });
    const otherKey = new AccessTokens(() => Promise.resolve(Buffer.from('z'.repeat(40))), 900, () => now);
    expect(await otherKey.verify(token)).toBeUndefined();
    now += 900_000;
    expect(await tokens.verify(token)).toBeUndefined();
  });
});

describe('JWT secret when JWT_SECRET is unset', () => {
  it('is generated once into DATA_DIR/jwt-secret with mode 0600 and read back by the next process', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-jwt-'));
    try {
      const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      const log = createLogger('silent');
      const first = await resolveJwtSecret(config, log);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
      expect((await resolveJwtSecret(config, log)).equals(first)).toBe(true);
      const configured = loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 's'.repeat(40) });
      expect((await resolveJwtSecret(configured, log)).toString()).toBe('s'.repeat(40));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

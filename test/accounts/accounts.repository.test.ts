import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailboxRepository } from '../../src/mail/index.ts';
import { AccountsRepository } from '../../src/modules/accounts/accounts.repository.ts';
import { mintToken } from '../../src/modules/accounts/secret-tokens.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const HOUR_MS = 3_600_000;

// A repository test, white-box: the repository is not part of the module's API.
describe.each(['postgres', 'pglite'] as const)('accounts repository on %s', (driver) => {
  let stack: Stack;
  let repository: AccountsRepository;
  let mailbox: MailboxRepository;

  beforeAll(async () => {
    stack = await startStack({ label: 'accounts_repo', database: driver, services: false });
    repository = new AccountsRepository(stack.db);
    mailbox = new MailboxRepository(stack.db);
  });

  afterAll(() => stack.stop());

  const newUser = (email: string) => repository.createUser({ email, name: '이름', passwordHash: 'scrypt$x', noticeConsent: false });

  async function userWithToken(email: string, purpose: 'verify-email' | 'reset-password') {
    const user = await newUser(email);
    if (!user) throw new Error('user not created');
    const minted = mintToken();
    await repository.insertToken({ userId: user.id, purpose, selector: minted.selector, verifierHash: minted.verifierHash, expiresAt: new Date(Date.now() + HOUR_MS) });
    const token = await repository.findToken(minted.selector);
    if (!token) throw new Error('token not stored');
    return { user, token };
  }

  it('keeps addresses unique case-insensitively and finds them in any case', async () => {
    const created = await newUser('Case@Example.com');
    expect(created).toMatchObject({ email: 'Case@Example.com', emailVerifiedAt: null, isAdmin: false, sessionVersion: 0 });
    expect(await newUser('case@EXAMPLE.com')).toBeUndefined();
    expect((await repository.findUserByEmail('CASE@example.COM'))?.id).toBe(created?.id);
    expect(await repository.findUserByEmail('other@example.com')).toBeUndefined();
  });

  it('uses a verification token once, kills the other ones, and marks the address verified', async () => {
    const { user, token } = await userWithToken('verify@example.com', 'verify-email');
    const other = mintToken();
    await repository.insertToken({ userId: user.id, purpose: 'verify-email', selector: other.selector, verifierHash: other.verifierHash, expiresAt: new Date(Date.now() + HOUR_MS) });

    expect(await repository.consumeVerifyToken(token.id, user.id)).toBe(true);
    expect(await repository.consumeVerifyToken(token.id, user.id)).toBe(false);
    expect((await repository.findToken(other.selector))?.usedAt).toBeInstanceOf(Date);
    expect((await repository.findUserById(user.id))?.emailVerifiedAt).toBeInstanceOf(Date);
  });

  it('lets only one of two concurrent uses of a token win', async () => {
    const { user, token } = await userWithToken('race@example.com', 'verify-email');
    const outcomes = await Promise.all([repository.consumeVerifyToken(token.id, user.id), repository.consumeVerifyToken(token.id, user.id)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  it('resets a password: every reset token dies, sessions are revoked, refresh tokens deleted', async () => {
    const { user, token } = await userWithToken('reset@example.com', 'reset-password');
    const other = mintToken();
    await repository.insertToken({ userId: user.id, purpose: 'reset-password', selector: other.selector, verifierHash: other.verifierHash, expiresAt: new Date(Date.now() + HOUR_MS) });
    const refresh = mintToken();
    await repository.insertRefreshToken({ userId: user.id, selector: refresh.selector, verifierHash: refresh.verifierHash, sessionVersion: 0, expiresAt: new Date(Date.now() + HOUR_MS) });

    expect(await repository.consumeResetToken(token.id, user.id, 'scrypt$new')).toBe(true);
    const after = await repository.findUserById(user.id);
    expect(after).toMatchObject({ passwordHash: 'scrypt$new', sessionVersion: 1 });
    expect(after?.passwordChangedAt).toBeInstanceOf(Date);
    expect(after?.emailVerifiedAt).toBeInstanceOf(Date);
    expect((await repository.findToken(other.selector))?.usedAt).toBeInstanceOf(Date);
    expect(await repository.findRefreshToken(refresh.selector)).toBeUndefined();
    expect(await repository.consumeResetToken(token.id, user.id, 'scrypt$again')).toBe(false);
  });

  it('rotates a refresh token once and revokes all sessions on demand', async () => {
    const user = await newUser('refresh@example.com');
    if (!user) throw new Error('user not created');
    const refresh = mintToken();
    await repository.insertRefreshToken({ userId: user.id, selector: refresh.selector, verifierHash: refresh.verifierHash, sessionVersion: 0, expiresAt: new Date(Date.now() + HOUR_MS) });
    const row = await repository.findRefreshToken(refresh.selector);
    if (!row) throw new Error('refresh token not stored');
    expect(await repository.useRefreshToken(row.id)).toBe(true);
    expect(await repository.useRefreshToken(row.id)).toBe(false);
    await repository.revokeSessions(user.id);
    expect((await repository.findUserById(user.id))?.sessionVersion).toBe(1);
    expect(await repository.findRefreshToken(refresh.selector)).toBeUndefined();
  });

  it('opens one outbox row per dedupe key and records attempts, acceptance and failure', async () => {
    const user = await newUser('outbox@example.com');
    if (!user) throw new Error('user not created');
    const mail = { dedupeKey: 'task-1', kind: 'verify-email', userId: user.id, toAddress: user.email, messageId: '<m1@ainfo.test>' };
    const first = await repository.openOutbox(mail);
    const second = await repository.openOutbox({ ...mail, messageId: '<other@ainfo.test>' });
    expect(second.id).toBe(first.id);
    expect(second.messageId).toBe('<m1@ainfo.test>');
    await repository.countOutboxAttempt(first.id);
    await repository.markOutboxFailed(first.id, '421 try later', false);
    expect(await repository.findOutbox('task-1')).toMatchObject({ status: 'pending', attempts: 1, lastError: '421 try later' });
    await repository.countOutboxAttempt(first.id);
    await repository.markOutboxSent(first.id, '250 OK');
    expect(await repository.findOutbox('task-1')).toMatchObject({ status: 'sent', attempts: 2, lastError: null, response: '250 OK' });
    const failed = await repository.openOutbox({ ...mail, dedupeKey: 'task-2' });
    await repository.markOutboxFailed(failed.id, '550 no such user', true);
    expect(await repository.findOutbox('task-2')).toMatchObject({ status: 'failed', lastError: '550 no such user' });
  });

  it('creates an admin, then promotes the same address idempotently', async () => {
    const created = await repository.upsertAdmin({ email: 'Admin@Example.com', name: undefined, passwordHash: 'scrypt$a' });
    expect(created.created).toBe(true);
    expect(created.user).toMatchObject({ email: 'Admin@Example.com', name: 'Admin', isAdmin: true });
    expect(created.user.emailVerifiedAt).toBeInstanceOf(Date);
    const again = await repository.upsertAdmin({ email: 'admin@example.com', name: '관리자', passwordHash: 'scrypt$b' });
    expect(again).toMatchObject({ created: false, user: { id: created.user.id, name: '관리자', passwordHash: 'scrypt$b', isAdmin: true } });
    expect(again.user.emailVerifiedAt?.getTime()).toBe(created.user.emailVerifiedAt?.getTime());

    await newUser('plain@example.com');
    const promoted = await repository.upsertAdmin({ email: 'plain@example.com', name: undefined, passwordHash: 'scrypt$c' });
    expect(promoted).toMatchObject({ created: false, user: { isAdmin: true, name: '이름' } });
  });

  it('purges tokens long past expiry or rotation and old outbox rows, and keeps the rest', async () => {
    const user = await newUser('purge@example.com');
    if (!user) throw new Error('user not created');
    const [old, fresh, rotated] = [mintToken(), mintToken(), mintToken()];
    await repository.insertToken({ userId: user.id, purpose: 'reset-password', selector: old.selector, verifierHash: old.verifierHash, expiresAt: new Date(Date.now() - 10 * 24 * HOUR_MS) });
    await repository.insertToken({ userId: user.id, purpose: 'reset-password', selector: fresh.selector, verifierHash: fresh.verifierHash, expiresAt: new Date(Date.now() + HOUR_MS) });
    await repository.insertRefreshToken({ userId: user.id, selector: rotated.selector, verifierHash: rotated.verifierHash, sessionVersion: 0, expiresAt: new Date(Date.now() + HOUR_MS) });
    await stack.db.sql.query(`update refresh_tokens set used_at = now() - interval '8 days' where selector = $1`, [rotated.selector]);
    await repository.openOutbox({ dedupeKey: 'purge-old', kind: 'verify-email', userId: user.id, toAddress: user.email, messageId: '<p@x>' });
    await repository.openOutbox({ dedupeKey: 'purge-fresh', kind: 'verify-email', userId: user.id, toAddress: user.email, messageId: '<f@x>' });
    await stack.db.sql.query(`update mail_outbox set created_at = now() - interval '40 days' where dedupe_key = 'purge-old'`);

    const weekAgo = new Date(Date.now() - 7 * 24 * HOUR_MS);
    const deleted = await repository.purgeExpired(weekAgo, new Date(Date.now() - 30 * 24 * HOUR_MS));
    expect(deleted).toMatchObject({ accountTokens: 1, refreshTokens: 1 });
    expect(deleted.outbox).toBeGreaterThanOrEqual(1);
    expect(await repository.findToken(old.selector)).toBeUndefined();
    expect(await repository.findToken(fresh.selector)).toBeDefined();
    expect(await repository.findRefreshToken(rotated.selector)).toBeUndefined();
    expect(await repository.findOutbox('purge-old')).toBeUndefined();
    expect(await repository.findOutbox('purge-fresh')).toBeDefined();
  });

  it('stores dev-mailbox mail once per Message-ID and lists it newest first, by recipient', async () => {
    const base = { kind: 'test', from: 'AInfo <no-reply@ainfo.test>', subject: '제목', text: '본문', html: '<p>본문</p>', headers: {} };
    await mailbox.store({ ...base, messageId: '<a@x>', to: 'One@example.com' });
    await mailbox.store({ ...base, messageId: '<a@x>', to: 'One@example.com', subject: '두 번째' });
    await mailbox.store({ ...base, messageId: '<b@x>', to: 'two@example.com' });
    const all = await mailbox.list({ limit: 10 });
    expect(all.map((row) => row.messageId)).toEqual(['<b@x>', '<a@x>']);
    expect((await mailbox.list({ limit: 10, to: 'one@EXAMPLE.com' })).map((row) => row.subject)).toEqual(['제목']);
    const firstId = all[1]?.id ?? 0;
    expect(await mailbox.list({ limit: 10, beforeId: firstId })).toEqual([]);
    expect((await mailbox.get(firstId))?.toAddress).toBe('One@example.com');
  });
});

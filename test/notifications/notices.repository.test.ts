import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountsRepository } from '../../src/modules/accounts/accounts.repository.ts';
import { NotificationsRepository } from '../../src/modules/notifications/notifications.repository.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { seedUsers } from './notices.fixtures.ts';

// `npm start` runs on embedded PGlite, separate processes on PostgreSQL: the same SQL must hold on
// both. White-box: the repositories are not part of the modules' API.
describe.each(['postgres', 'pglite'] as const)('notifications repository on %s', (driver) => {
  let stack: Stack;
  let repository: NotificationsRepository;

  beforeAll(async () => {
    stack = await startStack({ label: 'notice_repo', database: driver, services: false });
    repository = new NotificationsRepository(stack.db);
    await seedUsers(stack.db.sql, 'yes', 25, { consent: true, verified: true });
    await seedUsers(stack.db.sql, 'no', 5, { consent: false, verified: true });
    await seedUsers(stack.db.sql, 'unverified', 5, { consent: true, verified: false });
  });

  afterAll(() => stack.stop());

  it('snapshots consenting, verified users once, pages pending ids, leases, and counts by status', async () => {
    const notice = await repository.createNotice({ title: '제목', content: '내용', createdBy: null });
    expect((await repository.markSendRequested(notice.id, { name: '관리자', userId: null }))?.first).toBe(true);
    expect((await repository.markSendRequested(notice.id, { name: '다른 관리자', userId: null }))?.notice.sentBy).toBe('관리자');

    expect(await repository.snapshotRecipients(notice.id)).toEqual({ inserted: 25, snapshotTaken: true });
    await seedUsers(stack.db.sql, 'late', 3, { consent: true, verified: true });
    expect(await repository.snapshotRecipients(notice.id)).toEqual({ inserted: 0, snapshotTaken: false });

    const firstPage = await repository.pendingDeliveryIds(notice.id, 0, 10);
    const lastPage = await repository.pendingDeliveryIds(notice.id, firstPage[firstPage.length - 1] ?? 0, 100);
    expect(firstPage).toHaveLength(10);
    expect(lastPage).toHaveLength(15);
    const [a, b, c] = firstPage;
    if (a === undefined || b === undefined || c === undefined) throw new Error('expected ids');

    const claim = await repository.claimDelivery(a, 'run-1', 60_000);
    expect(claim).toMatchObject({ kind: 'claimed', delivery: { noticeId: notice.id, title: '제목', noticeConsent: true } });
    expect(await repository.claimDelivery(a, 'run-2', 60_000)).toEqual({ kind: 'busy', claimedBy: 'run-1' });
    expect((await repository.claimDelivery(a, 'run-1', 60_000)).kind).toBe('claimed');
    await repository.markSent(a, { messageId: '<m@x>', reply: '250 OK' });
    expect(await repository.claimDelivery(a, 'run-2', 60_000)).toEqual({ kind: 'finished', status: 'sent' });
    await repository.markFailed(b, '550 5.1.1 no such user');
    await repository.recordTransientFailure(c, '421 try later');
    expect(await repository.claimDelivery(999_999, 'run-1', 60_000)).toEqual({ kind: 'missing' });

    expect((await repository.deliveryCounts([notice.id])).get(notice.id)).toEqual({
      total: 25,
      pending: 23,
      sent: 1,
      failed: 1,
      skipped: 0,
      pendingWithError: 1,
    });
    expect((await repository.listFailures(notice.id, 10)).map((failure) => failure.reply)).toEqual(['550 5.1.1 no such user']);
    expect(await repository.nextDispatchRound(notice.id)).toBe(1);

    const token = claim.kind === 'claimed' ? claim.delivery.unsubscribeToken : '';
    const owner = claim.kind === 'claimed' ? claim.delivery.userId : 0;
    expect(await repository.markUnsubscribed(token)).toEqual({ userId: owner });
    expect(await repository.markUnsubscribed(token)).toEqual({ userId: owner });
    expect(await repository.findUnsubscribeToken(token)).toEqual({ userId: owner });
    expect(await repository.markUnsubscribed('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    // The consent itself is accounts': changed there, a claim made afterwards reads it as it is now.
    const accounts = new AccountsRepository(stack.db);
    expect(await accounts.setNoticeConsent(owner, false)).toEqual({ wasConsenting: true });
    expect(await accounts.setNoticeConsent(owner, false)).toEqual({ wasConsenting: false });
    expect(await accounts.setNoticeConsent(999_999, false)).toBeUndefined();
    const before = await repository.claimDelivery(c, 'run-3', 60_000);
    if (before.kind !== 'claimed') throw new Error('expected a claim');
    expect(before.delivery.noticeConsent).toBe(true);
    await accounts.setNoticeConsent(before.delivery.userId, false);
    expect(await repository.claimDelivery(c, 'run-3', 60_000)).toMatchObject({ kind: 'claimed', delivery: { noticeConsent: false } });
  });

  it('leases a chunk by id range: only the notice\'s pending rows, busy ones reported, failures recorded together', async () => {
    const notice = await repository.createNotice({ title: '범위', content: '묶음 작업', createdBy: null });
    const other = await repository.createNotice({ title: '다른 공지', content: '섞이지 않음', createdBy: null });
    await repository.snapshotRecipients(notice.id);
    await repository.snapshotRecipients(other.id);
    const ids = await repository.pendingDeliveryIds(notice.id, 0, 6);
    const [a, b, c, , , f] = ids;
    if (a === undefined || b === undefined || c === undefined || f === undefined) throw new Error('expected ids');
    const [otherFirst] = await repository.pendingDeliveryIds(other.id, 0, 1);
    await repository.markSent(a, { messageId: '<a@x>', reply: '250 OK' });
    expect((await repository.claimDelivery(b, 'other-run', 60_000)).kind).toBe('claimed');

    const claims = await repository.claimDeliveryRange(a, f, 'chunk-run', 60_000);
    // a is sent (left out), b is busy, c…f are leased to this run; the other notice's rows never.
    expect(claims).toEqual([
      { kind: 'busy', claimedBy: 'other-run' },
      ...ids.slice(2).map((id) => ({ kind: 'claimed', delivery: expect.objectContaining({ id, noticeId: notice.id, title: '범위' }) as unknown })),
    ]);
    expect(await repository.claimDelivery(c, 'someone-else', 60_000)).toEqual({ kind: 'busy', claimedBy: 'chunk-run' });
    // A range reaching into the other notice's rows covers the notice of its first id only.
    if (otherFirst === undefined) throw new Error('expected the other notice\'s rows');
    const wide = await repository.claimDeliveryRange(a, otherFirst + 1_000, 'wide-run', 60_000);
    expect(wide).toHaveLength((await repository.deliveryCounts([notice.id])).get(notice.id)?.pending ?? -1);
    expect(wide.every((claim) => claim.kind === 'busy' || (claim.kind === 'claimed' && claim.delivery.noticeId === notice.id))).toBe(true);

    await repository.recordTransientFailures(ids.slice(2), 'not tried: 421 busy');
    const rows = await stack.db.sql.query<{ n: number }>(
      `select count(*)::int as n from notice_deliveries
        where id = any($1::bigint[]) and claimed_by is null and transient_failures = 1 and last_error = 'not tried: 421 busy'`,
      [ids.slice(2)],
    );
    expect(rows[0]?.n).toBe(4);
  });

  it('takes many leases in one statement, each with its own outcome, and marks many sent in one', async () => {
    const notice = await repository.createNotice({ title: '묶음', content: '한 번에', createdBy: null });
    await repository.markSendRequested(notice.id, { name: '관리자', userId: null });
    await repository.snapshotRecipients(notice.id);
    const [a, b, c, d] = await repository.pendingDeliveryIds(notice.id, 0, 4);
    if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('expected ids');
    expect((await repository.claimDelivery(a, 'other-run', 60_000)).kind).toBe('claimed');
    await repository.markSent(d, { messageId: '<d@x>', reply: '250 OK' });

    const claims = await repository.claimDeliveries(
      [
        { deliveryId: a, claimant: 'run-1' },
        { deliveryId: b, claimant: 'run-1' },
        { deliveryId: c, claimant: 'run-2' },
        { deliveryId: d, claimant: 'run-1' },
        { deliveryId: 999_999, claimant: 'run-1' },
      ],
      60_000,
    );
    expect(claims.get(a)).toEqual({ kind: 'busy', claimedBy: 'other-run' });
    expect(claims.get(b)).toMatchObject({ kind: 'claimed', delivery: { id: b, noticeId: notice.id, title: '묶음' } });
    expect(claims.get(c)).toMatchObject({ kind: 'claimed', delivery: { id: c } });
    expect(claims.get(d)).toEqual({ kind: 'finished', status: 'sent' });
    expect(claims.get(999_999)).toEqual({ kind: 'missing' });
    // The lease went to each delivery's own claimant.
    expect(await repository.claimDelivery(c, 'run-1', 60_000)).toEqual({ kind: 'busy', claimedBy: 'run-2' });

    await repository.markSentMany([
      { deliveryId: b, messageId: '<b@x>', reply: '250 b' },
      { deliveryId: c, messageId: '<c@x>', reply: '250 c' },
    ]);
    // A late second mark of a sent delivery changes nothing.
    await repository.markSentMany([{ deliveryId: b, messageId: '<b-again@x>', reply: '250 again' }]);
    const rows = await stack.db.sql.query<{ id: string; status: string; message_id: string | null; claimed_by: string | null }>(
      'select id::text as id, status, message_id, claimed_by from notice_deliveries where id = any($1::bigint[]) order by id',
      [[b, c]],
    );
    expect(rows).toEqual([
      { id: String(b), status: 'sent', message_id: '<b@x>', claimed_by: null },
      { id: String(c), status: 'sent', message_id: '<c@x>', claimed_by: null },
    ]);
    expect((await repository.deliveryCounts([notice.id])).get(notice.id)).toMatchObject({ sent: 3 });
  });

  it('indexes no column a lease or a mark writes, so both stay HOT updates (no index entry per mail)', async () => {
    const written = ['status', 'claimed_by', 'claimed_until', 'sent_at', 'failed_at', 'message_id', 'smtp_reply', 'last_error', 'transient_failures'];
    const indexes = await stack.db.sql.query<{ name: string; definition: string }>(
      `select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition
         from pg_index where indrelid = 'notice_deliveries'::regclass`,
    );
    expect(indexes.length).toBeGreaterThanOrEqual(4);
    for (const index of indexes) {
      const columns = /\((.*)\)(?: WHERE (.*))?$/.exec(index.definition)?.slice(1).join(' ') ?? index.definition;
      expect(written.filter((column) => new RegExp(`\\b${column}\\b`).test(columns)), index.definition).toEqual([]);
    }
  });

  it('finds the sent notices that still have pending deliveries, and only those', async () => {
    const unfinished = await repository.createNotice({ title: '남은 발송', content: '대기 중', createdBy: null });
    const finished = await repository.createNotice({ title: '끝난 발송', content: '모두 보냄', createdBy: null });
    const draft = await repository.createNotice({ title: '초안', content: '보내지 않음', createdBy: null });
    for (const notice of [unfinished, finished]) {
      await repository.markSendRequested(notice.id, { name: '관리자', userId: null });
      await repository.snapshotRecipients(notice.id);
    }
    await repository.snapshotRecipients(draft.id);
    const finishedIds = await repository.pendingDeliveryIds(finished.id, 0, 1_000);
    await repository.markSentMany(finishedIds.map((id) => ({ deliveryId: id, messageId: `<${id}@x>`, reply: '250 OK' })));
    const [first, ...rest] = await repository.pendingDeliveryIds(unfinished.id, 0, 1_000);
    if (first === undefined) throw new Error('expected pending deliveries');
    await repository.markSentMany(rest.map((id) => ({ deliveryId: id, messageId: `<${id}@x>`, reply: '250 OK' })));

    const resumable = await repository.noticesWithPendingDeliveries();
    expect(resumable).toContain(unfinished.id);
    expect(resumable).not.toContain(finished.id);
    expect(resumable).not.toContain(draft.id);
    expect(await repository.pendingDeliveryIds(unfinished.id, 0, 10)).toEqual([first]);
    expect(await repository.pendingDeliveryIds(finished.id, 0, 10)).toEqual([]);
  });

  it('lists users by consent and verification, paged (accounts owns the list)', async () => {
    await seedUsers(stack.db.sql, 'listed', 12, { consent: true, verified: true });
    await seedUsers(stack.db.sql, 'listedquiet', 3, { consent: true, verified: false });
    const accounts = new AccountsRepository(stack.db);
    const consenting = await accounts.listUsers({ q: 'listed', consent: true, verified: true }, { limit: 10, offset: 10 });
    expect(consenting.total).toBe(12);
    expect(consenting.items).toHaveLength(2);
    expect((await accounts.listUsers({ q: 'listed', verified: false }, { limit: 50, offset: 0 })).total).toBe(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessStack } from '../helpers/process-stack.ts';
import { waitUntil } from '../notifications/notices.fixtures.ts';
import { holdFor, reportFault } from './fault-report.ts';
import { MailWatch, SignupStream } from './workloads.ts';

const OUTAGE_MS = 30_000;
const RECIPIENTS = 2_000;
const MAIL_CONCURRENCY = 8;
const NOTICE_TITLE = '메일 서버 중단 중 공지';

/**
 * The SMTP server refuses connections for 30 s while signups arrive and a notice goes to 2,000
 * users. Mail retries with backoff (account mail from 1 s, notice mail from 3 s, doubling; these
 * policies are fixed in code, not set by environment), so all of it arrives after the server is
 * back; a copy too many is allowed only for a mail the server accepted as it went down (its
acceptance not yet recorded), at most one per mail in flight.
 */
describe('SMTP down for 30 s during signups and a notice broadcast', () => {
  let stack: ProcessStack;
  let signups: SignupStream;
  let mail: MailWatch;
  let noticeId = 0;
  let settledAs = '';
  let downAt = 0;
  let backAt = 0;
  let settledAfterMs = 0;

  beforeAll(async () => {
    stack = await ProcessStack.start({ label: 'smtp-outage', env: { MAIL_RATE_PER_SECOND: '100' } });
    await Promise.all([stack.startWeb(), stack.startWorker(['--concurrency', String(MAIL_CONCURRENCY)])]);
    const recipients = await stack.seedRecipients('smtp', RECIPIENTS);

    signups = new SignupStream(stack, 'smtpsg', { intervalMs: 500 });
    mail = new MailWatch(stack, { notice: { title: NOTICE_TITLE, recipients }, signups });
    signups.start();
    noticeId = await stack.broadcast(NOTICE_TITLE, '메일 서버가 멈춰도 모두 받습니다.');
    await waitUntil(() => mail.noticeMails() >= 300, 60_000, '300 notice mails');

    await stack.smtp.stop();
    downAt = Date.now();
    await holdFor(OUTAGE_MS);
    await stack.smtp.start();
    backAt = Date.now();
    await holdFor(5_000);
    await signups.stop();

    // The last retries of a mail first tried when the server stopped fall at about 45 s
    // (notices) and 57 s (accounts) after it; the rate limit spreads the backlog further.
    settledAs = await mail.settle(150_000);
    settledAfterMs = Date.now() - backAt;
  }, 360_000);

  afterAll(async () => {
    await stack.close();
  });

  it('mails every signup that was answered 201, duplicates only for the mails in flight', () => {
    const tally = mail.verification();
    reportFault('smtp-down-30s-signups', {
      sent: signups.records.length,
      sentWhileDown: signups.sentBetween(downAt, backAt).length,
      accepted: tally.expected,
      mailed: tally.reached,
      lost: tally.lost,
      doubled: tally.doubled,
      allMailedAfterMs: settledAfterMs,
      settled: settledAs,
    });
    expect(tally.expected).toBeGreaterThan(0);
    expect(tally.lost).toBe(0);
    expect(tally.doubled).toBeLessThanOrEqual(MAIL_CONCURRENCY);
  });

  it('delivers the notice to every consenting user, duplicates only for the mails in flight', async () => {
    const tally = await mail.reportNotice('smtp-down-30s-broadcast', noticeId, { allNoticedAfterMs: settledAfterMs, settled: settledAs });
    expect(tally.lost).toBe(0);
    expect(tally.doubled).toBeLessThanOrEqual(MAIL_CONCURRENCY);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessStack } from '../helpers/process-stack.ts';
import { waitUntil } from '../notifications/notices.fixtures.ts';
import { MailWatch } from './workloads.ts';

const RECIPIENTS = 2_000;
const MAIL_CONCURRENCY = 8;
const NOTICE_TITLE = 'Redis 재시작 중 공지';

/**
 * Redis restarted mid-broadcast, and nothing on disk: it is back within a second, but empty. A
 * broadcast is done when every consenting user has the notice; a copy too many is allowed only
 * for the mails in flight at the restart (at most the mail concurrency), and is counted.
 */
describe('Redis restarted empty in the middle of a notice broadcast', () => {
  let stack: ProcessStack;
  let mail: MailWatch;
  let noticeId = 0;
  let sentAtRestart = 0;
  let settledAs = '';

  beforeAll(async () => {
    stack = await ProcessStack.start({ label: 'redis-restart-empty', env: { MAIL_RATE_PER_SECOND: '100', TASK_LOCK_MS: '5000' } });
    await Promise.all([stack.startWeb(), stack.startWorker(['--concurrency', String(MAIL_CONCURRENCY)]), stack.startBeat()]);
    const recipients = await stack.seedRecipients('empty', RECIPIENTS);
    mail = new MailWatch(stack, { notice: { title: NOTICE_TITLE, recipients } });

    noticeId = await stack.broadcast(NOTICE_TITLE, 'Redis가 비어서 돌아와도 모두 받아야 합니다.');
    await waitUntil(() => mail.noticeMails() >= 500, 60_000, '500 notice mails');
    sentAtRestart = mail.noticeMails();
    await stack.redis.restartEmpty();

    settledAs = await mail.settle(120_000);
  }, 300_000);

  afterAll(async () => {
    await stack.close();
  });

  // Before: the delivery tasks waiting in Redis were gone with it, their rows pending until an
  // admin's resume. Now the relay sees the new run_id and notifications resumes the pending ones.
  it('delivers the notice to every consenting user, duplicates only for the mails in flight', async () => {
    const tally = await mail.reportNotice('redis-restarted-empty-broadcast', noticeId, { mailedBeforeRestart: sentAtRestart, settled: settledAs });
    expect(tally.lost).toBe(0);
    expect(tally.doubled).toBeLessThanOrEqual(MAIL_CONCURRENCY);
  });
});

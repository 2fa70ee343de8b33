import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/modules/dataload/sample-data.ts';
import { ProcessStack } from '../helpers/process-stack.ts';
import { waitUntil } from '../notifications/notices.fixtures.ts';
import { holdFor, reportFault } from './fault-report.ts';
import { LoadWatch } from './loads.ts';
import { MailWatch } from './workloads.ts';

const RECIPIENTS = 2_000;
const MAIL_CONCURRENCY = 8;
/** A restart of a real server takes seconds: long enough for every process to notice. */
const DOWN_MS = 5_000;
const NOTICE_TITLE = 'DB 재시작 중 공지';
/** 1,000 documents (the load's write chunk) in pages of 50. */
const FIRST_WRITE_PAGE = 20;

/**
 * The private PostgreSQL restarted (fast shutdown, 5 s down, start) while a notice broadcast is
 * sending and a load is writing the documents it re-embeds. Data survives a PostgreSQL restart,
 * so nothing may be lost: every consenting user gets the notice (a copy too many only for the
 * mails in flight), and every stored document is still there.
 */
describe('PostgreSQL restarted during a notice broadcast and a load', () => {
  let stack: ProcessStack;
  let load: LoadWatch;
  let mail: MailWatch;
  let noticeId = 0;
  let settledAs = '';

  beforeAll(async () => {
    stack = await ProcessStack.start({
      label: 'postgres-restart',
      publicData: { dataset: generateDataset({ gov24: 0, youth: 2_000, work24: 0 }) },
      env: { MAIL_RATE_PER_SECOND: '100', PUBLIC_API_REQUESTS_PER_SECOND: '2', TASK_LOCK_MS: '5000' },
    });
    await Promise.all([stack.startWeb(), stack.startWorker(['--concurrency', String(MAIL_CONCURRENCY)])]);
    const recipients = await stack.seedRecipients('pg', RECIPIENTS);
    mail = new MailWatch(stack, { notice: { title: NOTICE_TITLE, recipients } });
    load = new LoadWatch(stack, 'youth');
    await load.loadOnce();
    // Every record changed: the run writes documents and their hashes, not only compares them.
    load.reviseAll();

    noticeId = await stack.broadcast(NOTICE_TITLE, '데이터베이스가 다시 시작되어도 모두 받습니다.');
    await waitUntil(() => mail.noticeMails() >= 300, 60_000, '300 notice mails');
    // The first 1,000 documents are written right after page 20; the peer holds that page for
    // 1.5 s, so the database goes down when page 20 is asked for and the write finds it down.
    stack.peer?.setFault('youth', { kind: 'slow', page: FIRST_WRITE_PAGE, delayMs: 1_500, times: 1 });
    await load.enqueue();
    await waitUntil(() => load.hasRequested(FIRST_WRITE_PAGE), 60_000, 'the load at its first write');

    await stack.postgres.stop('fast');
    await holdFor(DOWN_MS);
    await stack.postgres.start();

    settledAs = await mail.settle(120_000);
    await load.waitForOutcome(60_000);
  }, 300_000);

  afterAll(async () => {
    await stack.close();
  });

  it('delivers the notice to every consenting user, duplicates only for the mails in flight', async () => {
    const tally = await mail.reportNotice('postgres-restarted-broadcast', noticeId, { settled: settledAs });
    expect(tally.lost).toBe(0);
    expect(tally.doubled).toBeLessThanOrEqual(MAIL_CONCURRENCY);
  });

  it('loses no stored document during a load', async () => {
    const figures = await load.figures();
    reportFault('postgres-restarted-load', { ...figures });
    expect(figures.documentsLost).toBe(0);
  });

  // Before: the run failed on its hash write while the database was down, and recording it as
  // FAILED needed that same database; the row said RUNNING until the task's retry, 15 minutes
  // later. Now the record is retried for about half a minute.
  it('records the interrupted load run as finished (FAILED or SUCCESS), not RUNNING', async () => {
    const figures = await load.figures();
    expect(figures.runsLeftRunning).toBe(0);
  });
});

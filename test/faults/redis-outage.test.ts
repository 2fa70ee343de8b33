import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/modules/dataload/sample-data.ts';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { ProcessStack, type HttpOutcome } from '../helpers/process-stack.ts';
import type { Child } from '../helpers/processes.ts';
import { waitUntil } from '../notifications/notices.fixtures.ts';
import { holdFor, pollUntil, reportFault } from './fault-report.ts';
import { LoadWatch } from './loads.ts';
import { answered, MailWatch, percentile, signalAndWait, SignupStream, slowestMs, statusSummary, type SignalOutcome } from './workloads.ts';

const OUTAGE_MS = 30_000;
const RECIPIENTS = 2_000;
const SHUTDOWN_GRACE_MS = 5_000;
const NOTICE_TITLE = 'Redis 중단 중 공지';
/**
 * One signup a second. Each costs a scrypt hash (32 MiB, ~0.1 s of a core when quiet, 0.25–1.2 s at
 * load 8–16) and a strength check in the web process, next to a 2,000-mail broadcast, a load and
 * Chroma on the same 2 cores: at 3 a second (the stream's first rate) the web fell behind with
 * Redis up, 1.8 s before the stop growing to 28 s, so the outage case measured the machine, not Redis.
 */
const SIGNUP_INTERVAL_MS = 1_000;

/**
 * One Redis outage of 30 s hitting everything at once, as it would in production: a stream of
 * signups, a notice broadcast to 2,000 users, a public-data load, and a SIGTERM to a web, a
 * worker and a beat. The private Redis keeps nothing on disk (as this machine's), so it comes
 * back empty. Each guarantee of issue 10 is one test below, over the figures of that outage.
 */
describe('Redis stopped for 30 s (it comes back empty) during signups, a broadcast and a load', () => {
  let stack: ProcessStack;
  let signups: SignupStream;
  let mail: MailWatch;
  let load: LoadWatch;
  let noticeId = 0;
  let stoppedAt = 0;
  let returnedAt = 0;
  let settledAs = '';
  const shutdowns = new Map<string, SignalOutcome>();
  const probes = new Map<string, Child>();
  let scheduleBackAfterMs: number | undefined;
  let probeInFlight: HttpOutcome | undefined;

  beforeAll(async () => {
    stack = await ProcessStack.start({
      // At load 15–20 (other people's runs on the 2 cores) a process took over 60 s to start.
      readyTimeoutMs: 120_000,
      label: 'redis-outage',
      publicData: { dataset: generateDataset({ gov24: 0, youth: 2_000, work24: 0 }) },
      env: {
        // 2,000 notice mails take about 20 s: the outage lands in the middle of the broadcast.
        MAIL_RATE_PER_SECOND: '100',
        // 40 pages at 2 a second: the load is fetching when Redis stops.
        PUBLIC_API_REQUESTS_PER_SECOND: '2',
        TASK_LOCK_MS: '5000',
        SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
      },
    });
    await Promise.all([stack.startWeb(), stack.startWorker(), stack.startBeat()]);
    const recipients = await stack.seedRecipients('rcpt', RECIPIENTS);
    load = new LoadWatch(stack, 'youth');
    await load.loadOnce();

    // The processes the SIGTERM probes stop while Redis is down; the worker only takes `default`
    // tasks, so that it holds none of the broadcast's.
    const probePort = await findFreePort();
    const [probeWeb, probeWorker, probeBeat] = await Promise.all([
      stack.startWeb({}, probePort),
      stack.startWorker(['--queues', 'default']),
      stack.startBeat(),
    ]);
    probes.set('web', probeWeb);
    probes.set('worker', probeWorker);
    probes.set('beat', probeBeat);

    signups = new SignupStream(stack, 'outage', { intervalMs: SIGNUP_INTERVAL_MS });
    mail = new MailWatch(stack, { notice: { title: NOTICE_TITLE, recipients }, signups });
    signups.start();
    noticeId = await stack.broadcast(NOTICE_TITLE, '모든 동의한 분께 보내는 공지입니다.');
    await load.enqueue();
    await waitUntil(() => mail.noticeMails() >= 300, 120_000, '300 notice mails before the outage');
    await waitUntil(() => load.pagesFetched() >= 4, 60_000, 'the load fetching');

    // The web probe serves traffic like any web process: a signup before the outage, one in flight during it.
    const probeUrl = `http://127.0.0.1:${probePort}`;
    const served = await stack.signup('probe-before@example.com', { baseUrl: probeUrl });
    if (served.status !== 201) throw new Error(`the web probe did not serve a signup: ${JSON.stringify(served)}`);

    await stack.redis.stop();
    stoppedAt = Date.now();
    const inFlight = stack.signup('probe-during@example.com', { baseUrl: probeUrl, timeoutMs: 40_000 });
    await holdFor(3_000);
    const results = await Promise.all(
      [...probes].map(async ([role, child]) => [role, await signalAndWait(child, 'SIGTERM', SHUTDOWN_GRACE_MS + 10_000)] as const),
    );
    for (const [role, outcome] of results) shutdowns.set(role, outcome);
    probeInFlight = await inFlight;
    await holdFor(OUTAGE_MS - (Date.now() - stoppedAt));
    await stack.redis.start();
    returnedAt = Date.now();

    // beat re-syncs every 60 s; `inspect scheduled` says `not synced` for an entry missing from Redis.
    const scheduleBack = pollUntil(
      async () => {
        const scheduled = await stack.cli(['inspect', 'scheduled', '--json']);
        if (scheduled.code !== 0) return false;
        const rows = JSON.parse(scheduled.stdout) as { next: string }[];
        return rows.length > 0 && rows.every((row) => !row.next.startsWith('not synced'));
      },
      { everyMs: 1_000, timeoutMs: 90_000 },
    ).then((back) => {
      if (back) scheduleBackAfterMs = Date.now() - returnedAt;
    });
    await holdFor(5_000);
    await signups.stop();

    settledAs = await mail.settle(120_000);
    await Promise.all([load.waitForOutcome(60_000), scheduleBack]);
  }, 420_000);

  afterAll(async () => {
    await stack.close();
  });

  // Before the outbox: the signups answered 201 just before the stop had their mail task waiting
  // behind the broadcast's; Redis came back empty and nothing enqueued them again. Now each mail is
  // an outbox row, enqueued again when the relay sees Redis's run_id change.
  it('mails every signup that was answered 201', () => {
    const acceptedBetween = (from: number, to: number): string[] =>
      signups.sentBetween(from, to).filter((record) => record.outcome?.status === 201).map((record) => record.email);
    const all = mail.verification();
    reportFault('redis-stopped-30s-signups', {
      sent: signups.records.length,
      accepted: all.expected,
      mailed: all.reached,
      lost: all.lost,
      lostAcceptedBeforeStop: mail.verification(acceptedBetween(0, stoppedAt)).lost,
      lostSentWhileDown: mail.verification(acceptedBetween(stoppedAt, returnedAt)).lost,
      doubled: all.doubled,
      settled: settledAs,
    });
    expect(all.expected).toBeGreaterThan(0);
    expect(all.lost).toBe(0);
  });

  // Before: each request waited on the shared connection's offline queue (maxRetriesPerRequest:
  // null) until Redis returned, ~30 s later. Now the producer connection fails fast and signup
  // records its mail in the database. Measured against the same stream in the 30 s before the stop
  // (Redis up, the broadcast running): a signup that waited on Redis, even for one 1.5 s deadline,
  // is that much slower than its peers with Redis up; one slowed by a busy machine is not.
  it('answers signups while Redis is down with 201, within 2 s (or 1 s over the same stream with Redis up)', () => {
    const whileUp = answered(signups.sentBetween(stoppedAt - OUTAGE_MS, stoppedAt));
    const whileDown = signups.sentBetween(stoppedAt, returnedAt);
    const downMs = answered(whileDown).map((record) => record.outcome?.ms ?? Infinity);
    const upMs = whileUp.map((record) => record.outcome?.ms ?? Infinity);
    const budgetMs = Math.max(2_000, percentile(upMs, 0.9) + 1_000);
    reportFault('redis-stopped-30s-signup-latency', {
      sentWhileDown: whileDown.length,
      answeredWithin2s: downMs.filter((ms) => ms <= 2_000).length,
      downP50Ms: Math.round(percentile(downMs, 0.5)),
      downP90Ms: Math.round(percentile(downMs, 0.9)),
      slowestMs: slowestMs(whileDown),
      upP50Ms: Math.round(percentile(upMs, 0.5)),
      upP90Ms: Math.round(percentile(upMs, 0.9)),
      budgetMs: Math.round(budgetMs),
      statuses: statusSummary(whileDown),
    });
    expect(whileDown.length).toBeGreaterThan(0);
    expect(statusSummary(whileDown)).toBe(`201:${whileDown.length}`);
    expect(whileUp.length).toBeGreaterThan(0);
    expect(percentile(downMs, 0.9)).toBeLessThanOrEqual(budgetMs);
  });

  // Before: the delivery tasks not yet run were in Redis; it came back empty and their rows stayed
  // pending until an admin pressed resume. Now the relay resumes them (notifications' recovery).
  it('delivers the notice to every consenting user after Redis returns', async () => {
    const tally = await mail.reportNotice('redis-stopped-30s-broadcast', noticeId, { settled: settledAs });
    expect(tally.lost).toBe(0);
  });

  it('loses no stored document during a load, and leaves no run RUNNING', async () => {
    const figures = await load.figures();
    reportFault('redis-stopped-30s-load', { ...figures });
    expect(figures.documentsLost).toBe(0);
    expect(figures.runsLeftRunning).toBe(0);
  });

  // Before: web waited for its request stuck on Redis and never logged "stopped"; worker logged
  // that the grace period was over, then waited on its connections for ever. Now requests fail
  // fast and the shutdown is bounded by SHUTDOWN_GRACE_MS.
  for (const role of ['web', 'worker', 'beat'] as const) {
    it(`exits on SIGTERM within SHUTDOWN_GRACE_MS while Redis is down (ainfo ${role})`, () => {
      const outcome = shutdowns.get(role);
      reportFault(`redis-down-sigterm-${role}`, {
        graceMs: SHUTDOWN_GRACE_MS,
        exitedAfterMs: outcome?.exitedAfterMs ?? `never(waited ${SHUTDOWN_GRACE_MS + 10_000})`,
        status: String(outcome?.status ?? 'SIGKILLed by the test'),
        ...(role === 'web' ? { requestInFlight: `${probeInFlight?.status}${probeInFlight?.error ? `(${probeInFlight.error})` : ''}` } : {}),
      });
      expect(outcome?.exitedAfterMs).toBeDefined();
      expect(outcome?.exitedAfterMs ?? Infinity).toBeLessThanOrEqual(SHUTDOWN_GRACE_MS + 2_000);
    });
  }

  it('has the periodic schedule back after Redis returns empty (beat re-syncs it)', () => {
    reportFault('redis-stopped-30s-schedule', { backAfterMs: scheduleBackAfterMs ?? 'never(waited 90000)' });
    expect(scheduleBackAfterMs).toBeDefined();
  });
});

import path from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/tasks/redis-client.ts';
import { findFreePort } from '../../src/vector/chroma-server.ts';
import { reportFault, mailsWithSubject } from '../faults/fault-report.ts';
import { ProcessStack } from '../helpers/process-stack.ts';
import { ROOT } from '../helpers/processes.ts';
import { TestRedisCluster } from '../helpers/redis-cluster.ts';
import { waitUntil } from '../helpers/wait.ts';

const PREFIX = '{ainfo}';
const AUTH_LIMIT = 4;
const RECIPIENTS = 50;

/**
 * web (two of them), worker and beat against a three-master Redis Cluster of the test's own,
 * REDIS_URL naming one seed node and REDIS_CLUSTER=true: a task's round trip (and a revocation),
 * a notice broadcast, the every-second schedule, and the per-IP limit shared by both webs.
 */
describe('web, worker and beat on a three-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let stack: ProcessStack;
  let client: Cluster;
  let secondWeb = '';

  beforeAll(async () => {
    cluster = await TestRedisCluster.start(3);
    stack = await ProcessStack.start({
      label: 'cluster',
      readyTimeoutMs: 240_000,
      env: {
        REDIS_URL: cluster.url,
        REDIS_CLUSTER: 'true',
        QUEUE_PREFIX: PREFIX,
        AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_LIMIT),
        MAIL_RATE_PER_SECOND: '100',
        TASK_MODULES: path.join(ROOT, 'test/fixtures/test.tasks.ts'),
        TEST_TICK_SCHEDULE: '1',
      },
    });
    client = createCluster(cluster.url);
    client.on('error', () => undefined);
    const secondPort = await findFreePort();
    await Promise.all([stack.startWeb(), stack.startWeb({}, secondPort), stack.startWorker(), stack.startBeat()]);
    secondWeb = `http://127.0.0.1:${secondPort}`;
  }, 300_000);

  afterAll(async () => {
    client.disconnect();
    await stack.close();
    await cluster.close();
  });

  it('runs a task round trip and a revocation through the cluster', async () => {
    const call = await stack.cli(['call', 'test.sleep', '--payload', '{"ms":10}', '--wait', '--timeout', '60']);
    expect(call.code, call.stderr).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({ state: 'SUCCESS', result: { sleptMs: 10 } });

    const later = await stack.cli(['call', 'test.sleep', '--payload', '{"ms":10}', '--countdown', '600']);
    const { id } = JSON.parse(later.stdout) as { id: string };
    expect((await stack.cli(['revoke', id])).code).toBe(0);
    const result = await stack.cli(['result', id]);
    expect(JSON.parse(result.stdout)).toMatchObject({ state: 'REVOKED' });
  });

  it('delivers a notice broadcast to every recipient once', async () => {
    const title = '클러스터 공지';
    const recipients = await stack.seedRecipients('cl', RECIPIENTS);
    const noticeId = await stack.broadcast(title, '클러스터에서도 한 번씩 받습니다.');
    await waitUntil(() => mailsWithSubject(stack.smtp.messages, title).length >= RECIPIENTS, 60_000, 'every notice mail');
    const to = mailsWithSubject(stack.smtp.messages, title).flatMap((mail) => mail.to);
    expect(new Set(to)).toEqual(new Set(recipients));
    expect(to).toHaveLength(RECIPIENTS);
    await waitUntil(async () => (await stack.deliveries(noticeId)).sent === RECIPIENTS, 30_000, 'every delivery row sent');
  });

  it('fires the every-second schedule, once per tick', async () => {
    await waitUntil(async () => (await client.llen(`${PREFIX}:test:ticks`)) >= 3, 30_000, 'three ticks');
    const ids = (await client.lrange(`${PREFIX}:test:ticks`, 0, -1)).map((entry) => entry.split('|')[0]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('limits a client across both web processes (AUTH_RATE_LIMIT_PER_MINUTE, counted in the cluster)', async () => {
    // Signup, which nothing else here calls, so the window starts with these requests; an empty
    // body is refused (400) after the limit is counted, and costs no password hash.
    const statuses: (number | string)[] = [];
    for (let index = 0; index < AUTH_LIMIT + 2; index += 1) {
      const outcome = await stack.request('POST', '/api/accounts/signup', { body: {}, baseUrl: index % 2 === 0 ? secondWeb : stack.webUrl });
      statuses.push(outcome.status);
    }
    const perNode = await cluster.keysPerNode();
    reportFault('redis-cluster', { masters: perNode.length, keysPerNode: perNode.join('/'), signupStatuses: statuses.join(',') });
    expect(statuses).toEqual([...Array<number>(AUTH_LIMIT).fill(400), 429, 429]);
  });
});

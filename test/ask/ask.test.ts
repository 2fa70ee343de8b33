import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app.ts';
import { createLogger } from '../../src/log/logger.ts';
import { ageFromBirthYear } from '../../src/modules/accounts/index.ts';
import { createAsk, ExtractiveAnswerer, OpenAiAnswerer, pruneAskConversations } from '../../src/modules/ask/index.ts';
import { buildWebApp } from '../../src/processes/compose.ts';
import { AdminClient } from '../admin/admin-client.ts';
import { startLlmServer } from '../helpers/llm-server.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

interface AnswerBody {
  conversationId: string;
  messageId: string;
  answer: string;
  citations: { id: string; title: string; url: string; status: string }[];
  filters: { age: number | null; region: string | null; status: string };
  matched: boolean;
  answerer: string;
}

interface ErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string }[] };
}

const RATE_LIMIT = 12;

/** Server-Sent Events as `[event, data]`, in order. */
function eventsOf(text: string): [string, Record<string, unknown>][] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
      return [name, JSON.parse(data) as Record<string, unknown>];
    });
}

describe('Ask AInfo: the JSON API, follow-ups, feedback and retention over real services', () => {
  let stack: Stack;
  let app: App;
  let token: string;
  let userId: number;

  const ask = async (body: Record<string, unknown>, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
    app.inject({ method: 'POST', url: '/api/ask', payload: body, headers: { accept: 'application/json', ...headers }, remoteAddress });

  beforeAll(async () => {
    stack = await startStack({
      label: 'ask',
      database: 'postgres',
      chroma: true,
      publicApis: true,
      app: true,
      worker: { queues: ['default'], tasks: [pruneAskConversations] },
      env: { ASK_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), AUTH_RATE_LIMIT_PER_MINUTE: '1000' },
    });
    if (!stack.app) throw new Error('no app');
    app = stack.app;
    for (const source of ['youth', 'gov24', 'work24'] as const) await stack.services.dataload.run(source);
    await stack.services.accounts.createSuperuser({ email: 'asker@ainfo.test', password: 'a long enough passphrase 42', name: '질문자' });
    const login = await app.inject({ method: 'POST', url: '/api/accounts/login', payload: { email: 'asker@ainfo.test', password: 'a long enough passphrase 42' } });
    token = login.json<{ accessToken: string }>().accessToken;
    const rows = await stack.db.sql.query<{ id: string }>("select id from users where email = 'asker@ainfo.test'");
    userId = Number(rows[0]?.id);
  });

  afterAll(() => stack.stop());

  it('answers a Korean question with filters read from it, citing only programmes that pass them, and stores the turn', async () => {
    const response = await ask({ question: '서울 사는 27살인데 월세 지원 받을 수 있어?' });
    expect(response.statusCode).toBe(200);
    const body = response.json<AnswerBody>();
    expect(body.filters).toEqual({ age: 27, region: '서울', status: 'any' });
    expect(body.matched).toBe(true);
    expect(body.answerer).toBe('extractive');
    expect(body.citations.length).toBeGreaterThan(0);
    const docs = await stack.services.policies.search.getMany(body.citations.map((citation) => citation.id));
    for (const doc of docs) {
      expect(doc.regionSido === null || doc.regionSido === '서울', doc.id).toBe(true);
      expect((doc.ageMin ?? 0) <= 27 && 27 <= (doc.ageMax ?? 999), doc.id).toBe(true);
      // The extractive answer quotes, never paraphrases: every cited title and link is in it.
      expect(body.answer).toContain(doc.title);
      expect(body.answer).toContain(doc.url);
    }
    expect(body.answer).toMatch(/^“.+”\(만 27세, 서울특별시\)에 맞는 정책 \d건을 찾았습니다/);
    const stored = await stack.db.sql.query<{ question: string; matched: boolean }>('select question, matched from ask_messages where id = $1', [body.messageId]);
    expect(stored).toEqual([{ question: '서울 사는 27살인데 월세 지원 받을 수 있어?', matched: true }]);
  });

  it('streams the same answer as Server-Sent Events: token events, then the citations, then done', async () => {
    const question = { question: '구직활동 지원금 알려줘' };
    const json = (await ask(question, {}, '10.5.0.1')).json<AnswerBody>();
    const response = await app.inject({ method: 'POST', url: '/api/ask', payload: question, headers: { accept: 'text/event-stream' }, remoteAddress: '10.5.0.1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = eventsOf(response.body);
    const names = events.map(([name]) => name);
    const firstOther = names.findIndex((name) => name !== 'token');
    expect(firstOther).toBeGreaterThan(1);
    expect(names.slice(firstOther)).toEqual(['citations', 'done']);
    expect(events.filter(([name]) => name === 'token').map(([, data]) => data.text).join('')).toBe(json.answer);
    expect(events[firstOther]?.[1]).toEqual({ citations: json.citations });
    expect(events.at(-1)?.[1]).toMatchObject({ matched: true, answerer: 'extractive', filters: json.filters });
    expect(events.at(-1)?.[1].conversationId).not.toBe(json.conversationId);
  });

  it('sends the first byte of a streamed answer while the model is still writing it (openai answerer, local model server)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const llm = await startLlmServer(() => ({ chunks: ['첫 조각입니다 [1]. ', '나머지 조각입니다 [2].'], gate }));
    const log = createLogger('silent');
    const answerer = new OpenAiAnswerer({ baseUrl: llm.url, model: 'test', apiKey: undefined, timeoutMs: 5_000, maxRetries: 0, fallback: new ExtractiveAnswerer(), log });
    const services = { ...stack.services, ask: createAsk({ db: stack.db, config: stack.config, log, policies: stack.services.policies.search, answerer }) };
    const streaming = await buildWebApp(stack.core, services);
    try {
      const base = await streaming.listen({ host: '127.0.0.1', port: 0 });
      const response = await fetch(`${base}/api/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ question: '청년 월세 지원' }),
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let received = '';
      while (!received.includes('event: token')) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
      // The model has not sent its second piece yet, and the asker already reads the first.
      expect(eventsOf(received).filter(([name]) => name === 'token').map(([, data]) => data.text).join('')).toBe('첫 조각입니다 [1]. ');
      expect(received).not.toContain('event: done');
      release();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        received += decoder.decode(value, { stream: true });
      }
      const events = eventsOf(received);
      expect(events.filter(([name]) => name === 'token').map(([, data]) => data.text).join('')).toBe('첫 조각입니다 [1]. 나머지 조각입니다 [2].');
      expect(events.at(-1)?.[0]).toBe('done');
      expect(events.at(-1)?.[1]).toMatchObject({ answerer: 'openai', matched: true });
      expect((events.at(-2)?.[1].citations as unknown[]).length).toBe(2);
    } finally {
      release();
      await streaming.close();
      await llm.stop();
    }
  });

  it('says when nothing matched and suggests which condition to drop', async () => {
    const response = await ask({ question: '지금 신청 가능한 우주비행사 훈련 지원', profile: { age: 30, region: '부산 해운대구' } });
    const body = response.json<AnswerBody>();
    expect(body).toMatchObject({ matched: false, citations: [], filters: { age: 30, region: '부산 해운대구', status: 'open' } });
    expect(body.answer).toContain('찾지 못했습니다');
    expect(body.answer).toContain('‘지금 신청 가능한’ 조건을 빼고');
    expect(body.answer).toContain('나이(만 30세)를 빼고');
    expect(body.answer).toContain('지역을 부산광역시 전체로 넓혀 보세요');
  });

  it('resolves a follow-up against the previous turn: its citations, the aspect asked, and "the second one"', async () => {
    const first = (await ask({ question: '청년 월세 지원' })).json<AnswerBody>();
    expect(first.citations.length).toBeGreaterThan(1);
    const how = (await ask({ question: '그거 신청 방법은?', conversationId: first.conversationId })).json<AnswerBody>();
    expect(how.conversationId).toBe(first.conversationId);
    expect(how.citations.map((citation) => citation.id)).toEqual(first.citations.map((citation) => citation.id));
    expect(how.answer).toMatch(/^앞에서 안내한 정책의 신청 방법입니다/);
    const second = (await ask({ question: '두 번째 거 서류는 뭐가 필요해?', conversationId: first.conversationId })).json<AnswerBody>();
    expect(second.citations.map((citation) => citation.id)).toEqual([first.citations[1]?.id]);
    expect(second.answer).toContain('구비서류');
    const turns = await stack.db.sql.query<{ turn: number }>('select turn from ask_messages where conversation_id = $1 order by turn', [first.conversationId]);
    expect(turns.map((row) => row.turn)).toEqual([1, 2, 3]);
  });

  it('refuses bad input with a 400 naming the field in Korean, and an unknown conversation with a 404', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ question: '' }, 'question'],
      [{ question: '가'.repeat(501) }, 'question'],
      [{ question: '월세\u0000지원' }, 'question'],
      [{ question: '월세 지원', profile: { age: 300 } }, 'profile.age'],
      [{ question: '월세 지원', profile: { region: '중구' } }, 'profile.region'],
      [{ question: '월세 지원', conversationId: 'not-a-uuid' }, 'conversationId'],
    ];
    for (const [body, field] of cases) {
      const response = await ask(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      const error = response.json<ErrorBody>().error;
      expect(error.fields?.map((each) => each.field)).toContain(field);
      expect(error.fields?.find((each) => each.field === field)?.message).toMatch(/[가-힣]/);
    }
    const unknown = await ask({ question: '월세 지원', conversationId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorBody>().error.fields?.[0]?.field).toBe('conversationId');
  });

  it('keeps a signed-in asker\'s conversation theirs, and deletes it with the account', async () => {
    const mine = (await ask({ question: '구직활동 지원금' }, { authorization: `Bearer ${token}` })).json<AnswerBody>();
    const owner = await stack.db.sql.query<{ user_id: string }>('select user_id from ask_conversations where id = $1', [mine.conversationId]);
    expect(Number(owner[0]?.user_id)).toBe(userId);
    expect((await ask({ question: '그거 신청 방법은?', conversationId: mine.conversationId })).statusCode).toBe(404);
    expect((await ask({ question: '그거 신청 방법은?', conversationId: mine.conversationId }, { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    const feedback = await app.inject({ method: 'POST', url: `/api/ask/${mine.messageId}/feedback`, payload: { value: 'up' } });
    expect(feedback.statusCode).toBe(404);
  });

  it('fills a signed-in asker\'s filters from their profile, while the question still wins', async () => {
    const birthYear = new Date().getUTCFullYear() - 26;
    const patch = await app.inject({
      method: 'PATCH',
      url: '/api/accounts/me',
      payload: { birthYear, regionSido: '부산' },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(patch.statusCode).toBe(200);
    const fromProfile = (await ask({ question: '월세 지원 받을 수 있어?' }, { authorization: `Bearer ${token}` })).json<AnswerBody>();
    expect(fromProfile.filters).toMatchObject({ age: ageFromBirthYear(birthYear), region: '부산' });
    const fromQuestion = (await ask({ question: '서울 사는 30살인데 월세 지원 받을 수 있어?' }, { authorization: `Bearer ${token}` })).json<AnswerBody>();
    expect(fromQuestion.filters).toMatchObject({ age: 30, region: '서울' });
    const anonymous = (await ask({ question: '월세 지원 받을 수 있어?' })).json<AnswerBody>();
    expect(anonymous.filters).toMatchObject({ age: null, region: null });
  });

  it('records thumbs up and down (the last one counts) and lists no-match and thumbs-down questions for the operator', async () => {
    const answer = (await ask({ question: '면접 준비 프로그램' }, {}, '10.4.0.1')).json<AnswerBody>();
    const send = (value: string, id = answer.messageId) =>
      app.inject({ method: 'POST', url: `/api/ask/${id}/feedback`, payload: { value }, remoteAddress: '10.4.0.1' });
    expect((await send('up')).statusCode).toBe(204);
    expect((await send('down')).statusCode).toBe(204);
    expect((await send('down')).statusCode).toBe(204);
    expect((await send('sideways')).json<ErrorBody>().error.fields?.[0]?.field).toBe('value');
    expect((await send('up', '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const attention = await stack.services.ask.attention(10);
    expect(attention.find((row) => row.id === answer.messageId)).toMatchObject({ feedback: 'down', matched: true, question: '면접 준비 프로그램' });
    expect(attention.some((row) => row.question === '지금 신청 가능한 우주비행사 훈련 지원' && !row.matched)).toBe(true);
    const admin = new AdminClient(app, '10.4.0.2');
    await admin.login('asker@ainfo.test', 'a long enough passphrase 42');
    const page = await admin.get('/admin/ask');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('면접 준비 프로그램');
    expect(page.body).toContain('지금 신청 가능한 우주비행사 훈련 지원');
    expect(page.body).toContain('찾지 못함');
    expect((await app.inject({ method: 'GET', url: '/admin/ask' })).statusCode).not.toBe(200);
  });

  it('answers the page\'s form without script: the whole answer, citations linking to /policies/:id with status badges, under the strict CSP', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/ask',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ question: '청년 월세 지원', age: '27', region: '서울', conversationId: '' }).toString(),
      remoteAddress: '10.6.0.1',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
    expect(response.body).toMatch(/<ol class="citations"><li data-id="[^"]+">(<span class="badge status \w+" data-status="\w+">[^<]+<\/span>)?<a href="\/policies\//);
    expect(response.body).toContain('(만 27세, 서울특별시)에 맞는 정책');
    const conversationId = /name="conversationId" value="([0-9a-f-]{36})"/.exec(response.body)?.[1];
    expect(conversationId).toBeDefined();
    const messageId = /name="messageId" value="([0-9a-f-]{36})"/.exec(response.body)?.[1] ?? '';
    const feedback = await app.inject({
      method: 'POST',
      url: '/ask/feedback',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ messageId, conversationId: conversationId ?? '', value: 'down' }).toString(),
      remoteAddress: '10.6.0.1',
    });
    expect(feedback.statusCode).toBe(303);
    const again = await app.inject({ method: 'GET', url: feedback.headers.location ?? '' });
    expect(again.body).toContain('aria-pressed="true">👎');
    const bad = await app.inject({
      method: 'POST',
      url: '/ask',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ question: '월세', age: '300' }).toString(),
      remoteAddress: '10.6.0.1',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('나이는 0부터 120 사이의 숫자로 입력해 주세요.');
  });

  it('limits questions per client and per signed-in user, in Redis', async () => {
    const unknownMessage = '/api/ask/00000000-0000-4000-8000-000000000001/feedback';
    const hit = (remoteAddress: string, headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: unknownMessage, payload: { value: 'up' }, remoteAddress, headers });
    for (let index = 0; index < RATE_LIMIT; index += 1) expect((await hit('10.1.1.1')).statusCode).toBe(404);
    expect((await hit('10.1.1.1')).statusCode).toBe(429);
    expect((await hit('10.1.1.2')).statusCode).toBe(404);
    // A signed-in user has one budget wherever they ask from.
    for (let index = 0; index < RATE_LIMIT; index += 1) expect((await hit(`10.2.0.${index}`, { authorization: `Bearer ${token}` })).statusCode).toBe(404);
    const limited = await hit('10.2.1.1', { authorization: `Bearer ${token}` });
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ErrorBody>().error.message).toMatch(/요청이 너무 많습니다/);
  });

  it('refuses questions over the limit with a 429 before any answer, even though their retrieval starts beside the count', async () => {
    const unknown = '00000000-0000-4000-8000-000000000002';
    for (let index = 0; index < RATE_LIMIT; index += 1) expect((await ask({ question: '월세 지원', conversationId: unknown }, {}, '10.9.0.1')).statusCode).toBe(404);
    const stored = async (): Promise<number> => Number((await stack.db.sql.query<{ n: string }>('select count(*) as n from ask_messages'))[0]?.n);
    const before = await stored();
    // The limit wins over what the question would have got (404 here, an answer there), as when it ran first.
    const refused = await ask({ question: '월세 지원', conversationId: unknown }, {}, '10.9.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json<ErrorBody>().error.code).toBe('RATE_LIMITED');
    const streamed = await ask({ question: '서울 월세 지원' }, { accept: 'text/event-stream' }, '10.9.0.1');
    expect(streamed.statusCode).toBe(429);
    expect(streamed.headers['content-type']).toContain('application/json');
    expect(await stored()).toBe(before);
    expect((await ask({ question: '서울 월세 지원' }, {}, '10.9.0.2')).statusCode).toBe(200);
  });

  it('prunes conversations untouched for ASK_RETENTION_DAYS with a task that can run twice, keeping recent ones', async () => {
    const old = (await ask({ question: '자격증 응시료' }, {}, '10.3.0.1')).json<AnswerBody>();
    const recent = (await ask({ question: '자격증 응시료' }, {}, '10.3.0.2')).json<AnswerBody>();
    await stack.db.sql.query("update ask_conversations set updated_at = now() - interval '91 days' where id = $1", [old.conversationId]);
    const run = async (): Promise<unknown> => {
      const ref = await stack.core.broker.enqueue(pruneAskConversations, {});
      return stack.core.results.value(ref.id, { timeoutMs: 20_000 });
    };
    expect(await run()).toEqual({ deleted: 1 });
    expect(await run()).toEqual({ deleted: 0 });
    const left = await stack.db.sql.query<{ id: string }>('select id from ask_conversations where id = any($1::uuid[])', [[old.conversationId, recent.conversationId]]);
    expect(left.map((row) => row.id)).toEqual([recent.conversationId]);
    expect(await stack.db.sql.query('select 1 from ask_messages where conversation_id = $1', [old.conversationId])).toEqual([]);
    // And an account's deletion takes its conversations with it.
    await stack.db.sql.query('delete from users where id = $1', [userId]);
    expect(await stack.db.sql.query('select 1 from ask_conversations where user_id = $1', [userId])).toEqual([]);
  });
});

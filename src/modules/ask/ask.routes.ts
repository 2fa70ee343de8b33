import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { optionalUser, pageViewer } from '../../http/auth.ts';
import { viewerFrame } from '../../http/pages/viewer-frame.ts';
import { errorBody, errorBodySchema } from '../../http/errors.ts';
import { defineRoutes } from '../../http/routes.ts';
import { AppError } from '../../utils/errors.ts';
import { askPage, type AskPageInput, type PageTurn } from './ask.page.ts';
import { askBody, askPageBody, askPageQuery, askResponse, feedbackBody, feedbackPageBody, messageParams } from './ask.schemas.ts';
import { ASK, type AskEvent, type AskService, type AskStream } from './ask.service.ts';

/** One Server-Sent Event: its name and a JSON line. */
function sse(event: AskEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const AGE_TEXT = /^\d{1,3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Per user when signed in, per client address otherwise; counted in Redis, so every web process
 * shares the budget.
 */
function askRateLimit(max: number): { rateLimit: { max: number; timeWindow: number; hook: 'preHandler'; keyGenerator: (request: FastifyRequest) => string } } {
  return {
    rateLimit: {
      max,
      timeWindow: 60_000,
      hook: 'preHandler',
      keyGenerator: (request) => (request.user ? `ask:user:${request.user.id}` : `ask:ip:${request.ip}`),
    },
  };
}

/** The previous turns shown on the page (an unknown or foreign conversation shows none). */
async function turnsOf(ask: AskService, conversationId: string | undefined, userId: number | undefined): Promise<PageTurn[]> {
  if (!conversationId || !UUID.test(conversationId)) return [];
  try {
    return await ask.history(conversationId, userId);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return [];
    throw error;
  }
}

/**
 * Ask AInfo: `POST /api/ask` (JSON, or SSE with `Accept: text/event-stream`), feedback, and the
 * page `/ask` (a form that works without script; /assets/ask.js streams when script runs).
 */
export default defineRoutes(ASK, (instance, ask) => {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const limit = askRateLimit(ask.rateLimitPerMinute);

  /**
   * Questions whose answer is being prepared. Retrieval starts in a preHandler that runs before the
   * rate limit's (the plugin appends its hook after the route's), so the limit's Redis round trip
   * overlaps the search instead of preceding it. A question over the limit is still refused with
   * the usual 429 before any byte is sent and before the model is asked; only its search is spent.
   */
  const preparing = new WeakMap<FastifyRequest, { stream: Promise<AskStream>; gone: AbortController }>();

  app.post(
    '/api/ask',
    {
      preHandler: [
        optionalUserOrSession,
        (request, _reply, done) => {
          const gone = new AbortController();
          const stream = ask.start({
            question: request.body.question,
            conversationId: request.body.conversationId,
            profile: request.body.profile,
            userId: request.user?.id,
            signal: gone.signal,
          });
          // Refused by the rate limit, the handler never awaits it: its failure is not unhandled.
          stream.catch(() => undefined);
          preparing.set(request, { stream, gone });
          done();
        },
      ],
      config: limit,
      schema: {
        tags: ['ask'],
        summary: 'Ask a question in Korean; answered from the collected policies with citations. `Accept: text/event-stream` streams it (token…, citations, done).',
        body: askBody,
        response: { 200: askResponse, 400: errorBodySchema, 404: errorBodySchema, 429: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const streamed = (request.headers.accept ?? '').includes('text/event-stream');
      const started = preparing.get(request);
      if (!started) throw new Error('POST /api/ask: the preHandler that starts the answer did not run');
      const { gone } = started;
      const stream = await started.stream;
      if (!streamed) return ask.collect(stream);
      return sendStream(reply, stream.events, gone);
    },
  );

  app.post(
    '/api/ask/:messageId/feedback',
    {
      preHandler: optionalUserOrSession,
      config: limit,
      schema: {
        tags: ['ask'],
        summary: 'Thumbs up or down on an answer (the last one given counts)',
        params: messageParams,
        body: feedbackBody,
        response: { 204: z.null(), 400: errorBodySchema, 404: errorBodySchema, 429: errorBodySchema },
      },
    },
    async (request, reply) => {
      await ask.feedback(request.params.messageId, request.body.value, request.user?.id);
      return reply.status(204).send(null);
    },
  );

  app.get('/ask', { schema: { hide: true, querystring: askPageQuery } }, async (request, reply) => {
    const viewer = await pageViewer(request);
    request.pageFrame = viewerFrame(viewer);
    const turns = await turnsOf(ask, request.query.c, viewer?.id);
    const conversationId = turns.length > 0 ? request.query.c : undefined;
    return reply.page(askPage({ turns, conversationId, question: '', age: '', region: '', error: undefined }), { script: '/assets/ask.js' });
  });

  app.post('/ask', { config: limit, schema: { hide: true, body: askPageBody } }, async (request, reply) => {
    // The page session's person (SameSite=Lax keeps the cookie off cross-site posts): their profile fills the filters.
    const viewer = await pageViewer(request);
    request.pageFrame = viewerFrame(viewer);
    const form = request.body;
    const input: AskPageInput = { turns: [], conversationId: undefined, question: form.question, age: form.age, region: form.region, error: undefined };
    const age = form.age.trim();
    let status = 200;
    if (age !== '' && (!AGE_TEXT.test(age) || Number(age) > 120)) input.error = '나이는 0부터 120 사이의 숫자로 입력해 주세요.';
    else if (form.question.trim() === '' || form.question.trim().length > 500) input.error = '질문은 1자부터 500자까지 입력해 주세요.';
    const conversationId = UUID.test(form.conversationId) ? form.conversationId : undefined;
    if (!input.error) {
      try {
        const answer = await ask.ask({
          question: form.question,
          conversationId,
          profile: { ...(age !== '' ? { age: Number(age) } : {}), ...(form.region.trim() !== '' ? { region: form.region } : {}) },
          userId: viewer?.id,
        });
        input.conversationId = answer.conversationId;
        input.question = '';
      } catch (failure) {
        if (!(failure instanceof AppError)) throw failure;
        status = failure.status;
        input.error = failure.message;
      }
    } else {
      status = 400;
    }
    input.conversationId ??= conversationId;
    input.turns = await turnsOf(ask, input.conversationId, viewer?.id);
    return reply.page(askPage(input), { status, script: '/assets/ask.js' });
  });

  app.post('/ask/feedback', { config: limit, schema: { hide: true, body: feedbackPageBody } }, async (request, reply) => {
    const { messageId, conversationId, value } = request.body;
    if (!UUID.test(messageId)) throw new AppError(404, 'MESSAGE_NOT_FOUND', '답변을 찾을 수 없습니다.');
    await ask.feedback(messageId, value, (await pageViewer(request))?.id);
    const back = UUID.test(conversationId) ? `/ask?c=${conversationId}#m-${messageId}` : '/ask';
    return reply.redirect(back, 303);
  });
});

/**
 * Streams the events as SSE. Headers go out at once (the first byte, before the answer exists);
 * a failure after that can only be told in the stream, as an `error` event.
 */
async function sendStream(reply: FastifyReply, events: AsyncGenerator<AskEvent, void>, gone: AbortController): Promise<FastifyReply> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Proxies that buffer (nginx) would hold the tokens back.
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  raw.on('close', () => {
    if (!raw.writableFinished) gone.abort();
  });
  try {
    for await (const event of events) {
      if (gone.signal.aborted) break;
      raw.write(sse(event));
    }
  } catch (error) {
    reply.log.error({ err: error }, 'ask: the answer failed while streaming');
    const body = error instanceof AppError ? errorBody(error.code, error.message) : errorBody('INTERNAL', '답변을 만드는 중에 오류가 났습니다. 잠시 뒤에 다시 시도해 주세요.');
    if (!raw.destroyed) raw.write(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
  } finally {
    raw.end();
  }
  return reply;
}

/**
 * The bearer token's user, else the page session's person (the page's script posts with the
 * cookie). Never refuses; asking changes nothing of the person's but their own conversations, and
 * the session cookie is SameSite=Lax, so a cross-site post carries no session.
 */
async function optionalUserOrSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await optionalUser(request, reply);
  if (!request.user) {
    const viewer = await pageViewer(request);
    if (viewer) request.user = viewer;
  }
}

/**
 * The bench:ask client: the time to the first answer token over SSE (`POST /api/ask`) and, for
 * comparison, to the first token of the model server reached directly with the same OpenAI client.
 * The bench calls these in its own thread and, through `startClientThread`, in a worker thread:
 * a browser does not share the server's event loop, so work the server does after sending a token
 * (storing the turn) must not delay when the client reads it.
 */
import { parentPort, Worker } from 'node:worker_threads';
import OpenAI from 'openai';

export interface Timing {
  /** When the request started, in ms since the epoch (`performance.timeOrigin` based, so threads compare). */
  startedAt: number;
  /** Until the response headers, when the request was to /api/ask. */
  headersMs?: number;
  /** Until the first answer token; undefined when none came. */
  firstTokenMs: number | undefined;
}

export type ClientRequest = { kind: 'ask'; base: string; question: string } | { kind: 'direct'; llmUrl: string; question: string };

const clients = new Map<string, OpenAI>();

/** POST /api/ask with `Accept: text/event-stream`, read to the end. */
async function viaAsk(base: string, question: string): Promise<Timing> {
  const started = performance.now();
  const startedAt = performance.timeOrigin + started;
  const response = await fetch(`${base}/api/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ question }),
  });
  const headersMs = performance.now() - started;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let firstTokenMs: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (firstTokenMs === undefined && text.includes('event: token')) firstTokenMs = performance.now() - started;
  }
  return { startedAt, headersMs, firstTokenMs };
}

/** The model server with the same client ask uses (one per process, so its connections are kept). */
async function direct(llmUrl: string, question: string): Promise<Timing> {
  let client = clients.get(llmUrl);
  if (!client) {
    client = new OpenAI({ baseURL: llmUrl, apiKey: 'unused', maxRetries: 0 });
    clients.set(llmUrl, client);
  }
  const started = performance.now();
  const startedAt = performance.timeOrigin + started;
  const stream = await client.chat.completions.create({ model: 'bench', stream: true, messages: [{ role: 'user', content: question }] });
  let firstTokenMs: number | undefined;
  for await (const chunk of stream) if (firstTokenMs === undefined && chunk.choices[0]?.delta.content) firstTokenMs = performance.now() - started;
  return { startedAt, firstTokenMs };
}

export function measure(request: ClientRequest): Promise<Timing> {
  return request.kind === 'ask' ? viaAsk(request.base, request.question) : direct(request.llmUrl, request.question);
}

/** The same client in a worker thread: one request at a time. */
export function startClientThread(): { measure(request: ClientRequest): Promise<Timing>; stop(): Promise<void> } {
  const file = new URL(import.meta.url).href;
  // The worker runs this file through tsx, as the bench itself runs.
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); })`, { eval: true });
  let pending: { resolve(timing: Timing): void; reject(error: Error): void } | undefined;
  worker.on('message', (timing: Timing) => pending?.resolve(timing));
  worker.on('error', (error) => pending?.reject(error));
  return {
    measure(request) {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        worker.postMessage(request);
      });
    },
    async stop() {
      await worker.terminate();
    },
  };
}

// In the worker thread: answer each request with its timing.
parentPort?.on('message', (request: ClientRequest) => {
  measure(request).then(
    (timing) => parentPort?.postMessage(timing),
    (error: unknown) => {
      throw error;
    },
  );
});

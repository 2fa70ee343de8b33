import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat-completions request as the local model server received it. */
export interface LlmRequest {
  headers: IncomingMessage['headers'];
  body: { model: string; stream?: boolean; messages: { role: string; content: string }[] };
}

/** What the server does with one request. */
export interface LlmReply {
  /** An error status (429, 500…) with a JSON error body instead of a stream. */
  status?: number;
  headers?: Record<string, string>;
  /** Streamed as chat.completion.chunk deltas, then `[DONE]`. */
  chunks?: readonly string[];
  /** Never answers (a hung model server). */
  hang?: boolean;
  /** Waits this long before the first chunk (time to first token). */
  firstTokenMs?: number;
  /** Sent after the first chunk, the rest waits for this. */
  gate?: Promise<void>;
}

export interface LlmServer {
  /** The OpenAI-compatible base URL (`…/v1`). */
  url: string;
  requests: LlmRequest[];
  stop(): Promise<void>;
}

function chunkLine(content: string): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'test', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A local OpenAI-compatible chat-completions server over real HTTP and SSE; `reply` decides, per
 * request (numbered from 0), what it answers.
 */
export async function startLlmServer(reply: (request: LlmRequest, index: number) => LlmReply): Promise<LlmServer> {
  const requests: LlmRequest[] = [];
  const answer = async (request: IncomingMessage, response: ServerResponse, raw: string): Promise<void> => {
    const received: LlmRequest = { headers: request.headers, body: JSON.parse(raw) as LlmRequest['body'] };
    const index = requests.length;
    requests.push(received);
    const plan = reply(received, index);
    if (plan.hang) return;
    if (plan.status && plan.status >= 400) {
      response.writeHead(plan.status, { 'content-type': 'application/json', ...plan.headers });
      response.end(JSON.stringify({ error: { message: `status ${plan.status}`, type: 'test' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...plan.headers });
    if (plan.firstTokenMs) await delay(plan.firstTokenMs);
    for (const [position, chunk] of (plan.chunks ?? []).entries()) {
      response.write(chunkLine(chunk));
      if (position === 0 && plan.gate) await plan.gate;
    }
    response.end('data: [DONE]\n\n');
  };
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    request.on('end', () => {
      answer(request, response, raw).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

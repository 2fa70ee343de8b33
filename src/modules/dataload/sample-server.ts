import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SourceName } from './dataload.types.ts';
import { loadFixtures, type SampleDataset } from './sample-data.ts';
import type { Gov24Item } from './sources/gov24.ts';

/** Paths of the three APIs on the peer, the same as on the real hosts. */
export const PEER_PATHS: Readonly<Record<SourceName, string>> = {
  gov24: '/api/gov24/v3',
  youth: '/go/ythip/getPlcy',
  work24: '/cm/openApi/call/wk/callOpenApiSvcInfo217L01.do',
};

/** The key the peer accepts unless told otherwise. */
export const SAMPLE_API_KEY = 'ainfo-sample-key';

/**
 * A fault the peer injects into its answers:
 * - `http500`, `http429`: that status (429 with Retry-After: 0);
 * - `slow`: waits `delayMs` (default 30 s) before answering, to trip the client's timeout;
 * - `truncated`: announces the full length, sends half, cuts the connection;
 * - `empty`: HTTP 200 with an empty body;
 * - `envelope`: the API's own error body (gov24 `{code,msg}` with `code`, default -10 quota;
 *   youth `resultCode` (default 500); work24 HTTP 200 `<GO24><error>message</error></GO24>`);
 * - `badKey`: the API's answer to an invalid key.
 * `page` limits it to that page, `endpoint` to paths ending so (`supportConditions`), `times` to
 * that many answers (default: every one).
 */
export interface PeerFault {
  kind: 'http500' | 'http429' | 'slow' | 'truncated' | 'empty' | 'envelope' | 'badKey';
  page?: number;
  endpoint?: string;
  times?: number;
  delayMs?: number;
  code?: number;
  message?: string;
}

export interface PeerRequest {
  api: SourceName;
  path: string;
  page: number;
}

const GOV24_MESSAGES: Readonly<Record<number, string>> = {
  [-1]: '시스템 내부 오류가 발생하였습니다.',
  [-2]: '요청하신 파라미터가 적합하지 않습니다.',
  [-3]: '등록되지 않은 서비스 입니다.',
  [-4]: '등록되지 않은 인증키 입니다.',
  [-9]: '종료된 서비스 입니다.',
  [-10]: '트래픽 허용 횟수를 초과하였습니다.',
  [-401]: '유효하지 않은 인증키 입니다.',
};

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[char] ?? ''};`);
}

interface Answer {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): Answer => ({ status, type: 'application/json;charset=UTF-8', body: JSON.stringify(value) });
const xml = (body: string): Answer => ({ status: 200, type: 'application/xml;charset=UTF-8', body: `<?xml version="1.0" encoding="UTF-8"?>${body}` });

function positiveInt(value: string | null, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * The local peer of 정부24 (`serviceList`, `serviceDetail`, `supportConditions`), 온통청년 and
 * 고용24: their paths, parameters, envelopes and error bodies, serving `data` (the bundled fixtures
 * unless given), with faults a test can switch on.
 * Used by the tests, the benchmark and the sample mode (no API key).
 */
export class PublicApisPeer {
  readonly requests: PeerRequest[] = [];
  private readonly faults = new Map<SourceName, PeerFault & { used: number }>();
  private server: Server | undefined;
  private baseUrl = '';

  constructor(
    public data: SampleDataset,
    public apiKey = SAMPLE_API_KEY,
  ) {}

  get url(): string {
    return this.baseUrl;
  }

  /** Base URLs to configure the clients with (`GOV24_BASE_URL`, …). */
  get baseUrls(): Record<SourceName, string> {
    return {
      gov24: `${this.baseUrl}${PEER_PATHS.gov24}`,
      youth: `${this.baseUrl}${PEER_PATHS.youth}`,
      work24: `${this.baseUrl}${PEER_PATHS.work24}`,
    };
  }

  setFault(api: SourceName, fault: PeerFault | undefined): void {
    if (fault) this.faults.set(api, { ...fault, used: 0 });
    else this.faults.delete(api);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://peer');
    const api = (Object.keys(PEER_PATHS) as SourceName[]).find((name) => url.pathname.startsWith(PEER_PATHS[name]));
    if (!api) {
      this.send(response, json(404, { error: 'not found' }));
      return;
    }
    const page = positiveInt(url.searchParams.get(api === 'gov24' ? 'page' : api === 'youth' ? 'pageNum' : 'startPage'), 1);
    this.requests.push({ api, path: url.pathname, page });

    const fault = this.faults.get(api);
    const applies =
      fault &&
      (fault.page === undefined || fault.page === page) &&
      (fault.endpoint === undefined || url.pathname.endsWith(`/${fault.endpoint}`)) &&
      (fault.times === undefined || fault.used < fault.times);
    if (fault && applies) {
      fault.used += 1;
      if (fault.kind === 'slow') {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 30_000));
      } else if (fault.kind === 'truncated') {
        const full = this.answer(api, url);
        const bytes = Buffer.from(full.body, 'utf8');
        response.writeHead(200, { 'content-type': full.type, 'content-length': bytes.length });
        response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        response.destroy();
        return;
      } else {
        this.send(response, this.faultAnswer(api, fault));
        return;
      }
    }
    const key = url.searchParams.get(api === 'gov24' ? 'serviceKey' : api === 'youth' ? 'apiKeyNm' : 'authKey');
    const authorization = request.headers.authorization?.replace(/^Infuser\s+/i, '');
    if ((key ?? authorization) !== this.apiKey) {
      this.send(response, this.faultAnswer(api, { kind: 'badKey' }));
      return;
    }
    this.send(response, this.answer(api, url));
  }

  private send(response: ServerResponse, answer: Answer): void {
    response.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers });
    response.end(answer.body);
  }

  private faultAnswer(api: SourceName, fault: PeerFault): Answer {
    switch (fault.kind) {
      case 'http500':
        return { status: 500, type: 'text/html', body: '<html><body><h1>500 Internal Server Error</h1></body></html>' };
      case 'http429':
        return { status: 429, type: 'text/plain', body: 'Too Many Requests', headers: { 'retry-after': '0' } };
      case 'empty':
        return { status: 200, type: 'text/plain', body: '' };
      case 'badKey':
        if (api === 'gov24') return json(401, { code: -401, msg: GOV24_MESSAGES[-401] });
        if (api === 'youth') return json(403, { errorCode: 'e001', errorMsg: 'invalid api key.' });
        return xml('<GO24><error>인증키가 존재하지 않습니다</error></GO24>');
      default: {
        if (api === 'gov24') {
          const code = fault.code ?? -10;
          return json(code === -401 || code === -4 ? 401 : 400, { code, msg: fault.message ?? GOV24_MESSAGES[code] ?? 'UNKNOWN' });
        }
        if (api === 'youth') {
          const code = fault.code ?? 500;
          return json(200, { resultCode: code, resultMessage: fault.message ?? '일시적인 오류로 데이터를 가져오지 못했습니다.', result: null });
        }
        return xml(`<GO24><error>${xmlEscape(fault.message ?? '일일 호출 건수를 초과하였습니다')}</error></GO24>`);
      }
    }
  }

  private answer(api: SourceName, url: URL): Answer {
    const params = url.searchParams;
    if (api === 'gov24') {
      const page = positiveInt(params.get('page'), 1);
      const perPage = positiveInt(params.get('perPage'), 10);
      const endpoint = url.pathname.slice(PEER_PATHS.gov24.length).replace(/^\/+/, '');
      const endpoints: Readonly<Record<string, Gov24Item[]>> = {
        serviceList: this.data.gov24List,
        serviceDetail: this.data.gov24Detail,
        supportConditions: this.data.gov24Conditions,
      };
      const all = endpoints[endpoint];
      if (!all) return json(400, { code: -3, msg: GOV24_MESSAGES[-3] });
      const data = all.slice((page - 1) * perPage, page * perPage);
      return json(200, { page, perPage, totalCount: all.length, currentCount: data.length, matchCount: all.length, data });
    }
    if (api === 'youth') {
      const pageNum = positiveInt(params.get('pageNum'), 1);
      const pageSize = positiveInt(params.get('pageSize'), 10);
      const list = this.data.youth.slice((pageNum - 1) * pageSize, pageNum * pageSize);
      return json(200, {
        resultCode: 200,
        resultMessage: '성공적으로 데이터를 가지고 왔습니다.',
        result: { pagging: { totCount: this.data.youth.length, pageNum, pageSize }, youthPolicyList: list },
      });
    }
    if (params.get('returnType') !== 'XML') return xml('<GO24><error>returnType은 필수 입니다.</error></GO24>');
    const startPage = positiveInt(params.get('startPage'), 1);
    const display = Math.min(positiveInt(params.get('display'), 10), 100);
    const items = this.data.work24.slice((startPage - 1) * display, startPage * display);
    if (items.length === 0) {
      return xml('<empPgmSchdInviteList><message>정보가 존재하지 않습니다.</message><messageCd>006</messageCd></empPgmSchdInviteList>');
    }
    const body = items
      .map(
        (item) =>
          `<empPgmSchdInvite>${Object.entries(item)
            .map(([key, value]) => `<${key}>${xmlEscape(value)}</${key}>`)
            .join('')}</empPgmSchdInvite>`,
      )
      .join('');
    return xml(
      `<empPgmSchdInviteList><total>${this.data.work24.length}</total><startPage>${startPage}</startPage><display>${display}</display>${body}</empPgmSchdInviteList>`,
    );
  }
}

/** Starts a peer on a free local port, serving `data` or the bundled fixtures. */
export async function startPublicApisPeer(options: { data?: SampleDataset; apiKey?: string; port?: number } = {}): Promise<PublicApisPeer> {
  const peer = new PublicApisPeer(options.data ?? (await loadFixtures()), options.apiKey);
  return peer.start(options.port ?? 0);
}

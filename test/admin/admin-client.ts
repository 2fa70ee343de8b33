import type { App } from '../../src/http/app.ts';

type InjectResponse = Awaited<ReturnType<App['inject']>>;

/** A browser-like client for `app.inject`: keeps the cookies it is given (session, login form) and reads CSRF tokens from forms. */
export class AdminClient {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: App,
    readonly remoteAddress = '127.0.0.1',
  ) {}

  /** The Cookie header this client sends. */
  get cookie(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: InjectResponse): void {
    const setCookie = response.headers['set-cookie'];
    const values = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
    for (const value of values) {
      const pair = value.split(';')[0] ?? '';
      const at = pair.indexOf('=');
      const [name, content] = [pair.slice(0, at), pair.slice(at + 1)];
      if (content === '' || /;\s*Max-Age=0\b/i.test(value)) this.cookies.delete(name);
      else this.cookies.set(name, content);
    }
  }

  async get(url: string): Promise<InjectResponse> {
    const response = await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: this.cookie ? { cookie: this.cookie } : {} });
    this.remember(response);
    return response;
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<InjectResponse> {
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.remoteAddress,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      payload: new URLSearchParams(form).toString(),
    });
    this.remember(response);
    return response;
  }

  /** The CSRF token of the first form on a page. */
  static csrfOf(body: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(body);
    if (!match?.[1]) throw new Error('no CSRF token on the page');
    return match[1];
  }

  /** Opens a page and returns its CSRF token. */
  async csrf(url = '/admin'): Promise<string> {
    return AdminClient.csrfOf((await this.get(url)).body);
  }

  async login(email: string, password: string, next = '/admin'): Promise<InjectResponse> {
    const page = await this.get(`/admin/login?next=${encodeURIComponent(next)}`);
    return this.post('/admin/login', { _csrf: AdminClient.csrfOf(page.body), email, password, next });
  }

  /** Posts a form with the CSRF token taken from `from`. */
  async submit(from: string, url: string, form: Record<string, string> = {}): Promise<InjectResponse> {
    return this.post(url, { _csrf: await this.csrf(from), ...form });
  }
}

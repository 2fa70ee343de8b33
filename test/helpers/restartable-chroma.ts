import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startChromaServer, type ChromaServer } from '../../src/vector/chroma-server.ts';

const CHROMA_API = '/api/v2/tenants/default_tenant/databases/default_database';

/**
 * A real Chroma server (the chromadb package's `chroma run`) that a test may stop and start
 * again on the same port and data directory, as an operator restarting it would.
 */
export class RestartableChroma {
  private server: ChromaServer | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    readonly host: string,
  ) {}

  static async start(options: { host?: string } = {}): Promise<RestartableChroma> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ainfo-chroma-'));
    const chroma = new RestartableChroma(await findFreePort(), dir, options.host ?? '127.0.0.1');
    await chroma.start();
    return chroma;
  }

  /** Set CHROMA_URL to this. */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  get isRunning(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    this.server ??= await startChromaServer({ dir: this.dir, port: this.port, host: this.host });
  }

  /** Stops the server; its data stays for the next start(). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await server.stop();
  }

  /**
   * The ids of a collection, read over Chroma's HTTP API (what the service wrote, seen from
   * outside); an empty list when the collection does not exist.
   */
  async ids(collection: string): Promise<string[]> {
    const found = await fetch(`${this.url}${CHROMA_API}/collections/${encodeURIComponent(collection)}`);
    if (found.status === 404) return [];
    if (!found.ok) throw new Error(`Chroma: ${found.status} ${await found.text()}`);
    const { id } = (await found.json()) as { id: string };
    const ids: string[] = [];
    const page = 1_000;
    for (let offset = 0; ; offset += page) {
      const response = await fetch(`${this.url}${CHROMA_API}/collections/${id}/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ limit: page, offset, include: [] }),
      });
      if (!response.ok) throw new Error(`Chroma: ${response.status} ${await response.text()}`);
      const batch = ((await response.json()) as { ids: string[] }).ids;
      ids.push(...batch);
      if (batch.length < page) return ids;
    }
  }

  /** Stops the server and removes its data. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

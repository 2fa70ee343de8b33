import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** One host of a TestNetwork: a network namespace with one link to the bridge. */
export interface TestHost {
  /** The namespace (`ip netns exec <namespace> …`). */
  namespace: string;
  /** Its address on the bridge's subnet. */
  address: string;
  /** The link's end on the bridge side: set down, the host is cut off (its processes keep running). */
  link: string;
}

/**
 * Hosts of a test's own on one machine: a bridge in the test's namespace holding `10.231.<n>.1/24`
 * (the services listen there) and, per host, a network namespace joined to the bridge by a veth
 * pair. Every name starts with a random id and the subnet is random in 10.231.0.0/16, so runs and
 * other users of the machine never meet; close() deletes all of it (a namespace's deletion takes
 * its end of the pair with it, and that the other end).
 */
export class TestNetwork {
  readonly hosts: TestHost[] = [];

  private constructor(
    readonly id: string,
    readonly bridge: string,
    /** The services' address, reachable from every host and from the test itself. */
    readonly address: string,
  ) {}

  /**
   * Why namespaces cannot be made here (not root, no `ip`, no CAP_NET_ADMIN), or undefined when
   * they can: tried once with a throwaway namespace.
   */
  static async unavailable(): Promise<string | undefined> {
    if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns); run as root to include the multi-host test';
    const probe = `ainfo-probe-${randomBytes(3).toString('hex')}`;
    try {
      await ip('netns', 'add', probe);
      await ip('netns', 'del', probe);
      return undefined;
    } catch (error) {
      return `cannot make a network namespace (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
  }

  static async create(hostCount: number): Promise<TestNetwork> {
    const id = randomBytes(3).toString('hex');
    const subnet = `10.231.${randomInt(1, 255)}`;
    const network = new TestNetwork(id, `ab${id}`, `${subnet}.1`);
    try {
      await ip('link', 'add', network.bridge, 'type', 'bridge');
      await ip('addr', 'add', `${network.address}/24`, 'dev', network.bridge);
      await ip('link', 'set', network.bridge, 'up');
      for (let index = 1; index <= hostCount; index += 1) {
        const host: TestHost = { namespace: `ainfo-${id}-h${index}`, address: `${subnet}.${10 + index}`, link: `a${id}h${index}b` };
        const inside = `a${id}h${index}n`;
        await ip('netns', 'add', host.namespace);
        network.hosts.push(host);
        await ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', inside);
        await ip('link', 'set', host.link, 'master', network.bridge, 'up');
        await ip('link', 'set', inside, 'netns', host.namespace);
        await ip('-n', host.namespace, 'addr', 'add', `${host.address}/24`, 'dev', inside);
        await ip('-n', host.namespace, 'link', 'set', inside, 'up');
        await ip('-n', host.namespace, 'link', 'set', 'lo', 'up');
      }
    } catch (error) {
      await network.close();
      throw error;
    }
    return network;
  }

  /** The prefix that runs a command on `host`. */
  wrap(host: TestHost): string[] {
    return ['ip', 'netns', 'exec', host.namespace];
  }

  /** Cuts `host` off: its link goes down, nothing it sends arrives and no connection is closed. */
  async cut(host: TestHost): Promise<void> {
    await ip('link', 'set', host.link, 'down');
  }

  async restore(host: TestHost): Promise<void> {
    await ip('link', 'set', host.link, 'up');
  }

  /** Deletes every namespace, link and the bridge it made; what is already gone is skipped. */
  async close(): Promise<void> {
    for (const host of this.hosts) await ip('netns', 'del', host.namespace).catch(() => undefined);
    for (const host of this.hosts) await ip('link', 'del', host.link).catch(() => undefined);
    await ip('link', 'del', this.bridge).catch(() => undefined);
  }
}

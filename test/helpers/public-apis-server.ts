import {
  cloneDataset,
  generateDataset,
  loadFixtures,
  PublicApisPeer,
  type PeerFault,
  type SampleDataset,
  type SourceName,
} from '../../src/modules/dataload/index.ts';

export { PublicApisPeer, type PeerFault };

/** The API key the test peer accepts. */
export const TEST_API_KEY = 'test-api-key';

/**
 * The local peer of the three public APIs for a test file: over real HTTP on a free port, serving a
 * private copy of the fixtures (or `data`) that the test may change, with switchable faults.
 */
export async function startPublicApisServer(options: { data?: SampleDataset; host?: string } = {}): Promise<PublicApisPeer> {
  const data = options.data ?? cloneDataset(await loadFixtures());
  return new PublicApisPeer(data, TEST_API_KEY).start(0, options.host);
}

/** Environment for a test context pointing every source at the peer, fast-paced for tests. */
export function publicApisEnv(peer: PublicApisPeer, overrides: Partial<Record<SourceName, string>> = {}): Record<string, string> {
  const urls = peer.baseUrls;
  return {
    GOV24_BASE_URL: urls.gov24,
    GOV24_API_KEY: overrides.gov24 ?? TEST_API_KEY,
    YOUTH_POLICY_BASE_URL: urls.youth,
    YOUTH_POLICY_API_KEY: overrides.youth ?? TEST_API_KEY,
    WORK24_BASE_URL: urls.work24,
    WORK24_API_KEY: overrides.work24 ?? TEST_API_KEY,
    PUBLIC_API_REQUESTS_PER_SECOND: '1000',
    PUBLIC_API_TIMEOUT_MS: '2000',
    PUBLIC_API_RETRIES: '2',
    PUBLIC_API_RETRY_BACKOFF_MS: '20',
    PUBLIC_API_PAGE_SIZE: '50',
  };
}

export { generateDataset, loadFixtures, cloneDataset };

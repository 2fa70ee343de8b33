import { Cluster, type RedisOptions } from 'ioredis';

/**
 * An ioredis Cluster seeded with REDIS_URL's node (it learns the others from it). `options` (a
 * role's retry and queueing behaviour) apply to every node's connection; the URL's user and
 * password and, for `rediss://`, TLS carry over to every node, since the addresses the cluster
 * announces come without them.
 */
export function createCluster(url: string, options: RedisOptions = {}): Cluster {
  const seed = new URL(url);
  const tls = seed.protocol === 'rediss:';
  // enableOfflineQueue stays on for a cluster: off, every command before the first slot map (the
  // start of every process) fails with "Cluster isn't ready". Commands then wait for the cluster.
  const { maxRetriesPerRequest, enableOfflineQueue: _offline, retryStrategy, ...nodeOptions } = options;
  if (seed.username) nodeOptions.username = decodeURIComponent(seed.username);
  if (seed.password) nodeOptions.password = decodeURIComponent(seed.password);
  if (tls) nodeOptions.tls ??= {};
  return new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
    // Managed clusters behind TLS announce names their certificates are for: connect by name.
    ...(tls
      ? {
          dnsLookup: (address: string, callback: (error: null, address: string) => void) => {
            callback(null, address);
          },
        }
      : {}),
    // ioredis gives a node 1 s to answer CLUSTER SLOTS; a busy or distant node needs more.
    slotsRefreshTimeout: 5_000,
    redisOptions: { ...nodeOptions, ...(maxRetriesPerRequest === undefined ? {} : { maxRetriesPerRequest }) },
    ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? null } : {}),
  });
}

/** The notice the operational collectors append to their families' HELP. */

/**
 * ` Values may be cached for up to --collector.NAME.ttl …`: the HELP suffix of a family of
 * collector `name`.
 */
export function cachedFor(name: string): string {
  return ` Values may be cached for up to --collector.${name}.ttl, and the last good values are kept for up to --cache.max-stale while collection fails (see vmc_collector_success).`;
}

/**
 * The `edrs` collector: the Elastic DRS policy of every cluster, from the autoscaler's
 * per-SDDC call `GET /vmc/autoscaler/api/orgs/{org}/sddcs/{sddc}/edrs-policy`, one call per
 * SDDC per TTL. The SDDCs come from the SDDC collector's last good list (no call of its own):
 * those with clusters that are not being deleted. A 400 means EDRS does not apply (1-node
 * SDDCs): no series for that SDDC, not a failure. Calls go through the VMC client (bounded by
 * --vmc.concurrency) at most {@link SDDCS_AT_ONCE} per org at a time, so the SDDC lists of
 * the next scrape are not queued behind thousands of them.
 */
import { escapeLabel, type Family } from '../../lib/text-format.js';
import { UpstreamError } from '../../upstream/errors.js';
import { parseEdrsPolicies, type EdrsCluster } from '../../vmc/parse-edrs.js';
import type { SddcList } from '../../vmc/types.js';
import type { VmcCall } from '../../vmc/vmc-client.js';
import { checkProbe, defineCollector, DependencyUnavailableError, type FetchContext } from '../collector.js';
import { cachedFor } from './cached.js';

/** Most per-SDDC calls of one org in flight (waiting for --vmc.concurrency included). */
export const SDDCS_AT_ONCE = 2;

/** The policies of one SDDC's clusters. */
export interface SddcEdrs {
  /** The SDDC. */
  readonly sddcId: string;
  /** Its clusters' policies; empty when EDRS does not apply (400). */
  readonly clusters: readonly EdrsCluster[];
}

const FAMILIES = [
  { name: 'vmc_cluster_edrs_enabled', type: 'gauge', help: '1 when Elastic DRS is enabled on the cluster (enable_edrs), else 0.' + cachedFor('edrs') },
  { name: 'vmc_cluster_edrs_min_hosts', type: 'gauge', help: 'Fewest hosts Elastic DRS may scale the cluster in to (min_hosts).' + cachedFor('edrs') },
  { name: 'vmc_cluster_edrs_max_hosts', type: 'gauge', help: 'Most hosts Elastic DRS may scale the cluster out to (max_hosts).' + cachedFor('edrs') },
  { name: 'vmc_cluster_edrs_policy_info', type: 'gauge', help: "Constant 1, labelled with the cluster's Elastic DRS policy_type (cost, performance, storage-scaleup, rapid-scaleup)." + cachedFor('edrs') },
  {
    name: 'vmc_cluster_edrs_status',
    type: 'gauge',
    help: 'Constant 1, labelled with the status_key the autoscaler reports for the cluster (e.g. skyscraper.autoscaler.elastic.drs.max.hosts); absent when it reports none.' + cachedFor('edrs'),
  },
] as const satisfies readonly Family[];

/** States whose SDDCs get no call (being deleted). */
const SKIPPED: readonly string[] = ['DELETING', 'DELETED'];

/** The SDDCs of the org's last good SDDC list to ask about: those with clusters that are not being deleted. */
async function targetsOf(ctx: FetchContext): Promise<string[]> {
  const list = await ctx.dependency<SddcList>('sddcs');
  if (list === undefined) throw new DependencyUnavailableError('edrs', 'sddcs');
  return list.sddcs.filter((s) => s.clusters.length > 0 && !SKIPPED.includes(s.state)).map((s) => s.id);
}

/** The per-SDDC autoscaler call. */
function edrsCall(orgId: string, sddcId: string): VmcCall<readonly EdrsCluster[]> {
  return {
    endpoint: 'edrs',
    path: `/vmc/autoscaler/api/orgs/${encodeURIComponent(orgId)}/sddcs/${encodeURIComponent(sddcId)}/edrs-policy`,
    parse: parseEdrsPolicies,
  };
}

/** The Elastic DRS collector. */
export const edrsCollector = defineCollector<readonly SddcEdrs[]>({
  name: 'edrs',
  help: 'Elastic DRS policy of every cluster (GET /vmc/autoscaler/api/orgs/{org}/sddcs/{sddc}/edrs-policy, one call per SDDC); needs the sddcs collector.',
  defaultEnabled: true,
  defaultTtl: '15m',
  dependsOn: ['sddcs'],
  families: FAMILIES,
  forbiddenHint: 'the VMware Cloud on AWS service role (Administrator (Delete Restricted)) in this org',
  // The check asks about one SDDC: the call and the role are the same for all of them.
  check: [
    checkProbe({
      endpoint: 'edrs',
      call: async (ctx) => {
        const list = await ctx.dependency<SddcList>('sddcs');
        // A 1-node SDDC answers 400 (EDRS does not apply), which says nothing about the role.
        const first = list?.sddcs.find((s) => s.clusters.length > 0 && !SKIPPED.includes(s.state) && s.sddcType !== '1NODE');
        return first === undefined ? undefined : edrsCall(ctx.orgId, first.id);
      },
      describe: (clusters) => `${clusters.length} cluster${clusters.length === 1 ? '' : 's'} of one SDDC`,
    }),
  ],
  fetch: async (ctx) => {
    const targets = await targetsOf(ctx);
    return inBatches(targets, SDDCS_AT_ONCE, async (sddcId): Promise<SddcEdrs> => {
      try {
        const clusters = await ctx.vmc.call(edrsCall(ctx.orgId, sddcId), ctx.tokens);
        return { sddcId, clusters };
      } catch (err) {
        if (err instanceof UpstreamError && err.failure === 'http' && err.status === 400) return { sddcId, clusters: [] };
        throw err;
      }
    });
  },
  render: (data, { org, out }) => {
    const [enabled, min, max, policy, status] = out as [string[], string[], string[], string[], string[]];
    for (const s of data) {
      for (const c of s.clusters) {
        const labels = `${org},sddc_id="${escapeLabel(s.sddcId)}",cluster_id="${escapeLabel(c.clusterId)}"`;
        if (c.enabled !== undefined) enabled.push(`vmc_cluster_edrs_enabled{${labels}} ${c.enabled ? 1 : 0}\n`);
        if (c.minHosts !== undefined) min.push(`vmc_cluster_edrs_min_hosts{${labels}} ${c.minHosts}\n`);
        if (c.maxHosts !== undefined) max.push(`vmc_cluster_edrs_max_hosts{${labels}} ${c.maxHosts}\n`);
        if (c.policyType !== '') policy.push(`vmc_cluster_edrs_policy_info{${labels},policy_type="${escapeLabel(c.policyType)}"} 1\n`);
        if (c.statusKey !== '') status.push(`vmc_cluster_edrs_status{${labels},status_key="${escapeLabel(c.statusKey)}"} 1\n`);
      }
    }
  },
});

/** Runs `fn` over `items` with at most `width` at once; results in input order; the first failure rejects. */
async function inBatches<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

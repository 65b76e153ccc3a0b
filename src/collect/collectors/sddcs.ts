/**
 * The `sddcs` collector: every SDDC of the org with its clusters and hosts, from
 * `GET /vmc/api/orgs/{org}/sddcs`. Its state is `vmc_up`; its TTL flag is `--cache.ttl`.
 */
import { escapeLabel, formatValue, pushStateSet, stateLabel, UNKNOWN_STATE, type Family } from '../../lib/text-format.js';
import { CLUSTER_STATES, ESX_STATES, SDDC_STATES } from '../../vmc/states.js';
import type { Sddc, SddcList } from '../../vmc/types.js';
import { sddcListCall } from '../../vmc/vmc-client.js';
import { checkProbe, defineCollector, type RenderContext } from '../collector.js';

/** Notice appended to the HELP of every cached family. */
export const CACHED =
  ' Values may be cached for up to --cache.ttl, and the last good values are kept for up to --cache.max-stale while collection fails (see vmc_up).';

const FAMILIES = [
  { name: 'vmc_sddcs', type: 'gauge', help: 'Number of SDDCs per sddc_state; every known state is present, 0 when none.' + CACHED },
  { name: 'vmc_sddc_info', type: 'gauge', help: 'Constant 1, labelled with descriptive fields of each SDDC.' + CACHED },
  { name: 'vmc_sddc_state', type: 'gauge', help: 'State set of each SDDC: 1 for its current sddc_state, 0 for the other known states.' + CACHED },
  {
    name: 'vmc_sddc_hosts',
    type: 'gauge',
    help: 'ESX hosts of each SDDC per esx_state, counted from clusters[].esx_host_list; absent when the SDDC carries no host information.' + CACHED,
  },
  { name: 'vmc_cluster_hosts', type: 'gauge', help: 'ESX hosts in each cluster (length of esx_host_list).' + CACHED },
  { name: 'vmc_cluster_state', type: 'gauge', help: 'State set of each cluster: 1 for its current cluster_state, 0 for the other known states.' + CACHED },
  { name: 'vmc_sddc_created_timestamp_seconds', type: 'gauge', help: 'Unix time the SDDC was created.' + CACHED },
  { name: 'vmc_sddc_expiration_timestamp_seconds', type: 'gauge', help: 'Unix time the SDDC expires (set for 1-node SDDCs only).' + CACHED },
] as const satisfies readonly Family[];

/** The SDDC collector. */
export const sddcsCollector = defineCollector<SddcList>({
  name: 'sddcs',
  help: 'SDDCs, clusters and hosts of each org (GET /vmc/api/orgs/{org}/sddcs); vmc_up reports it.',
  defaultEnabled: true,
  defaultTtl: '60',
  ttlFlag: 'cache.ttl',
  families: FAMILIES,
  forbiddenHint: 'the VMware Cloud on AWS service role (Administrator (Delete Restricted)), or the app was not added to the org',
  fetch: (ctx) => ctx.vmc.listSddcs(ctx.orgId, ctx.tokens),
  check: [
    checkProbe<SddcList>({
      endpoint: 'sddcs',
      call: (ctx) => sddcListCall(ctx.orgId),
      describe: (list) => `${list.sddcs.length} SDDC${list.sddcs.length === 1 ? '' : 's'}`,
    }),
  ],
  render: renderSddcs,
  problems: (list) => list.problems,
  status: (list) => ({ counts: [{ title: 'SDDCs by state', counts: sddcsByState(list) }, { title: 'Hosts by state', counts: hostsByState(list) }] }),
});

function tally(counts: Map<string, number>, state: string, n: number): void {
  const key = state === '' ? UNKNOWN_STATE : state;
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/** SDDCs per state, states present only, most first (an empty state is `UNKNOWN`). */
function sddcsByState(list: SddcList): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const s of list.sddcs) tally(counts, s.state, 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** ESX hosts per state over the org's SDDCs that carry host information, most first. */
function hostsByState(list: SddcList): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const s of list.sddcs) for (const [state, n] of s.hostStates ?? []) tally(counts, state, n);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Renders the SDDC families of one org. */
function renderSddcs(list: SddcList, { org, out }: RenderContext): void {
  const counts = new Map<string, number>(SDDC_STATES.map((s) => [s, 0]));
  for (const s of list.sddcs) {
    const state = s.state === '' ? 'UNKNOWN' : s.state;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const sddcs = out[0]!;
  for (const [state, n] of counts) sddcs.push(`vmc_sddcs{${org},state="${escapeLabel(state)}"} ${n}\n`);
  for (const s of list.sddcs) renderSddc(org, s, out);
}

/** Appends one SDDC's lines to the family buffers 1..7. */
function renderSddc(org: string, s: Sddc, out: string[][]): void {
  const [, info, state, hosts, clusterHosts, clusterState, created, expiration] = out as [string[], string[], string[], string[], string[], string[], string[], string[]];
  const sddc = `${org},sddc_id="${escapeLabel(s.id)}"`;
  info.push(
    `vmc_sddc_info{${sddc},sddc_name="${escapeLabel(s.name)}",provider="${escapeLabel(s.provider)}",region="${escapeLabel(s.region)}",` +
      `sddc_type="${escapeLabel(s.sddcType)}",deployment_type="${escapeLabel(s.deploymentType)}",vmc_version="${escapeLabel(s.vmcVersion)}"} 1\n`,
  );
  pushStateSet(state, `vmc_sddc_state{${sddc},state="`, SDDC_STATES, s.state);
  if (s.hostStates) {
    const prefix = `vmc_sddc_hosts{${sddc},state="`;
    const counts = new Map<string, number>();
    for (const [st, n] of s.hostStates) {
      const label = stateLabel(st);
      counts.set(label, (counts.get(label) ?? 0) + n);
    }
    for (const st of ESX_STATES) hosts.push(`${prefix}${st}"} ${counts.get(st) ?? 0}\n`);
    for (const [st, n] of counts) {
      if (!(ESX_STATES as readonly string[]).includes(st)) hosts.push(`${prefix}${st}"} ${n}\n`);
    }
  }
  for (const c of s.clusters) {
    const cluster = `${sddc},cluster_id="${escapeLabel(c.id)}"`;
    if (c.hosts !== undefined) {
      clusterHosts.push(`vmc_cluster_hosts{${cluster},cluster_name="${escapeLabel(c.name)}",instance_type="${escapeLabel(c.instanceType)}"} ${c.hosts}\n`);
    }
    pushStateSet(clusterState, `vmc_cluster_state{${cluster},state="`, CLUSTER_STATES, c.state);
  }
  if (s.createdSeconds !== undefined) created.push(`vmc_sddc_created_timestamp_seconds{${sddc}} ${formatValue(s.createdSeconds)}\n`);
  if (s.expirationSeconds !== undefined) expiration.push(`vmc_sddc_expiration_timestamp_seconds{${sddc}} ${formatValue(s.expirationSeconds)}\n`);
}

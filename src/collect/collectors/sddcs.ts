/**
 * The `sddcs` collector: every SDDC of the org with its clusters and hosts, from
 * `GET /vmc/api/orgs/{org}/sddcs`. Its state is `vmc_up`; its TTL flag is `--cache.ttl`.
 */
import { escapeLabel, formatValue, pushStateSet, stateLabel, UNKNOWN_STATE, type Family } from '../../lib/text-format.js';
import { ACCOUNT_LINK_STATES, CLUSTER_STATES, ESX_STATES, SDDC_ACCESS_STATES, SDDC_STATES, WITNESS_STATES } from '../../vmc/states.js';
import type { Host, Sddc, SddcList } from '../../vmc/types.js';
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
  { name: 'vmc_sddc_access_state', type: 'gauge', help: 'State set of each SDDC\'s sddc_access_state (ENABLED, DISABLED); UNKNOWN when the field is missing.' + CACHED },
  { name: 'vmc_sddc_account_link_state', type: 'gauge', help: 'State set of each SDDC\'s account_link_state (link to the customer AWS account); UNKNOWN when missing or null.' + CACHED },
  { name: 'vmc_cluster_info', type: 'gauge', help: 'Constant 1, labelled with the name and host instance type of each cluster.' + CACHED },
  { name: 'vmc_cluster_capacity_cpu_cores', type: 'gauge', help: 'CPU cores of each cluster (cluster_capacity.total_number_of_cores); absent when the payload has none.' + CACHED },
  { name: 'vmc_cluster_capacity_cpu_hertz', type: 'gauge', help: 'CPU capacity of each cluster in hertz (cluster_capacity.cpu_capacity_ghz × 10^9); absent when the payload has none.' + CACHED },
  { name: 'vmc_cluster_capacity_memory_bytes', type: 'gauge', help: 'Memory of each cluster in bytes (cluster_capacity.memory_capacity_gib × 2^30); absent when the payload has none.' + CACHED },
  {
    name: 'vmc_cluster_capacity_storage_bytes',
    type: 'gauge',
    help: 'Storage of each cluster in bytes (cluster_capacity.storage_capacity_gib × 2^30; the API does not say whether raw or usable); absent when the payload has none.' + CACHED,
  },
  {
    name: 'vmc_cluster_witness_state',
    type: 'gauge',
    help: 'State set of the vSAN witness (vsan_witness.enum_state) of each stretched cluster; UNKNOWN when the witness or its state is missing.' + CACHED,
  },
  { name: 'vmc_host_info', type: 'gauge', help: 'Constant 1 per ESX host, labelled with its name, instance type and availability zone.' + CACHED },
  { name: 'vmc_host_state', type: 'gauge', help: 'Constant 1 per ESX host, labelled with its current esx_state only (UNKNOWN when missing).' + CACHED },
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
    const state = s.state === '' ? UNKNOWN_STATE : s.state;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const sddcs = out[0]!;
  for (const [state, n] of counts) sddcs.push(`vmc_sddcs{${org},state="${escapeLabel(state)}"} ${n}\n`);
  const b = buffers(out);
  for (const s of list.sddcs) renderSddc(org, s, b);
}

/** The family buffers, by name. */
interface Buffers {
  readonly info: string[];
  readonly state: string[];
  readonly hosts: string[];
  readonly clusterHosts: string[];
  readonly clusterState: string[];
  readonly created: string[];
  readonly expiration: string[];
  readonly access: string[];
  readonly link: string[];
  readonly clusterInfo: string[];
  readonly cores: string[];
  readonly hertz: string[];
  readonly memory: string[];
  readonly storage: string[];
  readonly witness: string[];
  readonly hostInfo: string[];
  readonly hostState: string[];
}

/** Names the family buffers of `out`, in {@link FAMILIES} order. */
function buffers(out: string[][]): Buffers {
  const at = (i: number): string[] => out[i]!;
  return {
    info: at(1),
    state: at(2),
    hosts: at(3),
    clusterHosts: at(4),
    clusterState: at(5),
    created: at(6),
    expiration: at(7),
    access: at(8),
    link: at(9),
    clusterInfo: at(10),
    cores: at(11),
    hertz: at(12),
    memory: at(13),
    storage: at(14),
    witness: at(15),
    hostInfo: at(16),
    hostState: at(17),
  };
}

/** Appends one SDDC's lines to the family buffers. */
function renderSddc(org: string, s: Sddc, b: Buffers): void {
  const sddc = `${org},sddc_id="${escapeLabel(s.id)}"`;
  b.info.push(
    `vmc_sddc_info{${sddc},sddc_name="${escapeLabel(s.name)}",provider="${escapeLabel(s.provider)}",region="${escapeLabel(s.region)}",` +
      `sddc_type="${escapeLabel(s.sddcType)}",deployment_type="${escapeLabel(s.deploymentType)}",vmc_version="${escapeLabel(s.vmcVersion)}"} 1\n`,
  );
  pushStateSet(b.state, `vmc_sddc_state{${sddc},state="`, SDDC_STATES, s.state);
  pushStateSet(b.access, `vmc_sddc_access_state{${sddc},state="`, SDDC_ACCESS_STATES, s.accessState);
  pushStateSet(b.link, `vmc_sddc_account_link_state{${sddc},state="`, ACCOUNT_LINK_STATES, s.accountLinkState);
  if (s.hostStates) {
    const prefix = `vmc_sddc_hosts{${sddc},state="`;
    const counts = new Map<string, number>();
    for (const [st, n] of s.hostStates) {
      const label = stateLabel(st);
      counts.set(label, (counts.get(label) ?? 0) + n);
    }
    for (const st of ESX_STATES) b.hosts.push(`${prefix}${st}"} ${counts.get(st) ?? 0}\n`);
    for (const [st, n] of counts) {
      if (!(ESX_STATES as readonly string[]).includes(st)) b.hosts.push(`${prefix}${st}"} ${n}\n`);
    }
  }
  for (const c of s.clusters) {
    const cluster = `${sddc},cluster_id="${escapeLabel(c.id)}"`;
    const name = escapeLabel(c.name);
    const type = escapeLabel(c.instanceType);
    if (c.hosts !== undefined) b.clusterHosts.push(`vmc_cluster_hosts{${cluster},cluster_name="${name}",instance_type="${type}"} ${c.hosts}\n`);
    pushStateSet(b.clusterState, `vmc_cluster_state{${cluster},state="`, CLUSTER_STATES, c.state);
    b.clusterInfo.push(`vmc_cluster_info{${cluster},cluster_name="${name}",instance_type="${type}"} 1\n`);
    const cap = c.capacity;
    if (cap !== undefined) {
      if (cap.cpuCores !== undefined) b.cores.push(`vmc_cluster_capacity_cpu_cores{${cluster}} ${formatValue(cap.cpuCores)}\n`);
      if (cap.cpuHertz !== undefined) b.hertz.push(`vmc_cluster_capacity_cpu_hertz{${cluster}} ${formatValue(cap.cpuHertz)}\n`);
      if (cap.memoryBytes !== undefined) b.memory.push(`vmc_cluster_capacity_memory_bytes{${cluster}} ${formatValue(cap.memoryBytes)}\n`);
      if (cap.storageBytes !== undefined) b.storage.push(`vmc_cluster_capacity_storage_bytes{${cluster}} ${formatValue(cap.storageBytes)}\n`);
    }
    if (c.witnessState !== undefined) pushStateSet(b.witness, `vmc_cluster_witness_state{${cluster},state="`, WITNESS_STATES, c.witnessState);
  }
  renderHosts(sddc, s.hosts, b);
  if (s.createdSeconds !== undefined) b.created.push(`vmc_sddc_created_timestamp_seconds{${sddc}} ${formatValue(s.createdSeconds)}\n`);
  if (s.expirationSeconds !== undefined) b.expiration.push(`vmc_sddc_expiration_timestamp_seconds{${sddc}} ${formatValue(s.expirationSeconds)}\n`);
}

/**
 * Appends `vmc_host_info` and `vmc_host_state` for each host: the largest families, so the
 * label prefix of a cluster is built once for its hosts (hosts come grouped by cluster).
 */
function renderHosts(sddc: string, hosts: readonly Host[], b: Buffers): void {
  let clusterId: string | undefined;
  let prefix = '';
  for (const h of hosts) {
    if (h.clusterId !== clusterId) {
      clusterId = h.clusterId;
      prefix = `${sddc},cluster_id="${escapeLabel(clusterId)}",host_id="`;
    }
    const host = `${prefix}${escapeLabel(h.id)}"`;
    b.hostInfo.push(
      `vmc_host_info{${host},host_name="${escapeLabel(h.name)}",instance_type="${escapeLabel(h.instanceType)}",availability_zone="${escapeLabel(h.availabilityZone)}"} 1\n`,
    );
    b.hostState.push(`vmc_host_state{${host},state="${stateLabel(h.state)}"} 1\n`);
  }
}

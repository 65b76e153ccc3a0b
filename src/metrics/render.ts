/**
 * Pure rendering of collected SDDC data to the Prometheus text exposition format (0.0.4).
 * Each org is rendered into one fragment per metric family; fragments are cached per org
 * and data version, and assembled into the full body only when some org's data changed.
 */
import type { CollectionView } from '../collect/collector.js';
import type { OrgView } from '../collect/org-collector.js';
import { CLUSTER_STATES, ESX_STATES, SDDC_STATES } from '../vmc/states.js';
import type { Sddc } from '../vmc/types.js';

/** Notice appended to the HELP of every cached family. */
const CACHED = ' Values may be cached for up to --cache.ttl, and the last good values are kept for up to --cache.max-stale while collection fails (see vmc_up).';

/** A metric family: name, type and HELP. */
export interface Family {
  /** Metric name. */
  readonly name: string;
  /** Prometheus type. */
  readonly type: 'gauge' | 'counter';
  /** HELP text. */
  readonly help: string;
}

/** Families rendered from cached data, in output order. */
export const DATA_FAMILIES: readonly Family[] = [
  { name: 'vmc_sddcs', type: 'gauge', help: 'Number of SDDCs per sddc_state; every known state is present, 0 when none.' + CACHED },
  { name: 'vmc_sddc_info', type: 'gauge', help: 'Constant 1, labelled with descriptive fields of each SDDC.' + CACHED },
  { name: 'vmc_sddc_state', type: 'gauge', help: 'State set of each SDDC: 1 for its current sddc_state, 0 for the other known states.' + CACHED },
  { name: 'vmc_sddc_hosts', type: 'gauge', help: 'ESX hosts of each SDDC per esx_state, counted from clusters[].esx_host_list; absent when the SDDC carries no host information.' + CACHED },
  { name: 'vmc_cluster_hosts', type: 'gauge', help: 'ESX hosts in each cluster (length of esx_host_list).' + CACHED },
  { name: 'vmc_cluster_state', type: 'gauge', help: 'State set of each cluster: 1 for its current cluster_state, 0 for the other known states.' + CACHED },
  { name: 'vmc_sddc_created_timestamp_seconds', type: 'gauge', help: 'Unix time the SDDC was created.' + CACHED },
  { name: 'vmc_sddc_expiration_timestamp_seconds', type: 'gauge', help: 'Unix time the SDDC expires (set for 1-node SDDCs only).' + CACHED },
  { name: 'vmc_scrape_duration_seconds', type: 'gauge', help: 'Duration of the last collection of the org from the VMC API, in seconds.' },
  { name: 'vmc_last_success_timestamp_seconds', type: 'gauge', help: 'Unix time of the last successful collection of the org; time() minus this is the age of the data shown.' },
];

/** The per-scrape family `vmc_up`. */
export const UP_FAMILY: Family = {
  name: 'vmc_up',
  type: 'gauge',
  help: '1 if the last collection of the org succeeded, 0 if it failed or did not finish before the scrape deadline. org_id="" reports listing the orgs.',
};

/** Escapes a label value for the text format. */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** Formats a sample value. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders `# HELP` and `# TYPE` lines of a family. */
export function header(f: Family): string {
  return `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${f.name} ${f.type}\n`;
}

/**
 * Renders one org's fragments, one string per entry of {@link DATA_FAMILIES}.
 * @param view - the org's view; `data` undefined renders only the self-describing gauges
 */
export function renderOrg(view: OrgView): string[] {
  const org = `org_id="${escapeLabel(view.orgId)}"`;
  const out = DATA_FAMILIES.map(() => '');
  const list = view.data;
  if (list) {
    const counts = new Map<string, number>(SDDC_STATES.map((s) => [s, 0]));
    for (const s of list.sddcs) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    const sddcs: string[] = [];
    for (const [state, n] of counts) sddcs.push(`vmc_sddcs{${org},state="${escapeLabel(state)}"} ${n}\n`);
    out[0] = sddcs.join('');
    const parts: string[][] = [[], [], [], [], [], [], []];
    for (const s of list.sddcs) renderSddc(org, s, parts);
    for (let i = 0; i < parts.length; i++) out[i + 1] = parts[i]!.join('');
  }
  if (view.durationSeconds !== undefined) out[8] = `vmc_scrape_duration_seconds{${org}} ${formatValue(view.durationSeconds)}\n`;
  if (view.lastSuccessSeconds !== undefined) out[9] = `vmc_last_success_timestamp_seconds{${org}} ${formatValue(view.lastSuccessSeconds)}\n`;
  return out;
}

/** Appends one SDDC's lines to the family buffers 1..7 (`parts[0]` = vmc_sddc_info). */
function renderSddc(org: string, s: Sddc, parts: string[][]): void {
  const [info, state, hosts, clusterHosts, clusterState, created, expiration] = parts as [string[], string[], string[], string[], string[], string[], string[]];
  const sddc = `${org},sddc_id="${escapeLabel(s.id)}"`;
  info.push(
    `vmc_sddc_info{${sddc},sddc_name="${escapeLabel(s.name)}",provider="${escapeLabel(s.provider)}",region="${escapeLabel(s.region)}",` +
      `sddc_type="${escapeLabel(s.sddcType)}",deployment_type="${escapeLabel(s.deploymentType)}",vmc_version="${escapeLabel(s.vmcVersion)}"} 1\n`,
  );
  pushStateSet(state, `vmc_sddc_state{${sddc},state="`, SDDC_STATES, s.state);
  if (s.hostStates) {
    const prefix = `vmc_sddc_hosts{${sddc},state="`;
    for (const st of ESX_STATES) hosts.push(`${prefix}${st}"} ${s.hostStates.get(st) ?? 0}\n`);
    for (const [st, n] of s.hostStates) {
      if (!(ESX_STATES as readonly string[]).includes(st)) hosts.push(`${prefix}${escapeLabel(st)}"} ${n}\n`);
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

/** A state set: every known state (0) plus the current one (1) when it is not a known one. */
function pushStateSet(out: string[], prefix: string, known: readonly string[], current: string): void {
  for (const st of known) out.push(`${prefix}${st}"} ${st === current ? 1 : 0}\n`);
  if (!known.includes(current)) out.push(`${prefix}${escapeLabel(current)}"} 1\n`);
}

/** Joins per-org fragments into the cached part of the body, family by family. */
export function assemble(fragments: ReadonlyArray<readonly string[]>): string {
  const body: string[] = [];
  DATA_FAMILIES.forEach((family, i) => {
    const samples = fragments.map((f) => f[i] ?? '');
    if (samples.some((x) => x !== '')) body.push(header(family), ...samples);
  });
  return body.join('');
}

/** Renders the per-scrape `vmc_up` family. */
export function renderUp(view: CollectionView): string {
  let out = header(UP_FAMILY);
  if (view.orgListFailed) out += 'vmc_up{org_id=""} 0\n';
  for (const o of view.orgs) out += `vmc_up{org_id="${escapeLabel(o.orgId)}"} ${o.up ? 1 : 0}\n`;
  return out;
}

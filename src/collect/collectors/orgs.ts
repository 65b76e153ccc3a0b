/**
 * The `orgs` collector: the org's name as `vmc_org_info`, so that alerts and dashboards can
 * show names instead of UUIDs. With discovered orgs the name comes from the org list the
 * exporter already fetches (no call of its own); with `--vmc.org` it is
 * `GET /vmc/api/orgs/{org}`, once per org per TTL (10 minutes, the org list's interval).
 */
import { escapeLabel, type Family } from '../../lib/text-format.js';
import { parseOrg } from '../../vmc/parse-orgs.js';
import type { Org } from '../../vmc/types.js';
import { defineCollector } from '../collector.js';

const FAMILIES = [
  {
    name: 'vmc_org_info',
    type: 'gauge',
    help: 'Constant 1, labelled with the org name (display_name, else name). Refreshed every --collector.orgs.ttl.',
  },
] as const satisfies readonly Family[];

/** The org name collector. */
export const orgsCollector = defineCollector<Org>({
  name: 'orgs',
  help: 'Org names as vmc_org_info: from the org list when orgs are discovered, else GET /vmc/api/orgs/{org}.',
  defaultEnabled: true,
  defaultTtl: '10m',
  readsOrgList: true,
  families: FAMILIES,
  forbiddenHint: 'the VMware Cloud on AWS service role (Administrator (Delete Restricted)), or the app was not added to the org',
  fetch: async (ctx) =>
    ctx.listedOrg() ??
    ctx.vmc.call({ endpoint: 'orgs', path: `/vmc/api/orgs/${encodeURIComponent(ctx.orgId)}`, parse: parseOrg }, ctx.tokens),
  status: (org) => (org.displayName === '' ? {} : { orgName: org.displayName }),
  render: (org, { org: label, out }) => {
    out[0]!.push(`vmc_org_info{${label},org_name="${escapeLabel(org.displayName)}"} 1\n`);
  },
});

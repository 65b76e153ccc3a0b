/**
 * The `aws_link` collector: the state of each SDDC's connections to the customer's AWS VPC,
 * from `GET /vmc/api/orgs/{org}/account-link/sddc-connections`, one call per org per TTL.
 * Connections in state DELETED are left out.
 */
import { escapeLabel, pushStateSet, type Family } from '../../lib/text-format.js';
import { AWS_CONNECTION_STATES, parseSddcConnections, type AwsConnection } from '../../vmc/parse-aws-link.js';
import { defineCollector } from '../collector.js';
import { cachedFor } from './cached.js';

const FAMILIES = [
  {
    name: 'vmc_sddc_aws_connection_state',
    type: 'gauge',
    help: "State set of each SDDC's connection to the customer AWS VPC (ACTIVE, BROKEN; DELETED connections are left out)." + cachedFor('aws_link'),
  },
] as const satisfies readonly Family[];

/** The AWS connection collector. */
export const awsLinkCollector = defineCollector<readonly AwsConnection[]>({
  name: 'aws_link',
  help: "State of the SDDCs' connections to the customer AWS VPC (GET /vmc/api/orgs/{org}/account-link/sddc-connections).",
  defaultEnabled: true,
  defaultTtl: '15m',
  families: FAMILIES,
  forbiddenHint: 'the VMware Cloud on AWS service role (Administrator (Delete Restricted)) in this org',
  fetch: (ctx) =>
    ctx.vmc.call({ endpoint: 'aws-link', path: `/vmc/api/orgs/${encodeURIComponent(ctx.orgId)}/account-link/sddc-connections`, parse: parseSddcConnections }, ctx.tokens),
  render: (data, { org, out }) => {
    const lines = out[0]!;
    for (const c of data) {
      if (c.state === 'DELETED') continue;
      pushStateSet(lines, `vmc_sddc_aws_connection_state{${org},sddc_id="${escapeLabel(c.sddcId)}",connection_id="${escapeLabel(c.id)}",state="`, AWS_CONNECTION_STATES, c.state);
    }
  },
});

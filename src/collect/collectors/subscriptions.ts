/**
 * The `subscriptions` collector: the org's host subscriptions, from
 * `GET /vmc/api/orgs/{org}/subscriptions`, once per org per TTL. Every field is a string on
 * the wire and the date format is undocumented (see `parse-subscriptions.ts`); an unreadable
 * date leaves the end series out and is logged once. There is no host-type field in the API,
 * so none is exported.
 */
import { escapeLabel, formatValue, stateLabel, type Family } from '../../lib/text-format.js';
import { parseSubscriptions, type Subscription, type SubscriptionList } from '../../vmc/parse-subscriptions.js';
import { defineCollector } from '../collector.js';
import { cachedFor } from './cached.js';

const FAMILIES = [
  {
    name: 'vmc_subscription_end_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time the subscription ends (end_date; a bare date is read as 00:00 UTC). On-demand subscriptions without an end date have none.' + cachedFor('subscriptions'),
  },
  { name: 'vmc_subscription_hosts', type: 'gauge', help: 'Hosts the subscription covers (quantity).' + cachedFor('subscriptions') },
  { name: 'vmc_subscription_info', type: 'gauge', help: 'Constant 1, labelled with the offer, term, billing frequency and status of each subscription.' + cachedFor('subscriptions') },
] as const satisfies readonly Family[];

/** The subscription collector. */
export const subscriptionsCollector = defineCollector<SubscriptionList>({
  name: 'subscriptions',
  help: 'Host subscriptions of each org, their end dates and host counts (GET /vmc/api/orgs/{org}/subscriptions).',
  defaultEnabled: true,
  defaultTtl: '1h',
  families: FAMILIES,
  forbiddenHint: 'an org role that may read billing (Organization Owner, or the Billing Read-only additional role) besides the VMware Cloud on AWS service role',
  fetch: (ctx) =>
    ctx.vmc.call({ endpoint: 'subscriptions', path: `/vmc/api/orgs/${encodeURIComponent(ctx.orgId)}/subscriptions`, parse: parseSubscriptions }, ctx.tokens),
  render: (data, { org, out }) => {
    const [end, hosts, info] = out as [string[], string[], string[]];
    for (const s of data.subscriptions) {
      const labels = subscriptionLabels(org, s);
      if (s.endSeconds !== undefined) end.push(`vmc_subscription_end_timestamp_seconds{${labels}} ${formatValue(s.endSeconds)}\n`);
      if (s.hosts !== undefined) hosts.push(`vmc_subscription_hosts{${labels}} ${s.hosts}\n`);
      info.push(
        `vmc_subscription_info{${org},subscription_id="${escapeLabel(s.id)}",offer_name="${escapeLabel(s.offerName)}",commitment_term="${escapeLabel(s.commitmentTerm)}",` +
          `commitment_term_uom="${escapeLabel(s.commitmentTermUom)}",billing_frequency="${escapeLabel(s.billingFrequency)}",status="${stateLabel(s.status)}"} 1\n`,
      );
    }
  },
  problems: (data) => data.problems,
});

function subscriptionLabels(org: string, s: Subscription): string {
  return `${org},subscription_id="${escapeLabel(s.id)}",region="${escapeLabel(s.region)}",offer_type="${escapeLabel(s.offerType)}"`;
}

/**
 * The `api_token` collector: when the exporter runs with a user API token
 * (`VMC_API_TOKEN` / `--auth.api-token-file`), the token's expiry, from CSP's API-token
 * details (asked for by the token manager itself: the token never reaches the collector).
 * Exporter-wide (`org_id=""`), hourly by default; not active with an OAuth app.
 */
import { formatValue, type Family } from '../../lib/text-format.js';
import type { ApiTokenDetails } from '../../auth/parse-token-details.js';
import { defineCollector } from '../collector.js';
import { cachedFor } from './cached.js';

const FAMILIES = [
  {
    name: 'vmc_api_token_expiry_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time the API token the exporter uses expires (expiresAt of the CSP API-token details; milliseconds when above 10^11, else seconds).' + cachedFor('api_token'),
  },
] as const satisfies readonly Family[];

/** The API-token expiry collector. */
export const apiTokenCollector = defineCollector<ApiTokenDetails>({
  name: 'api_token',
  help: "The API token's expiry (POST /csp/gateway/am/api/auth/api-tokens/details); only with an API token.",
  defaultEnabled: true,
  defaultTtl: '1h',
  scope: 'exporter',
  credentials: 'api-token',
  families: FAMILIES,
  forbiddenHint: 'nothing the exporter can add (the details call is anonymous): check that the API token is still valid',
  fetch: (ctx) => ctx.tokens.apiTokenDetails(),
  render: (details, { org, out }) => {
    if (details.expiresAtSeconds !== undefined) out[0]!.push(`vmc_api_token_expiry_timestamp_seconds{${org}} ${formatValue(details.expiresAtSeconds)}\n`);
  },
});

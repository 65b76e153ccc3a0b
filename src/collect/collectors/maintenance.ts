/**
 * The `maintenance` collector: VMware's maintenance windows (reservations) of each SDDC,
 * from `POST /vmc/api/orgs/{org}/tbrs/reservation` (a read despite the method), once per
 * org per TTL. A 404 means "no reservations" (the tbrs API answers 404 for none), not a
 * failure. Start times assume `start_hour` is UTC (see `parse-reservations.ts`).
 */
import { escapeLabel, formatValue, type Family } from '../../lib/text-format.js';
import { UpstreamError } from '../../upstream/errors.js';
import { parseReservations, type MaintenanceWindow, type ReservationList } from '../../vmc/parse-reservations.js';
import type { SddcList } from '../../vmc/types.js';
import { defineCollector } from '../collector.js';
import { cachedFor } from './cached.js';

/** What one collection holds: the windows, and the SDDCs the SDDC collector listed. */
export interface MaintenanceData extends ReservationList {
  /** Ids of the org's SDDCs from the SDDC list (empty when it is not known). */
  readonly sddcIds: readonly string[];
}

/** Windows that are exported: those still ahead or under way. */
const SHOWN: readonly string[] = ['SCHEDULED', 'RUNNING'];

const FAMILIES = [
  {
    name: 'vmc_sddc_maintenance_window_start_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time a SCHEDULED or RUNNING maintenance window of the SDDC starts (start_date + start_hour, read as UTC).' + cachedFor('maintenance'),
  },
  {
    name: 'vmc_sddc_maintenance_window_end_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time a SCHEDULED or RUNNING maintenance window of the SDDC ends (start + duration_hours).' + cachedFor('maintenance'),
  },
  { name: 'vmc_sddc_in_maintenance_window', type: 'gauge', help: '1 while the SDDC has a RUNNING maintenance window, else 0.' + cachedFor('maintenance') },
] as const satisfies readonly Family[];

/** The maintenance window collector. */
export const maintenanceCollector = defineCollector<MaintenanceData>({
  name: 'maintenance',
  help: "VMware's maintenance windows of each SDDC (POST /vmc/api/orgs/{org}/tbrs/reservation, a read).",
  defaultEnabled: true,
  defaultTtl: '15m',
  dependsOn: ['sddcs'],
  families: FAMILIES,
  forbiddenHint: 'the VMware Cloud on AWS service role (Administrator (Delete Restricted)) in this org',
  fetch: async (ctx) => {
    const call = ctx.vmc
      .call(
        {
          endpoint: 'maintenance',
          method: 'POST',
          path: `/vmc/api/orgs/${encodeURIComponent(ctx.orgId)}/tbrs/reservation`,
          body: { states: SHOWN },
          parse: parseReservations,
        },
        ctx.tokens,
      )
      .catch((err: unknown): ReservationList => {
        if (err instanceof UpstreamError && err.failure === 'http' && err.status === 404) return { windows: [], problems: [] };
        throw err;
      });
    const [list, sddcs] = await Promise.all([call, ctx.dependency<SddcList>('sddcs')]);
    return { ...list, sddcIds: sddcs?.sddcs.map((s) => s.id) ?? [] };
  },
  render: (data, { org, out }) => {
    const [start, end, inWindow] = out as [string[], string[], string[]];
    const running = new Set<string>();
    for (const w of data.windows) {
      if (w.state === 'RUNNING') running.add(w.sddcId);
      if (!SHOWN.includes(w.state) || w.startSeconds === undefined) continue;
      const labels = windowLabels(org, w);
      start.push(`vmc_sddc_maintenance_window_start_timestamp_seconds{${labels}} ${formatValue(w.startSeconds)}\n`);
      if (w.endSeconds !== undefined) end.push(`vmc_sddc_maintenance_window_end_timestamp_seconds{${labels}} ${formatValue(w.endSeconds)}\n`);
    }
    const ids = [...new Set([...data.sddcIds, ...data.windows.map((w) => w.sddcId)])].filter((id) => id !== '').sort();
    for (const id of ids) inWindow.push(`vmc_sddc_in_maintenance_window{${org},sddc_id="${escapeLabel(id)}"} ${running.has(id) ? 1 : 0}\n`);
  },
  problems: (data) => data.problems,
});

function windowLabels(org: string, w: MaintenanceWindow): string {
  return `${org},sddc_id="${escapeLabel(w.sddcId)}",window_id="${escapeLabel(w.windowId)}",state="${escapeLabel(w.state)}",emergency="${w.emergency}"`;
}

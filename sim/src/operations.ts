/**
 * The simulator's operational data of an org, beside its SDDCs: maintenance reservations,
 * tasks, subscriptions, AWS connections and Elastic DRS policies, as JSON objects shaped
 * like the VMC answers (vmc-api-operator-endpoints.md §3–7), with builders for them.
 * EDRS policies not set explicitly are derived from the SDDC's clusters.
 */
import type { JsonObject } from './sddc-json.js';

/** An org's operational data; the arrays are the estate's own (tests may push to them). */
export interface OrgOperations {
  /** `ReservationWindow` objects (`POST tbrs/reservation` groups them by SDDC id). */
  readonly reservations: JsonObject[];
  /** `Task` objects of `GET /tasks`. */
  readonly tasks: JsonObject[];
  /** `SubscriptionDetails` objects of `GET /subscriptions`. */
  readonly subscriptions: JsonObject[];
  /** `AwsSddcConnection` objects of `GET /account-link/sddc-connections`. */
  readonly connections: JsonObject[];
  /** `EdrsClusterInfo` lists by SDDC id; an SDDC not listed gets {@link derivedEdrs}. */
  readonly edrs: Record<string, JsonObject[]>;
}

/** Operational data with nothing in it. */
export function emptyOperations(init: Partial<OrgOperations> = {}): OrgOperations {
  return {
    reservations: [...(init.reservations ?? [])],
    tasks: [...(init.tasks ?? [])],
    subscriptions: [...(init.subscriptions ?? [])],
    connections: [...(init.connections ?? [])],
    edrs: { ...(init.edrs ?? {}) },
  };
}

const USER_ID = '9e9e9e9e-aaaa-4bbb-8ccc-dddddddddddd';
const HOUR = 3_600_000;

/** Input for {@link reservationJson}. */
export interface ReservationSpec {
  /** `reserve_id`. */
  readonly id: string;
  /** `sddc_id`. */
  readonly sddcId: string;
  /** `reservation_state`: SCHEDULED, RUNNING, CANCELED, COMPLETED, TERMINATED. */
  readonly state: string;
  /** Start, ms; written as `start_date` (`yyyy-MM-dd`, UTC) and `start_hour` (UTC hour). */
  readonly startMs: number;
  /** `duration_hours`. */
  readonly durationHours: number;
  /** `emergency`. @default false */
  readonly emergency?: boolean;
}

/** One `ReservationWindow` object. */
export function reservationJson(r: ReservationSpec): JsonObject {
  const start = new Date(r.startMs);
  return {
    reserve_id: r.id,
    sddc_id: r.sddcId,
    reservation_state: r.state,
    start_date: start.toISOString().slice(0, 10),
    start_hour: start.getUTCHours(),
    duration_hours: r.durationHours,
    estimated_duration_hours_minimum: Math.max(1, r.durationHours - 2),
    estimated_duration_hours_maximum: r.durationHours,
    emergency: r.emergency ?? false,
    manifest_id: '1.26-upgrade',
    maintenance_properties: { status: r.state === 'RUNNING' ? 'IN_PROGRESS' : 'NOT_STARTED' },
    metadata: { type: 'UPGRADE' },
  };
}

/** Input for {@link taskJson}. */
export interface TaskSpec {
  /** `id`. */
  readonly id: string;
  /** `org_id`. */
  readonly orgId: string;
  /** `task_type`, e.g. `CLUSTER-ADD-HOSTS`. */
  readonly type: string;
  /** `status`: STARTED, CANCELING, FINISHED, FAILED, CANCELED. */
  readonly status: string;
  /** `resource_id` (an SDDC id). */
  readonly resourceId: string;
  /** `created` (and `start_time`), ms. */
  readonly createdMs: number;
  /** `end_time` and `updated` for finished tasks, ms; absent for running ones. */
  readonly endMs?: number;
  /** `progress_percent`. */
  readonly progress: number;
  /** `error_message` of a failed task. */
  readonly error?: string;
}

/** One `Task` object. */
export function taskJson(t: TaskSpec): JsonObject {
  const running = t.status === 'STARTED' || t.status === 'CANCELING';
  const updated = t.endMs ?? t.createdMs + Math.round((t.progress / 100) * HOUR);
  return {
    id: t.id,
    status: t.status,
    sub_status: running ? 'IN_PROGRESS' : null,
    task_type: t.type,
    task_version: '1.0',
    resource_id: t.resourceId,
    resource_type: 'sddc',
    org_id: t.orgId,
    org_type: 'CUSTOMER',
    start_time: new Date(t.createdMs + 1000).toISOString(),
    end_time: running || t.endMs === undefined ? null : new Date(t.endMs).toISOString(),
    progress_percent: t.progress,
    estimated_remaining_minutes: running ? 25 : -1,
    phase_in_progress: running ? 'ADD_HOSTS' : '',
    task_progress_phases: [],
    error_message: t.error ?? null,
    localized_error_message: t.error ?? null,
    service_errors: [],
    params: { hostCount: 1 },
    created: new Date(t.createdMs).toISOString(),
    updated: new Date(updated).toISOString(),
    user_id: USER_ID,
    user_name: 'ops@example.com',
    version: 3,
  };
}

/** Input for {@link subscriptionJson}. */
export interface SubscriptionSpec {
  /** `csp_subscription_id`. */
  readonly id: string;
  /** `offer_type`: TERM or ON_DEMAND. */
  readonly offerType: string;
  /** `status`. */
  readonly status: string;
  /** `region`, e.g. `US_WEST_2`. */
  readonly region: string;
  /** `quantity` (written as a string, as VMC does). */
  readonly hosts: number;
  /** Host type, written into the free-text `offer_name` and `description` only. */
  readonly hostType: string;
  /** `commitment_term` in months (a string on the wire); absent for on-demand. */
  readonly termMonths?: number;
  /** `start_date` as written. */
  readonly startDate: string;
  /** `end_date` as written, or undefined to leave it out (on-demand). */
  readonly endDate?: string;
  /** `billing_frequency`. @default Upfront */
  readonly billing?: string;
}

/** One `SubscriptionDetails` object: every field a string. */
export function subscriptionJson(s: SubscriptionSpec): JsonObject {
  const term = s.termMonths === undefined ? undefined : String(s.termMonths);
  return {
    csp_subscription_id: s.id,
    billing_subscription_id: `bill-${s.id.slice(-4)}`,
    status: s.status,
    offer_type: s.offerType,
    offer_name: s.offerType === 'TERM' ? `VMware Cloud on AWS ${s.hostType} ${s.termMonths! / 12} Year` : `VMware Cloud on AWS ${s.hostType} On Demand`,
    offer_version: '1.0',
    product_name: 'host',
    product_id: 'prod-0001',
    description: `${s.hostType} host${term ? `, ${term} month term` : ', on demand'}`,
    region: s.region,
    quantity: String(s.hosts),
    ...(term === undefined ? {} : { commitment_term: term, commitment_term_uom: 'MONTHS' }),
    billing_frequency: s.billing ?? 'Upfront',
    auto_renewed_allowed: 'false',
    start_date: s.startDate,
    ...(s.endDate === undefined ? {} : { end_date: s.endDate }),
    anniversary_billing_date: s.startDate.slice(0, 10),
  };
}

/** Input for {@link connectionJson}. */
export interface ConnectionSpec {
  /** `id`. */
  readonly id: string;
  /** `sddc_id`. */
  readonly sddcId: string;
  /** `org_id`. */
  readonly orgId: string;
  /** `state`: ACTIVE, BROKEN, DELETED. */
  readonly state: string;
  /** Small number making the AWS ids distinct. */
  readonly n: number;
  /** `subnet_availability_zone`. */
  readonly zone: string;
}

/** One `AwsSddcConnection` object. */
export function connectionJson(c: ConnectionSpec): JsonObject {
  const hex = c.n.toString(16).padStart(15, '0');
  return {
    id: c.id,
    state: c.state,
    sddc_id: c.sddcId,
    org_id: c.orgId,
    connected_account_id: `acct-${hex.slice(-8)}`,
    vpc_id: `vpc-0${hex}`,
    subnet_id: `subnet-0${hex}`,
    subnet_availability_zone: c.zone,
    cidr_block_vpc: '172.31.0.0/16',
    cidr_block_subnet: '172.31.0.0/20',
    default_route_table: `rtb-0${hex}`,
    cgw_present: true,
    connection_order: 0,
    customer_eni_infos: [{ eni_id: `eni-0${hex}`, primary_ip_address: '172.31.1.10', secondary_ip_addresses: [] }],
    created: '2024-03-11T09:30:00.000Z',
    updated: '2025-06-01T00:00:00.000Z',
    user_id: USER_ID,
    version: 4,
  };
}

/** Input for {@link edrsClusterJson}. */
export interface EdrsSpec {
  /** `cluster_id`. */
  readonly clusterId: string;
  /** `enable_edrs`. */
  readonly enabled: boolean;
  /** `policy_type`: cost, performance, storage-scaleup, rapid-scaleup. */
  readonly policy: string;
  /** `min_hosts`. */
  readonly min: number;
  /** `max_hosts`. */
  readonly max: number;
  /** `status_key`, e.g. `skyscraper.autoscaler.elastic.drs.max.hosts`. */
  readonly statusKey?: string;
  /** `status_message`. */
  readonly statusMessage?: string;
}

/** One `EdrsClusterInfo` object. */
export function edrsClusterJson(e: EdrsSpec): JsonObject {
  return {
    cluster_id: e.clusterId,
    edrs_policy: {
      enable_edrs: e.enabled,
      policy_type: e.policy,
      min_hosts: e.min,
      max_hosts: e.max,
      edrs_policy_options_overrides: { scale_up_host_increment: 1 },
    },
    ...(e.statusKey === undefined ? {} : { status_key: e.statusKey, status_message: e.statusMessage ?? null }),
  };
}

/**
 * The EDRS policies of an SDDC without explicit ones: storage-scaleup on every cluster,
 * 2 to 16 hosts (the provider's defaults).
 */
export function derivedEdrs(sddc: JsonObject): JsonObject[] {
  const rc = sddc['resource_config'];
  const clusters = typeof rc === 'object' && rc !== null && Array.isArray((rc as JsonObject)['clusters']) ? ((rc as JsonObject)['clusters'] as unknown[]) : [];
  const out: JsonObject[] = [];
  for (const c of clusters) {
    const id = typeof c === 'object' && c !== null ? (c as JsonObject)['cluster_id'] : undefined;
    if (typeof id === 'string') out.push(edrsClusterJson({ clusterId: id, enabled: true, policy: 'storage-scaleup', min: 2, max: 16 }));
  }
  return out;
}

/** Reservations grouped by SDDC id, the shape of the `tbrs/reservation` answer. */
export function reservationMap(reservations: readonly JsonObject[], states: readonly string[] | undefined): Record<string, JsonObject[]> {
  const out: Record<string, JsonObject[]> = {};
  for (const r of reservations) {
    if (states !== undefined && !states.includes(String(r['reservation_state']))) continue;
    const key = String(r['sddc_id'] ?? '');
    (out[key] ??= []).push(r);
  }
  return out;
}

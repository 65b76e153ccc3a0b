/**
 * The demo estate: three orgs with a small, hand-made set of SDDCs covering every SDDC
 * state, a cluster still adding a host, a 1-node SDDC about to expire, a stretched SDDC
 * whose witness fails for a while, an SDDC with access DISABLED, an UNLINKED one, a FAILED
 * host, an SDDC and a host without a state field, and SDDCs without resource information. Ids are fixed (see {@link DEMO}) so that tests can
 * assert exact values; timestamps are relative to the clock's time at creation.
 *
 * Its {@link Movement} runs a repeating {@link DEMO_CYCLE_MS} cycle (see {@link demoMovement}).
 */
import type { Clock } from './clock.js';
import { Estate, isJsonObject, type JsonObject, type Movement, type SimOrg } from './estate.js';
import { connectionJson, edrsClusterJson, type OrgOperations, reservationJson, subscriptionJson, taskJson } from './operations.js';
import { clusterCapacity, clusterJson, hostJson, randomSddcPasswords, resourceConfigJson, sddcJson, witnessJson } from './sddc-json.js';

const DAY = 86_400_000;

/** Fixed ids of the demo estate. */
export const DEMO = {
  /** Org ids; `prod` is first (the OAuth app's home org). */
  orgs: {
    prod: '0a0a0a0a-1111-4222-8333-000000000001',
    dev: '0b0b0b0b-1111-4222-8333-000000000002',
    lab: '0c0c0c0c-1111-4222-8333-000000000003',
  },
  /** SDDC ids. */
  sddcs: {
    /** READY, 2 clusters: Cluster-1 READY (3 hosts), Cluster-2 ADDING_HOSTS (1 host ADDING_TO_VCENTER). */
    prod01: sddcId(1),
    /** READY, MULTI_AZ stretched, 6 hosts; its witness fails for a while under movement. */
    prod02: sddcId(2),
    /** READY, 4 hosts; host esx-2 fails for a while under movement. */
    prod03: sddcId(3),
    /** DELETED (only with includeDeleted=true). */
    prodDeleted: sddcId(4),
    /** READY, 2 hosts, sddc_access_state DISABLED. */
    dev01: sddcId(5),
    /** DEPLOYING, 3 hosts (the movement's deployment slot). */
    devDeploying: sddcId(6),
    /** FAILED, 2 hosts, esx-2 FAILED. */
    devFailed: sddcId(7),
    /** READY_FOR_GLCM_BRINGUP, 3 hosts: 2 PROVISIONED, esx-3 without esx_state. */
    devGlcm: sddcId(8),
    /** READY, sddc_type 1NODE, UNLINKED, expires 5 days after creation time of the estate. */
    lab1node: sddcId(9),
    /** CANCELED, resource_config {}, no sddc_access_state field. */
    labCanceled: sddcId(10),
    /** DELETING, resource_config null. */
    labDeleting: sddcId(11),
  },
  /** Host ids of note. */
  hosts: {
    /** prod01 Cluster-2's host, ADDING_TO_VCENTER (READY after 240 s of each movement cycle). */
    prod01Joining: hostId(1, 4),
    /** prod03's esx-2: FAILED at 360-420 s and INITIALIZING at 420-480 s of each cycle. */
    prod03Flaky: hostId(3, 2),
    /** dev-sddc-failed's esx-2: FAILED. */
    devFailedHost: hostId(7, 2),
    /** dev-sddc-glcm's esx-3: no esx_state field. */
    devGlcmStateless: hostId(8, 3),
    /** prod02's witness: FAILED at 360-420 s and DEPLOYING at 420-480 s of each cycle. */
    prod02Witness: hostId(2, 0x100),
  },
} as const;

/** Ids of the demo's operational signals. */
export const DEMO_SIGNALS = {
  /** prod-sddc-01: maintenance window SCHEDULED in 3 days (on the hour), 8 hours. */
  windowIn3Days: 'r0000000-0000-4000-8000-000000000001',
  /** prod-sddc-03: maintenance window RUNNING since 2 hours (on the hour), 6 hours. */
  windowRunning: 'r0000000-0000-4000-8000-000000000002',
  /** acme-prod: a CLUSTER-ADD-HOSTS task that FAILED 30 minutes ago. */
  failedHostAdd: '7a7a7a7a-0000-4000-8000-000000000001',
  /** acme-dev: a CLUSTER-ADD-HOSTS task STARTED 9 hours ago, at 40 %. */
  hostAddTooLong: '7a7a7a7a-0000-4000-8000-000000000011',
  /** acme-prod: a 3-host term subscription ending in 20 days. */
  subscriptionIn20Days: 'sub-00000000-0000-4000-8000-000000000001',
  /** prod-sddc-02-stretched: its AWS connection in the second zone, BROKEN. */
  brokenConnection: 'link-0000-0003',
} as const;

/** Length of the demo movement cycle. */
export const DEMO_CYCLE_MS = 600_000;

/**
 * Offsets (ms into the cycle) where the demo movement changes something:
 * 180 s deploying SDDC READY; 240 s joining host READY; 360 s flaky host and prod02's
 * witness FAILED; 420 s host INITIALIZING, witness DEPLOYING; 480 s both READY again and
 * deploying SDDC DELETING; 540 s DELETED.
 */
export const DEMO_PHASES_MS = [0, 180_000, 240_000, 360_000, 420_000, 480_000, 540_000] as const;

function sddcId(n: number): string {
  return `5dd0c000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function hostId(sddc: number, host: number): string {
  return `e5c00000-${sddc.toString(16).padStart(4, '0')}-4000-8000-${host.toString(16).padStart(12, '0')}`;
}

function clusterId(sddc: number, cluster: number): string {
  return `c1c00000-${sddc.toString(16).padStart(4, '0')}-4000-8000-${cluster.toString(16).padStart(12, '0')}`;
}

interface DemoHost {
  readonly n: number;
  /** `esx_state`; null leaves the field out. */
  readonly state: string | null;
  readonly type: string;
  readonly az: string;
}

interface DemoCluster {
  readonly n: number;
  readonly state: string;
  readonly type: string;
  readonly hosts: readonly DemoHost[];
  readonly multiAz?: boolean;
  readonly capacity?: null;
  readonly witness?: JsonObject;
}

interface DemoSddc {
  readonly n: number;
  readonly orgId: string;
  readonly name: string;
  readonly state: string;
  readonly region: string;
  readonly azs: readonly string[];
  readonly multiAz?: boolean;
  readonly witnessZone?: string;
  readonly vmcVersion: string;
  readonly sddcType: string | null;
  readonly accountLink: string | null;
  /** `sddc_access_state`; default ENABLED, null leaves the field out. */
  readonly access?: string | null;
  readonly createdMs: number;
  readonly updatedMs: number;
  readonly expirationMs?: number;
  readonly clusters: readonly DemoCluster[];
  /** Which clusters' hosts the deprecated `esx_hosts` lists (default: all). */
  readonly esxHostsClusters?: readonly number[];
  /** `resource_config` override: `{}` or null. */
  readonly resourceConfig?: 'empty' | 'null';
  readonly userName: string;
}

function hosts(from: number, count: number, state: string, type: string, az: string): DemoHost[] {
  return Array.from({ length: count }, (_, i) => ({ n: from + i, state, type, az }));
}

function buildSddc(d: DemoSddc): JsonObject {
  let resourceConfig: JsonObject | null;
  if (d.resourceConfig === 'null') resourceConfig = null;
  else if (d.resourceConfig === 'empty') resourceConfig = {};
  else {
    const esxHosts: JsonObject[] = [];
    const clusters = d.clusters.map((c) => {
      const list = c.hosts.map((h) => {
        const json = hostJson({
          esxId: hostId(d.n, h.n),
          name: `esx-${h.n}`,
          hostname: `10.${2 + d.n}.32.${3 + h.n}`,
          instanceType: h.type,
          availabilityZone: h.az,
          stateLastUpdatedMs: d.updatedMs - (10 - h.n) * 60_000,
          instanceId: `i-0${d.n.toString(16).padStart(4, '0')}${h.n.toString(16).padStart(12, '0')}`,
          macAddress: `0e:5c:${d.n.toString(16).padStart(2, '0')}:00:00:${h.n.toString(16).padStart(2, '0')}`,
          state: h.state ?? '',
        });
        if (h.state === null) delete json['esx_state'];
        return json;
      });
      if (d.esxHostsClusters === undefined || d.esxHostsClusters.includes(c.n)) esxHosts.push(...list);
      return clusterJson({
        id: clusterId(d.n, c.n),
        name: `Cluster-${c.n}`,
        state: c.state,
        instanceType: c.type,
        availabilityType: c.multiAz === true ? 'MULTI_AZ' : 'SINGLE_AZ',
        availabilityZones: c.multiAz === true ? d.azs : [c.hosts[0]?.az ?? d.azs[0] ?? ''],
        hosts: list,
        ...(c.capacity === null ? { capacity: null } : {}),
        ...(c.witness === undefined ? {} : { witness: c.witness }),
      });
    });
    resourceConfig = resourceConfigJson({
      sddcId: sddcId(d.n),
      orgId: d.orgId,
      region: d.region,
      deploymentType: d.multiAz === true ? 'MULTI_AZ' : 'SINGLE_AZ',
      availabilityZones: d.azs,
      witnessZone: d.witnessZone ?? null,
      vmcVersion: d.vmcVersion,
      netIndex: d.n * 7,
      passwords: randomSddcPasswords(),
      esxHosts,
      clusters,
      awsHex: `0${d.n.toString(16).padStart(4, '0')}5dd0c0de0000`,
    });
  }
  return sddcJson({
    id: sddcId(d.n),
    name: d.name,
    orgId: d.orgId,
    state: d.state,
    sddcType: d.sddcType,
    accountLinkState: d.accountLink,
    ...(d.access === undefined ? {} : { accessState: d.access }),
    createdMs: d.createdMs,
    updatedMs: d.updatedMs,
    expirationMs: d.expirationMs ?? null,
    userName: d.userName,
    userId: '9e9e9e9e-aaaa-4bbb-8ccc-dddddddddddd',
    version: 100 + d.n * 13,
    resourceConfig,
    micros: d.n * 37,
  });
}

/** The demo orgs, in order (home org first). */
export const DEMO_ORGS: readonly SimOrg[] = [
  { id: DEMO.orgs.prod, name: 'acme-prod', display_name: 'ACME Production' },
  { id: DEMO.orgs.dev, name: 'acme-dev', display_name: 'ACME Development' },
  { id: DEMO.orgs.lab, name: 'acme-lab', display_name: 'ACME Lab' },
];

/**
 * Builds the demo estate (fresh random passwords each call). See the module comment and
 * {@link DEMO} for its contents.
 *
 * @param clock - timestamps are relative to `clock.now()`; also the movement's start
 */
export function demoEstate(clock: Clock): Estate {
  const now = clock.now();
  const { prod, dev, lab } = DEMO.orgs;
  const specs: DemoSddc[] = [
    {
      n: 1, orgId: prod, name: 'prod-sddc-01', state: 'READY', region: 'US_WEST_2', azs: ['us-west-2a'],
      vmcVersion: '1.24', sddcType: null, accountLink: 'LINKED', userName: 'ops@example.com',
      createdMs: now - 400 * DAY, updatedMs: now - 20 * 60_000,
      clusters: [
        { n: 1, state: 'READY', type: 'i4i.metal', hosts: hosts(1, 3, 'READY', 'i4i.metal', 'us-west-2a') },
        {
          n: 2, state: 'ADDING_HOSTS', type: 'm7i.metal-24xl', capacity: null,
          hosts: hosts(4, 1, 'ADDING_TO_VCENTER', 'm7i.metal-24xl', 'us-west-2a'),
        },
      ],
      esxHostsClusters: [1],
    },
    {
      n: 2, orgId: prod, name: 'prod-sddc-02-stretched', state: 'READY', region: 'US_WEST_2',
      azs: ['us-west-2a', 'us-west-2b'], multiAz: true, witnessZone: 'us-west-2c',
      vmcVersion: '1.24', sddcType: 'DEFAULT', accountLink: 'LINKED', userName: 'ops@example.com',
      createdMs: now - 300 * DAY, updatedMs: now - 3 * DAY,
      clusters: [
        {
          n: 1, state: 'READY', type: 'i3en.metal', multiAz: true,
          hosts: [...hosts(1, 3, 'READY', 'i3en.metal', 'us-west-2a'), ...hosts(4, 3, 'READY', 'i3en.metal', 'us-west-2b')],
          witness: witnessJson({
            esxId: hostId(2, 0x100), hostname: '10.4.48.4', state: 'READY', availabilityZone: 'us-west-2c',
            instanceId: 'i-0000200000000000100',
          }),
        },
      ],
    },
    {
      n: 3, orgId: prod, name: 'prod-sddc-03', state: 'READY', region: 'EU_CENTRAL_1', azs: ['eu-central-1a'],
      vmcVersion: '1.26', sddcType: null, accountLink: 'LINKED', userName: 'platform@example.com',
      createdMs: now - 120 * DAY, updatedMs: now - 2 * DAY,
      clusters: [{ n: 1, state: 'READY', type: 'i4i.metal', hosts: hosts(1, 4, 'READY', 'i4i.metal', 'eu-central-1a') }],
    },
    {
      n: 4, orgId: prod, name: 'prod-sddc-dr-old', state: 'DELETED', region: 'US_EAST_1', azs: ['us-east-1a'],
      vmcVersion: '1.22', sddcType: null, accountLink: 'UNLINKED', userName: 'ops@example.com',
      createdMs: now - 700 * DAY, updatedMs: now - 30 * DAY, clusters: [],
    },
    {
      n: 5, orgId: dev, name: 'dev-sddc-01', state: 'READY', region: 'EU_CENTRAL_1', azs: ['eu-central-1b'],
      vmcVersion: '1.26', sddcType: 'DEFAULT', accountLink: 'LINKED', access: 'DISABLED', userName: 'dev-lead@example.com',
      createdMs: now - 90 * DAY, updatedMs: now - 6 * 3_600_000,
      clusters: [{ n: 1, state: 'READY', type: 'i3en.metal', hosts: hosts(1, 2, 'READY', 'i3en.metal', 'eu-central-1b') }],
    },
    {
      n: 6, orgId: dev, name: 'dev-sddc-ephemeral-1', state: 'DEPLOYING', region: 'US_EAST_1', azs: ['us-east-1a'],
      vmcVersion: '1.26', sddcType: null, accountLink: null, userName: 'ci-bot@example.com',
      createdMs: now, updatedMs: now,
      clusters: [
        {
          n: 1, state: 'DEPLOYING', type: 'i4i.metal',
          hosts: [
            { n: 1, state: 'PROVISIONED', type: 'i4i.metal', az: 'us-east-1a' },
            { n: 2, state: 'INITIALIZING', type: 'i4i.metal', az: 'us-east-1a' },
            { n: 3, state: 'DEPLOYING', type: 'i4i.metal', az: 'us-east-1a' },
          ],
        },
      ],
    },
    {
      n: 7, orgId: dev, name: 'dev-sddc-failed', state: 'FAILED', region: 'US_EAST_1', azs: ['us-east-1b'],
      vmcVersion: '1.26', sddcType: null, accountLink: 'DELAYED', userName: 'dev-lead@example.com',
      createdMs: now - 2 * DAY, updatedMs: now - 2 * DAY + 95 * 60_000,
      clusters: [
        {
          n: 1, state: 'FAILED', type: 'i3en.metal',
          hosts: [
            { n: 1, state: 'READY', type: 'i3en.metal', az: 'us-east-1b' },
            { n: 2, state: 'FAILED', type: 'i3en.metal', az: 'us-east-1b' },
          ],
        },
      ],
    },
    {
      n: 8, orgId: dev, name: 'dev-sddc-glcm', state: 'READY_FOR_GLCM_BRINGUP', region: 'EU_CENTRAL_1',
      azs: ['eu-central-1a'], vmcVersion: '1.26', sddcType: null, accountLink: null, userName: 'dev-lead@example.com',
      createdMs: now - 3 * 3_600_000, updatedMs: now - 40 * 60_000,
      clusters: [
        {
          n: 1, state: 'DEPLOYING', type: 'i4i.metal',
          hosts: [...hosts(1, 2, 'PROVISIONED', 'i4i.metal', 'eu-central-1a'), { n: 3, state: null, type: 'i4i.metal', az: 'eu-central-1a' }],
        },
      ],
    },
    {
      n: 9, orgId: lab, name: 'lab-1node', state: 'READY', region: 'US_WEST_2', azs: ['us-west-2b'],
      vmcVersion: '1.26', sddcType: '1NODE', accountLink: 'UNLINKED', userName: 'lab@example.com',
      createdMs: now - 55 * DAY, updatedMs: now - 54 * DAY, expirationMs: now + 5 * DAY,
      clusters: [{ n: 1, state: 'READY', type: 'i4i.metal', hosts: hosts(1, 1, 'READY', 'i4i.metal', 'us-west-2b') }],
    },
    {
      n: 10, orgId: lab, name: 'lab-sddc-canceled', state: 'CANCELED', region: 'EU_WEST_2', azs: ['eu-west-2a'],
      vmcVersion: '1.26', sddcType: null, accountLink: null, access: null, userName: 'lab@example.com',
      createdMs: now - 10 * DAY, updatedMs: now - 10 * DAY + 5 * 60_000, clusters: [], resourceConfig: 'empty',
    },
    {
      n: 11, orgId: lab, name: 'lab-sddc-deleting', state: 'DELETING', region: 'EU_WEST_2', azs: ['eu-west-2b'],
      vmcVersion: '1.24', sddcType: null, accountLink: 'UNLINKED', userName: 'lab@example.com',
      createdMs: now - 200 * DAY, updatedMs: now - 15 * 60_000, clusters: [], resourceConfig: 'null',
    },
  ];
  const sddcs: Record<string, JsonObject[]> = { [prod]: [], [dev]: [], [lab]: [] };
  for (const spec of specs) sddcs[spec.orgId]?.push(buildSddc(spec));
  return new Estate({ orgs: DEMO_ORGS, sddcs, operations: demoOperations(now), movement: demoMovement(now), clock });
}

const HOUR = 3_600_000;

/** `ms` rounded down to the full hour (maintenance windows start on the hour). */
function onTheHour(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

/** `yyyy-MM-dd` of `ms` (UTC). */
function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The demo's operational data (see {@link DEMO_SIGNALS}): maintenance windows, tasks,
 * subscriptions, AWS connections and an EDRS policy, relative to `now`.
 */
function demoOperations(now: number): Record<string, Partial<OrgOperations>> {
  const { prod, dev, lab } = DEMO.orgs;
  const s = DEMO.sddcs;
  const sig = DEMO_SIGNALS;
  return {
    [prod]: {
      reservations: [
        reservationJson({ id: sig.windowIn3Days, sddcId: s.prod01, state: 'SCHEDULED', startMs: onTheHour(now + 3 * DAY), durationHours: 8 }),
        reservationJson({ id: sig.windowRunning, sddcId: s.prod03, state: 'RUNNING', startMs: onTheHour(now - 2 * HOUR), durationHours: 6 }),
        reservationJson({ id: 'r0000000-0000-4000-8000-000000000003', sddcId: s.prod02, state: 'COMPLETED', startMs: onTheHour(now - 20 * DAY), durationHours: 8 }),
      ],
      tasks: [
        taskJson({ id: sig.failedHostAdd, orgId: prod, type: 'CLUSTER-ADD-HOSTS', status: 'FAILED', resourceId: s.prod01, createdMs: now - 2 * HOUR, endMs: now - 30 * 60_000, progress: 60, error: 'Host provisioning failed: instance capacity not available' }),
        taskJson({ id: '7a7a7a7a-0000-4000-8000-000000000002', orgId: prod, type: 'SDDC-UPGRADE', status: 'STARTED', resourceId: s.prod03, createdMs: now - 2 * HOUR, progress: 35 }),
        taskJson({ id: '7a7a7a7a-0000-4000-8000-000000000003', orgId: prod, type: 'CLUSTER-ADD-HOSTS', status: 'FINISHED', resourceId: s.prod01, createdMs: now - 6 * HOUR, endMs: now - 5 * HOUR, progress: 100 }),
        taskJson({ id: '7a7a7a7a-0000-4000-8000-000000000004', orgId: prod, type: 'CLUSTER-CREATE', status: 'FINISHED', resourceId: s.prod01, createdMs: now - 3 * DAY, endMs: now - 3 * DAY + 2 * HOUR, progress: 100 }),
      ],
      subscriptions: [
        subscriptionJson({ id: sig.subscriptionIn20Days, offerType: 'TERM', status: 'ACTIVATED', region: 'US_WEST_2', hosts: 3, hostType: 'i4i.metal', termMonths: 12, startDate: new Date(now - 345 * DAY).toISOString(), endDate: new Date(now + 20 * DAY).toISOString() }),
        subscriptionJson({ id: 'sub-00000000-0000-4000-8000-000000000002', offerType: 'TERM', status: 'ACTIVATED', region: 'US_WEST_2', hosts: 6, hostType: 'i3en.metal', termMonths: 36, startDate: day(now - 795 * DAY), endDate: day(now + 300 * DAY) }),
        subscriptionJson({ id: 'sub-00000000-0000-4000-8000-000000000003', offerType: 'ON_DEMAND', status: 'ACTIVATED', region: 'EU_CENTRAL_1', hosts: 1, hostType: 'm7i.metal-24xl', startDate: day(now - 30 * DAY), billing: 'Monthly' }),
      ],
      connections: [
        connectionJson({ id: 'link-0000-0001', sddcId: s.prod01, orgId: prod, state: 'ACTIVE', n: 1, zone: 'us-west-2a' }),
        connectionJson({ id: 'link-0000-0002', sddcId: s.prod02, orgId: prod, state: 'ACTIVE', n: 2, zone: 'us-west-2a' }),
        connectionJson({ id: sig.brokenConnection, sddcId: s.prod02, orgId: prod, state: 'BROKEN', n: 3, zone: 'us-west-2b' }),
        connectionJson({ id: 'link-0000-0004', sddcId: s.prod03, orgId: prod, state: 'DELETED', n: 4, zone: 'eu-central-1a' }),
        connectionJson({ id: 'link-0000-0005', sddcId: s.prod03, orgId: prod, state: 'ACTIVE', n: 5, zone: 'eu-central-1a' }),
      ],
      edrs: {
        [s.prod01]: [
          edrsClusterJson({
            clusterId: clusterId(1, 1), enabled: true, policy: 'performance', min: 3, max: 3,
            statusKey: 'skyscraper.autoscaler.elastic.drs.max.hosts', statusMessage: 'Cluster has reached the maximum number of hosts',
          }),
          edrsClusterJson({ clusterId: clusterId(1, 2), enabled: false, policy: 'storage-scaleup', min: 1, max: 16 }),
        ],
      },
    },
    [dev]: {
      reservations: [
        reservationJson({ id: 'r0000000-0000-4000-8000-000000000004', sddcId: s.dev01, state: 'SCHEDULED', startMs: onTheHour(now + 36 * HOUR), durationHours: 4, emergency: true }),
      ],
      tasks: [
        taskJson({ id: sig.hostAddTooLong, orgId: dev, type: 'CLUSTER-ADD-HOSTS', status: 'STARTED', resourceId: s.dev01, createdMs: now - 9 * HOUR, progress: 40 }),
        taskJson({ id: '7a7a7a7a-0000-4000-8000-000000000012', orgId: dev, type: 'SDDC-PROVISION', status: 'STARTED', resourceId: s.devDeploying, createdMs: now - 5 * 60_000, progress: 10 }),
        taskJson({ id: '7a7a7a7a-0000-4000-8000-000000000013', orgId: dev, type: 'SDDC-DELETE', status: 'CANCELED', resourceId: s.dev01, createdMs: now - 5 * HOUR, endMs: now - 5 * HOUR + 10 * 60_000, progress: 5 }),
        taskJson({ id: '7a7a7a7a-0000-4000-8000-000000000014', orgId: dev, type: 'SDDC-PROVISION', status: 'FAILED', resourceId: s.devFailed, createdMs: now - 2 * DAY, endMs: now - 2 * DAY + 95 * 60_000, progress: 80, error: 'Deployment failed' }),
      ],
      subscriptions: [
        subscriptionJson({ id: 'sub-00000000-0000-4000-8000-000000000011', offerType: 'TERM', status: 'ACTIVATED', region: 'EU_CENTRAL_1', hosts: 2, hostType: 'i3en.metal', termMonths: 12, startDate: String(now - 165 * DAY), endDate: String(now + 200 * DAY), billing: 'Monthly' }),
      ],
      connections: [connectionJson({ id: 'link-0000-0011', sddcId: s.dev01, orgId: dev, state: 'ACTIVE', n: 11, zone: 'eu-central-1b' })],
    },
    [lab]: {
      subscriptions: [
        subscriptionJson({ id: 'sub-00000000-0000-4000-8000-000000000021', offerType: 'ON_DEMAND', status: 'ACTIVATED', region: 'US_WEST_2', hosts: 1, hostType: 'i4i.metal', startDate: day(now - 55 * DAY), billing: 'Monthly' }),
        subscriptionJson({ id: 'sub-00000000-0000-4000-8000-000000000022', offerType: 'TERM', status: 'EXPIRED', region: 'US_WEST_2', hosts: 2, hostType: 'i3.metal', termMonths: 12, startDate: day(now - 400 * DAY), endDate: day(now - 35 * DAY) }),
      ],
    },
  };
}

/** Index of the phase `t` (ms into the cycle) falls in. */
function segmentOf(t: number): number {
  let seg = 0;
  for (let i = 0; i < DEMO_PHASES_MS.length; i++) if (t >= (DEMO_PHASES_MS[i] ?? Infinity)) seg = i;
  return seg;
}

/**
 * The demo estate's movement, over a repeating {@link DEMO_CYCLE_MS} cycle starting at
 * `startMs` (t = ms into the current cycle, n = cycle number):
 * - dev's deployment slot: DEPLOYING for t < 180 s, READY (cluster and hosts READY) until
 *   480 s, DELETING until 540 s, then DELETED. Each cycle is a new SDDC: cycle 0 is
 *   `dev-sddc-ephemeral-1` with id {@link DEMO}.sddcs.devDeploying, cycle n is
 *   `dev-sddc-ephemeral-{n+1}` with derived ids.
 * - prod01's joining host: ADDING_TO_VCENTER (Cluster-2 ADDING_HOSTS) for t < 240 s, then
 *   READY (Cluster-2 READY with capacity). The deprecated `esx_hosts` keeps listing only
 *   Cluster-1's hosts.
 * - prod03's host esx-2: FAILED for 360 ≤ t < 420 s, INITIALIZING until 480 s, else READY.
 * - prod02's vSAN witness: FAILED for 360 ≤ t < 420 s, DEPLOYING (replaced) until 480 s,
 *   else READY.
 * SDDCs or hosts whose state was set by hand (pinned) do not move.
 */
export function demoMovement(startMs: number): Movement {
  const at = (nowMs: number) => {
    const elapsed = Math.max(0, nowMs - startMs);
    const n = Math.floor(elapsed / DEMO_CYCLE_MS);
    const t = elapsed - n * DEMO_CYCLE_MS;
    return { n, t, seg: segmentOf(t), cycleStart: startMs + n * DEMO_CYCLE_MS };
  };
  return {
    phase(nowMs) {
      const { n, seg } = at(nowMs);
      return `${n}.${seg}`;
    },
    apply(orgId, sddcs, nowMs, pinned) {
      const { n, t, cycleStart } = at(nowMs);
      if (orgId === DEMO.orgs.dev) {
        return sddcs.map((s) =>
          s['id'] === DEMO.sddcs.devDeploying && !pinned.sddc(orgId, DEMO.sddcs.devDeploying)
            ? deploymentSlot(s, n, t, cycleStart)
            : s,
        );
      }
      if (orgId === DEMO.orgs.prod) {
        return sddcs.map((s) => {
          if (s['id'] === DEMO.sddcs.prod01 && t >= 240_000 && !pinned.host(orgId, DEMO.sddcs.prod01, DEMO.hosts.prod01Joining)) {
            return hostJoined(s, cycleStart + 240_000);
          }
          if (s['id'] === DEMO.sddcs.prod03 && !pinned.host(orgId, DEMO.sddcs.prod03, DEMO.hosts.prod03Flaky)) {
            return flakyHost(s, n, t, cycleStart);
          }
          if (s['id'] === DEMO.sddcs.prod02 && !pinned.sddc(orgId, DEMO.sddcs.prod02)) return witnessMovement(s, t);
          return s;
        });
      }
      return sddcs;
    },
  };
}

/** Sets `esx_state` (and `state_last_updated`) of the host with `esxId` in every list of a copy. */
function withHostState(sddc: JsonObject, esxId: string, state: string, sinceMs: number): JsonObject {
  const copy = structuredClone(sddc);
  forEachHost(copy, (h) => {
    if (h['esx_id'] !== esxId) return;
    h['esx_state'] = state;
    h['state_last_updated'] = new Date(sinceMs).toISOString();
  });
  return copy;
}

function forEachHost(sddc: JsonObject, fn: (host: JsonObject, cluster: JsonObject | undefined) => void): void {
  const rc = sddc['resource_config'];
  if (!isJsonObject(rc)) return;
  for (const c of Array.isArray(rc['clusters']) ? rc['clusters'] : []) {
    if (!isJsonObject(c) || !Array.isArray(c['esx_host_list'])) continue;
    for (const h of c['esx_host_list']) if (isJsonObject(h)) fn(h, c);
  }
  for (const h of Array.isArray(rc['esx_hosts']) ? rc['esx_hosts'] : []) if (isJsonObject(h)) fn(h, undefined);
}

function hostJoined(sddc: JsonObject, sinceMs: number): JsonObject {
  const copy = withHostState(sddc, DEMO.hosts.prod01Joining, 'READY', sinceMs);
  forEachHost(copy, (h, c) => {
    if (h['esx_id'] !== DEMO.hosts.prod01Joining || c === undefined) return;
    c['cluster_state'] = 'READY';
    const list = c['esx_host_list'];
    c['cluster_capacity'] = clusterCapacity('m7i.metal-24xl', Array.isArray(list) ? list.length : 1);
  });
  return copy;
}

/** prod02's witness: FAILED at 360-420 s, DEPLOYING at 420-480 s, else as in the static estate (READY). */
function witnessMovement(sddc: JsonObject, t: number): JsonObject {
  const state = t >= 360_000 && t < 420_000 ? 'FAILED' : t >= 420_000 && t < 480_000 ? 'DEPLOYING' : undefined;
  if (state === undefined) return sddc;
  const copy = structuredClone(sddc);
  const rc = copy['resource_config'];
  for (const c of isJsonObject(rc) && Array.isArray(rc['clusters']) ? rc['clusters'] : []) {
    const witness = isJsonObject(c) ? c['vsan_witness'] : undefined;
    if (isJsonObject(witness)) witness['enum_state'] = state;
  }
  return copy;
}

function flakyHost(sddc: JsonObject, n: number, t: number, cycleStart: number): JsonObject {
  if (t >= 360_000 && t < 420_000) return withHostState(sddc, DEMO.hosts.prod03Flaky, 'FAILED', cycleStart + 360_000);
  if (t >= 420_000 && t < 480_000) return withHostState(sddc, DEMO.hosts.prod03Flaky, 'INITIALIZING', cycleStart + 420_000);
  if (t >= 480_000) return withHostState(sddc, DEMO.hosts.prod03Flaky, 'READY', cycleStart + 480_000);
  if (n > 0) return withHostState(sddc, DEMO.hosts.prod03Flaky, 'READY', cycleStart - DEMO_CYCLE_MS + 480_000);
  return sddc;
}

function deploymentSlot(base: JsonObject, n: number, t: number, cycleStart: number): JsonObject {
  let sddc = base;
  if (n > 0) {
    const tag = n.toString(16).padStart(4, '0');
    const text = JSON.stringify(base)
      .replaceAll(DEMO.sddcs.devDeploying, `5dd0c000-${tag}-4000-8000-000000000006`)
      .replaceAll('"dev-sddc-ephemeral-1"', `"dev-sddc-ephemeral-${n + 1}"`);
    sddc = JSON.parse(text) as JsonObject;
    sddc = rewriteHostIds(sddc, tag);
    sddc['created'] = new Date(cycleStart).toISOString();
  } else if (t < 180_000) {
    return base;
  } else {
    sddc = structuredClone(base);
  }
  let state = 'DEPLOYING';
  let clusterState: string | undefined;
  let hostState: string | undefined;
  let since = cycleStart;
  if (t >= 540_000) [state, clusterState, hostState, since] = ['DELETED', 'READY', 'DELETED', cycleStart + 540_000];
  else if (t >= 480_000) [state, clusterState, hostState, since] = ['DELETING', 'READY', 'DELETING', cycleStart + 480_000];
  else if (t >= 180_000) [state, clusterState, hostState, since] = ['READY', 'READY', 'READY', cycleStart + 180_000];
  sddc['sddc_state'] = state;
  sddc['updated'] = new Date(since).toISOString();
  if (state !== 'DEPLOYING') sddc['account_link_state'] = 'LINKED';
  forEachHost(sddc, (h, c) => {
    if (hostState !== undefined) {
      h['esx_state'] = hostState;
      h['state_last_updated'] = new Date(since).toISOString();
    }
    if (c !== undefined && clusterState !== undefined) {
      c['cluster_state'] = clusterState;
      c['cluster_capacity'] = clusterCapacity('i4i.metal', 3);
    }
  });
  return sddc;
}

/** Gives the hosts and clusters of a later-cycle deployment slot their own ids (`…-8000-<tag>…`). */
function rewriteHostIds(sddc: JsonObject, tag: string): JsonObject {
  const retag = (id: unknown) => (typeof id === 'string' ? `${id.slice(0, 24)}${tag}${id.slice(28)}` : id);
  forEachHost(sddc, (h, c) => {
    h['esx_id'] = retag(h['esx_id']);
    if (c !== undefined && typeof c['cluster_id'] === 'string' && !c['cluster_id'].includes(`-8000-${tag}`)) {
      c['cluster_id'] = retag(c['cluster_id']);
    }
  });
  return sddc;
}

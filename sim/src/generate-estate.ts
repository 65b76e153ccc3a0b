/**
 * Large synthetic estates for benchmarks and load tests: realistic, fully populated SDDC
 * JSON (so `JSON.parse` cost is realistic), deterministic by seed apart from the random
 * password values. Host counts are exact: every SDDC has `hostsPerSddc` hosts spread over
 * `clustersPerSddc` clusters.
 */
import { type Clock, systemClock } from './clock.js';
import { Estate, type JsonObject, type SimOrg } from './estate.js';
import { connectionJson, type OrgOperations, reservationJson, subscriptionJson, taskJson } from './operations.js';
import { Prng } from './random.js';
import { clusterJson, hostJson, randomSddcPasswords, REGIONS, resourceConfigJson, sddcJson, witnessJson } from './sddc-json.js';

/** Options of {@link generateEstate}. */
export interface GenerateEstateOptions {
  /** Number of orgs (≥ 1). @default 10 */
  readonly orgs?: number;
  /** SDDCs per org (≥ 0). @default 200 */
  readonly sddcsPerOrg?: number;
  /** ESX hosts per SDDC, counted over `clusters[].esx_host_list` (≥ 0). @default 16 */
  readonly hostsPerSddc?: number;
  /** Clusters per SDDC (≥ 1); hosts are spread as evenly as possible. @default 2 */
  readonly clustersPerSddc?: number;
  /** Seed of the structure (ids, names, states, types); passwords are always random. @default 1 */
  readonly seed?: number;
  /** Reference time for `created`/`updated` stamps. @default 2026-01-01T00:00:00Z */
  readonly epochMs?: number;
  /** Clock the estate uses to stamp mutations. @default systemClock */
  readonly clock?: Clock;
}

/** Default sizes: the benchmark estate (10 orgs × 200 SDDCs × 16 hosts in 2 clusters). */
export const GENERATED_DEFAULTS = {
  orgs: 10,
  sddcsPerOrg: 200,
  hostsPerSddc: 16,
  clustersPerSddc: 2,
  seed: 1,
} as const;

const DAY = 86_400_000;
const INSTANCE_TYPES = ['i4i.metal', 'i4i.metal', 'i4i.metal', 'i4i.metal', 'i3en.metal', 'i3en.metal', 'i3en.metal', 'm7i.metal-24xl', 'i3.metal', 'm7i.metal-48xl'];
const REGION_IDS = Object.keys(REGIONS);
const VERSIONS = ['1.22', '1.24', '1.24', '1.26', '1.26', '1.26'];
const USERS = ['ops@example.com', 'platform@example.com', 'ci-bot@example.com', 'dba-team@example.com'];

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

/**
 * Builds a synthetic estate. Mostly READY SDDCs and hosts with a sprinkle of DEPLOYING,
 * FAILED, READY_FOR_GLCM_BRINGUP and DELETING SDDCs and non-READY hosts; no DELETED SDDCs,
 * so every generated SDDC appears in the default list. Each org also gets operational data
 * relative to the clock's time (see {@link generateOperations}); EDRS policies are derived
 * from the clusters.
 */
export function generateEstate(options: GenerateEstateOptions = {}): Estate {
  const orgCount = checkCount('orgs', options.orgs ?? GENERATED_DEFAULTS.orgs, 1);
  const sddcCount = checkCount('sddcsPerOrg', options.sddcsPerOrg ?? GENERATED_DEFAULTS.sddcsPerOrg, 0);
  const hostCount = checkCount('hostsPerSddc', options.hostsPerSddc ?? GENERATED_DEFAULTS.hostsPerSddc, 0);
  const clusterCount = checkCount('clustersPerSddc', options.clustersPerSddc ?? GENERATED_DEFAULTS.clustersPerSddc, 1);
  const rng = new Prng(options.seed ?? GENERATED_DEFAULTS.seed);
  const epoch = options.epochMs ?? Date.UTC(2026, 0, 1);

  const orgs: SimOrg[] = [];
  const sddcs: Record<string, JsonObject[]> = {};
  let netIndex = 0;
  for (let o = 0; o < orgCount; o++) {
    const num = String(o + 1).padStart(2, '0');
    const org: SimOrg = { id: rng.uuid(), name: `gen-org-${num}`, display_name: `Generated Org ${num}` };
    orgs.push(org);
    const list: JsonObject[] = [];
    for (let i = 0; i < sddcCount; i++) {
      list.push(generateSddc(rng, org.id, `gen-o${num}-sddc-${String(i + 1).padStart(4, '0')}`, netIndex++, hostCount, clusterCount, epoch));
    }
    sddcs[org.id] = list;
  }
  const opsRng = new Prng((options.seed ?? GENERATED_DEFAULTS.seed) + 7919);
  const now = (options.clock ?? systemClock).now();
  const operations: Record<string, Partial<OrgOperations>> = {};
  for (const org of orgs) operations[org.id] = generateOperations(opsRng, org.id, sddcs[org.id] ?? [], now);
  return new Estate({ orgs, sddcs, operations, ...(options.clock === undefined ? {} : { clock: options.clock }) });
}

/**
 * One org's operational data: 80 tasks (60 FINISHED within the last 20 hours, 2 STARTED, 1
 * FAILED, 17 older than a day), 3 term subscriptions, a SCHEDULED maintenance window for
 * one SDDC in ten, and one ACTIVE AWS connection per SDDC.
 */
function generateOperations(rng: Prng, orgId: string, sddcs: readonly JsonObject[], now: number): Partial<OrgOperations> {
  const hour = 3_600_000;
  const ids = sddcs.map((s) => String(s['id']));
  const tasks: JsonObject[] = [];
  const types = ['CLUSTER-ADD-HOSTS', 'CLUSTER-REMOVE-HOSTS', 'SDDC-UPGRADE', 'CLUSTER-CREATE', 'SDDC-PROVISION', 'SDDC-DELETE'];
  for (let i = 0; i < 80; i++) {
    const resourceId = ids.length > 0 ? rng.pick(ids) : orgId;
    const type = rng.pick(types);
    const old = i >= 63;
    const createdMs = old ? now - (2 + rng.int(60)) * DAY : now - rng.int(20 * hour);
    const status = i < 60 || old ? 'FINISHED' : i < 62 ? 'STARTED' : 'FAILED';
    const running = status === 'STARTED';
    tasks.push(taskJson({ id: rng.uuid(), orgId, type, status, resourceId, createdMs, ...(running ? {} : { endMs: createdMs + rng.int(hour) }), progress: running ? rng.int(100) : 100 }));
  }
  const subscriptions = [0, 1, 2].map((k) =>
    subscriptionJson({
      id: rng.uuid(),
      offerType: 'TERM',
      status: 'ACTIVATED',
      region: rng.pick(REGION_IDS),
      hosts: 2 + rng.int(30),
      hostType: rng.pick(INSTANCE_TYPES),
      termMonths: k === 0 ? 12 : 36,
      startDate: new Date(now - (30 + rng.int(300)) * DAY).toISOString(),
      endDate: new Date(now + (100 + rng.int(600)) * DAY).toISOString(),
    }),
  );
  const reservations = ids
    .filter((_, i) => i % 10 === 0)
    .map((sddcId) => reservationJson({ id: rng.uuid(), sddcId, state: 'SCHEDULED', startMs: Math.floor((now + (1 + rng.int(30)) * DAY) / hour) * hour, durationHours: 8 }));
  const connections = ids.map((sddcId, n) => connectionJson({ id: rng.uuid(), sddcId, orgId, state: 'ACTIVE', n, zone: 'us-west-2a' }));
  return { tasks, subscriptions, reservations, connections };
}

function generateSddc(
  rng: Prng,
  orgId: string,
  name: string,
  netIndex: number,
  hostCount: number,
  clusterCount: number,
  epoch: number,
): JsonObject {
  const id = rng.uuid();
  const roll = rng.float();
  const state =
    roll < 0.955 ? 'READY' : roll < 0.975 ? 'DEPLOYING' : roll < 0.985 ? 'FAILED' : roll < 0.993 ? 'READY_FOR_GLCM_BRINGUP' : 'DELETING';
  const region = rng.pick(REGION_IDS);
  const azPrefix = REGIONS[region] ?? 'us-west-2';
  const multiAz = hostCount >= 6 && rng.chance(0.1);
  const azs = multiAz ? [`${azPrefix}a`, `${azPrefix}b`] : [`${azPrefix}${rng.pick(['a', 'b', 'c'])}`];
  const createdMs = epoch - (1 + rng.int(900)) * DAY - rng.int(DAY);
  const updatedMs = Math.min(epoch - rng.int(30 * DAY), createdMs + 365 * DAY);
  const stampMs = updatedMs - rng.int(7 * DAY);
  const second = 2 + (netIndex % 250);
  const third = (netIndex >> 8) & 255;

  // One READY SDDC in 30 has one host in a non-READY state.
  const troubled = state === 'READY' && hostCount > 0 && rng.chance(1 / 30) ? rng.int(hostCount) : -1;
  const troubleState = troubled >= 0 ? rng.pick(['ADDING_TO_VCENTER', 'FAILED', 'DELETING_FROM_VCENTER', 'INITIALIZING']) : '';

  const allHosts: JsonObject[] = [];
  const clusters: JsonObject[] = [];
  let h = 0;
  for (let c = 0; c < clusterCount; c++) {
    const inCluster = Math.floor(hostCount / clusterCount) + (c < hostCount % clusterCount ? 1 : 0);
    const instanceType = rng.pick(INSTANCE_TYPES);
    const list: JsonObject[] = [];
    let clusterState = state === 'DEPLOYING' || state === 'READY_FOR_GLCM_BRINGUP' ? 'DEPLOYING' : state === 'FAILED' ? 'FAILED' : 'READY';
    for (let k = 0; k < inCluster; k++, h++) {
      let hostState = 'READY';
      if (state === 'DEPLOYING') hostState = rng.pick(['PROVISIONED', 'INITIALIZING', 'DEPLOYING', 'READY']);
      else if (state === 'READY_FOR_GLCM_BRINGUP') hostState = 'PROVISIONED';
      else if (state === 'FAILED' && k === 0) hostState = 'FAILED';
      else if (state === 'DELETING') hostState = 'DELETING';
      else if (h === troubled) {
        hostState = troubleState;
        if (troubleState === 'ADDING_TO_VCENTER') clusterState = 'ADDING_HOSTS';
      }
      list.push(
        hostJson({
          esxId: rng.uuid(),
          name: `esx-${h + 1}`,
          hostname: `10.${second}.${32 + (h >> 8)}.${4 + (h & 255)}`,
          state: hostState,
          instanceType,
          availabilityZone: azs[multiAz ? k % 2 : 0] ?? azPrefix,
          stateLastUpdatedMs: stampMs + h * 17_000,
          instanceId: `i-0${rng.hex(16)}`,
          macAddress: `0e:${third.toString(16).padStart(2, '0')}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`,
        }),
      );
    }
    allHosts.push(...list);
    clusters.push(
      clusterJson({
        id: rng.uuid(),
        name: `Cluster-${c + 1}`,
        state: clusterState,
        instanceType,
        availabilityType: multiAz ? 'MULTI_AZ' : 'SINGLE_AZ',
        availabilityZones: azs,
        hosts: list,
        ...(multiAz && c === 0
          ? {
              witness: witnessJson({
                esxId: rng.uuid(),
                hostname: `10.${second}.48.4`,
                state: 'READY',
                availabilityZone: `${azPrefix}c`,
                instanceId: `i-0${rng.hex(16)}`,
              }),
            }
          : {}),
      }),
    );
  }

  const resourceConfig = resourceConfigJson({
    sddcId: id,
    orgId,
    region,
    deploymentType: multiAz ? 'MULTI_AZ' : 'SINGLE_AZ',
    availabilityZones: azs,
    witnessZone: multiAz ? `${azPrefix}c` : null,
    vmcVersion: rng.pick(VERSIONS),
    netIndex,
    passwords: randomSddcPasswords(),
    esxHosts: allHosts,
    clusters,
    size: hostCount > 10 && rng.chance(0.3) ? 'LARGE' : 'MEDIUM',
    awsHex: rng.hex(17),
  });

  return sddcJson({
    id,
    name,
    orgId,
    state,
    sddcType: rng.chance(0.5) ? null : 'DEFAULT',
    accountLinkState: state === 'DEPLOYING' ? null : rng.pick(['LINKED', 'LINKED', 'LINKED', 'UNLINKED', 'DELAYED']),
    createdMs,
    updatedMs,
    expirationMs: null,
    userName: rng.pick(USERS),
    userId: rng.uuid(),
    version: 10 + rng.int(2000),
    resourceConfig,
    micros: rng.int(1000),
  });
}

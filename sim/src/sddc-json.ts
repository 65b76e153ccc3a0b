/**
 * Builders for raw SDDC JSON shaped like `GET /vmc/api/orgs/{org}/sddcs` answers (see
 * vmc-api.md §4 and §5): the real field names, realistic values and the noise fields real
 * payloads carry, so that parsing cost and leniency are exercised like in production.
 */
import { randomSecret } from './random.js';

/** A JSON object as it travels on the wire. */
export type JsonObject = { [key: string]: unknown };

/** Per-host hardware facts used for `cluster_capacity`. */
export interface InstanceSpec {
  /** CPU sockets per host. */
  readonly sockets: number;
  /** Physical cores per host. */
  readonly cores: number;
  /** Base clock in GHz. */
  readonly ghz: number;
  /** Memory per host in GiB. */
  readonly memoryGib: number;
  /** Local NVMe devices per host (0 for storage-less types). */
  readonly ssds: number;
  /** vSAN raw capacity per host in GiB (0 for storage-less types). */
  readonly storageGib: number;
}

/** Known host instance types and their capacity facts. */
export const INSTANCE_SPECS: Readonly<Record<string, InstanceSpec>> = {
  'i3.metal': { sockets: 2, cores: 36, ghz: 2.3, memoryGib: 512, ssds: 8, storageGib: 10617 },
  'i3en.metal': { sockets: 2, cores: 48, ghz: 2.5, memoryGib: 768, ssds: 8, storageGib: 45841 },
  'i4i.metal': { sockets: 2, cores: 64, ghz: 2.6, memoryGib: 1024, ssds: 8, storageGib: 20480 },
  'm7i.metal-24xl': { sockets: 1, cores: 48, ghz: 3.2, memoryGib: 384, ssds: 0, storageGib: 0 },
  'm7i.metal-48xl': { sockets: 2, cores: 96, ghz: 3.2, memoryGib: 768, ssds: 0, storageGib: 0 },
};

/** VMC region ids with their AWS availability-zone prefix. */
export const REGIONS: Readonly<Record<string, string>> = {
  US_WEST_2: 'us-west-2',
  US_EAST_1: 'us-east-1',
  EU_CENTRAL_1: 'eu-central-1',
  EU_WEST_2: 'eu-west-2',
  AP_NORTHEAST_1: 'ap-northeast-1',
  AP_SOUTHEAST_2: 'ap-southeast-2',
};

/**
 * ISO-8601 UTC timestamp the way VMC writes them: with microseconds when `micros` is given
 * (e.g. `2021-04-05T18:29:35.000705Z`), else milliseconds.
 */
export function isoTime(ms: number, micros?: number): string {
  const iso = new Date(ms).toISOString();
  if (micros === undefined) return iso;
  return `${iso.slice(0, -1)}${String(Math.abs(Math.trunc(micros)) % 1000).padStart(3, '0')}Z`;
}

/** Input for {@link hostJson}. */
export interface HostSpec {
  /** `esx_id`. */
  readonly esxId: string;
  /** `name`, e.g. `esx-1`. */
  readonly name: string;
  /** `hostname` (management IP). */
  readonly hostname: string;
  /** `esx_state`. */
  readonly state: string;
  /** `instance_type`. */
  readonly instanceType: string;
  /** `availability_zone`, e.g. `us-west-2a`. */
  readonly availabilityZone: string;
  /** `state_last_updated` as ms since the epoch. */
  readonly stateLastUpdatedMs: number;
  /** EC2 instance id (`instance_id`). */
  readonly instanceId: string;
  /** `mac_address`. */
  readonly macAddress: string;
}

/** One `AwsEsxHost` object. */
export function hostJson(h: HostSpec): JsonObject {
  return {
    esx_id: h.esxId,
    name: h.name,
    hostname: h.hostname,
    esx_state: h.state,
    instance_type: h.instanceType,
    availability_zone: h.availabilityZone,
    state_last_updated: isoTime(h.stateLastUpdatedMs),
    provider: 'AWS',
    mac_address: h.macAddress,
    durable_host_name: null,
    custom_properties: null,
    instance_id: h.instanceId,
    capacity_pool: null,
    partition_number: null,
    ec2_instance_running_status_count: 0,
    eni_list: [],
    finger_print: null,
  };
}

/** `cluster_capacity` for `hosts` hosts of one instance type; null for unknown types. */
export function clusterCapacity(instanceType: string, hosts: number): JsonObject | null {
  const spec = INSTANCE_SPECS[instanceType];
  if (spec === undefined) return null;
  return {
    number_of_sockets: spec.sockets * hosts,
    total_number_of_cores: spec.cores * hosts,
    cpu_capacity_ghz: Math.round(spec.cores * spec.ghz * hosts * 10) / 10,
    memory_capacity_gib: spec.memoryGib * hosts,
    number_of_ssds: spec.ssds * hosts,
    storage_capacity_gib: spec.storageGib * hosts,
  };
}

/** Input for {@link clusterJson}. */
export interface ClusterSpec {
  /** `cluster_id`. */
  readonly id: string;
  /** `cluster_name`, e.g. `Cluster-1`. */
  readonly name: string;
  /** `cluster_state`. */
  readonly state: string;
  /** `esx_host_info.instance_type`. */
  readonly instanceType: string;
  /** `availability_type`: `SINGLE_AZ` or `MULTI_AZ`. */
  readonly availabilityType: string;
  /** `availability_zones`. */
  readonly availabilityZones: readonly string[];
  /** `esx_host_list` entries (built with {@link hostJson}). */
  readonly hosts: readonly JsonObject[];
  /** `cluster_capacity`; `undefined` computes it from the instance type and host count. */
  readonly capacity?: JsonObject | null;
  /** `vsan_witness` (stretched clusters, see {@link witnessJson}); default null. */
  readonly witness?: JsonObject | null;
}

/** Input for {@link witnessJson}. */
export interface WitnessSpec {
  /** `esx_id`. */
  readonly esxId: string;
  /** `hostname` (management IP). */
  readonly hostname: string;
  /** `enum_state`: `DEPLOYING`, `PROVISIONED`, `DELETING`, `READY`, `FAILED`. */
  readonly state: string;
  /** The witness's availability zone (the SDDC's `witness_availability_zone`). */
  readonly availabilityZone: string;
  /** EC2 instance id. */
  readonly instanceId: string;
}

/** One `AwsWitnessEsx` object: its state key is `enum_state`, not `esx_state`. */
export function witnessJson(w: WitnessSpec): JsonObject {
  return {
    esx_id: w.esxId,
    name: 'witness-1',
    hostname: w.hostname,
    enum_state: w.state,
    provider: 'AWS',
    instance_id: w.instanceId,
    instance_type: 'm5.2xlarge',
    availability_zone: w.availabilityZone,
    mac_address: null,
    eni_info: null,
  };
}

/** One `Cluster` object. */
export function clusterJson(c: ClusterSpec): JsonObject {
  return {
    cluster_id: c.id,
    cluster_name: c.name,
    cluster_state: c.state,
    availability_type: c.availabilityType,
    availability_zones: [...c.availabilityZones],
    esx_host_info: { instance_type: c.instanceType },
    host_cpu_cores_count: 0,
    hyper_threading_enabled: true,
    vsan_witness: c.witness ?? null,
    vsan_version: 'vSAN2',
    mgmt_rp_name: 'Mgmt-ResourcePool',
    compute_rp_name: 'Compute-ResourcePool',
    msft_license_config: null,
    aws_kms_info: null,
    wcp_details: null,
    partition_placement_group_info: null,
    custom_properties: null,
    cluster_capacity: c.capacity === undefined ? clusterCapacity(c.instanceType, c.hosts.length) : c.capacity,
    esx_host_list: [...c.hosts],
  };
}

/**
 * The secret values of one SDDC: the three passwords and the OAuth client secrets and key
 * material VMC returns in clear text on a GET (vmc-api-operator-endpoints.md §2.7).
 */
export interface SddcPasswords {
  /** `resource_config.cloud_password` (vCenter cloudadmin). */
  readonly cloud: string;
  /** `resource_config.nsx_cloud_admin_password`. */
  readonly nsxAdmin: string;
  /** `resource_config.nsx_cloud_audit_password`. */
  readonly nsxAudit: string;
  /**
   * `secret` of `nsx_user_client`, `nsx_service_client`, `nsx_native_client`,
   * `vc_oauth_client`, then the agent's `client_secret` and `key_pair.key_material`;
   * absent: those objects are null, as for a token without NSX roles.
   */
  readonly clients?: {
    readonly nsxUser: string;
    readonly nsxService: string;
    readonly nsxNative: string;
    readonly vcOauth: string;
    readonly agentClient: string;
    readonly keyMaterial: string;
  };
}

/** Fresh random values for every secret field of one SDDC. */
export function randomSddcPasswords(): SddcPasswords {
  return {
    cloud: randomSecret(),
    nsxAdmin: randomSecret(),
    nsxAudit: randomSecret(),
    clients: {
      nsxUser: randomSecret('simcs-'),
      nsxService: randomSecret('simcs-'),
      nsxNative: randomSecret('simcs-'),
      vcOauth: randomSecret('simcs-'),
      agentClient: randomSecret('simcs-'),
      keyMaterial: randomSecret('simkey-', 24),
    },
  };
}

/** One `CspOauthClient` object (camelCase TTL keys, as the model has them). */
function oauthClientJson(id: string, secret: string, orgId: string): JsonObject {
  return {
    id,
    secret,
    accessTokenTTL: 1800,
    refreshTokenTTL: 0,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    org_id: orgId,
    resource_link: `/csp/gateway/am/api/auth/clients/${id}`,
  };
}

/** Input for {@link resourceConfigJson}. */
export interface ResourceConfigSpec {
  /** The SDDC id (echoed as `sddc_id`). */
  readonly sddcId: string;
  /** The org id (used in the NSX reverse-proxy URL). */
  readonly orgId: string;
  /** VMC region id, e.g. `US_WEST_2`. */
  readonly region: string;
  /** `deployment_type`: `SINGLE_AZ` or `MULTI_AZ`. */
  readonly deploymentType: string;
  /** `availability_zones`. */
  readonly availabilityZones: readonly string[];
  /** `witness_availability_zone` (MULTI_AZ only); default null. */
  readonly witnessZone?: string | null;
  /** `sddc_manifest.vmc_version`, e.g. `1.24`. */
  readonly vmcVersion: string;
  /** Small integer making IPs/hostnames of this SDDC distinct (0..65535). */
  readonly netIndex: number;
  /** Password values (random, see `randomSecret`). */
  readonly passwords: SddcPasswords;
  /** Deprecated flat `esx_hosts` list. */
  readonly esxHosts: readonly JsonObject[];
  /** `clusters`. */
  readonly clusters: readonly JsonObject[];
  /** `sddc_size.size`; default `MEDIUM`. */
  readonly size?: string;
  /** Hex suffix for AWS ids (VPC, subnet, AMI); 17 hex characters. */
  readonly awsHex: string;
}

/** One `AwsSddcResourceConfig` object with realistic noise fields. */
export function resourceConfigJson(r: ResourceConfigSpec): JsonObject {
  const a = (r.netIndex >> 8) & 255;
  const b = r.netIndex & 255;
  const pub = `${100 + (a % 100)}-${b}`;
  const second = 2 + (r.netIndex % 250);
  const large = r.size === 'LARGE';
  const clients = r.passwords.clients;
  const client = (kind: string, secret: string | undefined) =>
    secret === undefined ? null : oauthClientJson(`${kind}-${r.awsHex.slice(0, 8)}`, secret, r.orgId);
  return {
    sddc_id: r.sddcId,
    provider: 'AWS',
    region: r.region,
    availability_zones: [...r.availabilityZones],
    deployment_type: r.deploymentType,
    witness_availability_zone: r.witnessZone ?? null,
    sso_domain: 'vmc.local',
    nsxt: true,
    nsxt_addons: { enable_nsx_advanced_addon: false },
    vc_url: `https://vcenter.sddc-198-51-${pub}.vmwarevmc.com/`,
    vc_public_ip: `198.51.${100 + (a % 100)}.${b}`,
    vc_management_ip: `10.${second}.224.4`,
    vc_instance_id: `vc-${r.awsHex.slice(0, 12)}`,
    nsx_mgr_url: `https://nsx-203-0-${pub}.rp.vmwarevmc.com/vmc/reverse-proxy/api/orgs/${r.orgId}/sddcs/${r.sddcId}/sks-nsxt-manager`,
    nsx_mgr_login_url: `https://nsx-203-0-${pub}.rp.vmwarevmc.com/login.jsp`,
    nsx_api_public_endpoint_url: `https://nsx-203-0-${pub}.rp.vmwarevmc.com/vmc/reverse-proxy/api/orgs/${r.orgId}/sddcs/${r.sddcId}/sks-nsxt-manager`,
    nsx_mgr_management_ip: `10.${second}.224.12`,
    cloud_username: 'cloudadmin@vmc.local',
    cloud_password: r.passwords.cloud,
    nsx_cloud_admin: 'cloud_admin',
    nsx_cloud_admin_password: r.passwords.nsxAdmin,
    nsx_cloud_audit: 'cloud_audit',
    nsx_cloud_audit_password: r.passwords.nsxAudit,
    nsx_user_client: client('nsx-user', clients?.nsxUser),
    nsx_service_client: client('nsx-service', clients?.nsxService),
    nsx_native_client: client('nsx-native', clients?.nsxNative),
    vc_oauth_client: client('vc', clients?.vcOauth),
    sddc_size: large
      ? { vc_size: 'large', nsx_size: 'large', size: 'LARGE' }
      : { vc_size: 'medium', nsx_size: 'medium', size: r.size ?? 'MEDIUM' },
    sddc_manifest: {
      vmc_version: r.vmcVersion,
      vmc_internal_version: `${r.vmcVersion}.0.${7 + (r.netIndex % 9)}`,
      glcm_bundle: { id: `glcm-${r.vmcVersion}-${r.awsHex.slice(0, 6)}`, s3Bucket: 'vmc-glcm-bundles-prod' },
      metadata: { cycle_id: `Cycle-${80 + (r.netIndex % 12)}`, timestamp: String(1712345678901 + r.netIndex) },
      esx_ami: {
        id: `ami-${r.awsHex}`,
        name: `esx-${r.vmcVersion}-build-${21000000 + r.netIndex}`,
        region: r.region.toLowerCase().replace(/_/g, '-'),
        instance_type: null,
      },
      esx_nsxt_ami: null,
      vsan_witness_ami: null,
      pop_info: null,
      ebs_backed_vsan_config: null,
    },
    vpc_info: {
      id: `vpc-${r.awsHex}`,
      vpc_cidr: `10.${second}.0.0/16`,
      subnet_id: `subnet-${r.awsHex}`,
      security_group_id: `sg-${r.awsHex}`,
      route_table_id: `rtb-${r.awsHex}`,
      edge_subnet_id: `subnet-${r.awsHex.split('').reverse().join('')}`,
      api_subnet_id: null,
      vgw_id: null,
      esx_public_security_group_id: null,
      internet_gateway_id: `igw-${r.awsHex}`,
      peering_connection_id: null,
      provider: 'AWS',
    },
    max_num_public_ip: 30,
    public_ip_pool: [],
    mgw_public_ip_pool: [],
    vxlan_subnet: '192.168.1.0/24',
    skip_creating_vxlan: true,
    esx_host_subnet: `10.${second}.32.0/19`,
    vlcm_enabled: true,
    cvds_enabled: true,
    sddc_desired_state: false,
    two_hostname_vc_deployment: false,
    dns_with_management_public_ip: false,
    vc_remote_plugin_support_enabled: false,
    edge_lcm_enabled: true,
    msft_license_config: null,
    outpost_config: null,
    sddc_security: { profile: 'PROFILE_DEFAULT', hardened: false },
    key_provider: null,
    vsan_encryption_config: null,
    custom_properties: null,
    zero_cloud_region: null,
    agents: [
      {
        agent_url: `https://10.${second}.224.20`,
        agent_state: 'READY',
        provider: 'AWS',
        sddc_csp_oauth_client: clients === undefined ? null : { csp_oauth_client: { client_id: `agent-${r.awsHex.slice(0, 8)}`, client_secret: clients.agentClient } },
        key_pair: clients === undefined ? null : { key_name: `sddc-${r.awsHex.slice(0, 8)}`, key_fingerprint: null, key_material: clients.keyMaterial },
      },
    ],
    esx_hosts: [...r.esxHosts],
    clusters: [...r.clusters],
  };
}

/** Input for {@link sddcJson}. */
export interface SddcSpec {
  /** `id`. */
  readonly id: string;
  /** `name`. */
  readonly name: string;
  /** `org_id`. */
  readonly orgId: string;
  /** `sddc_state`. */
  readonly state: string;
  /** `sddc_type`: `1NODE`, `DEFAULT` or null. */
  readonly sddcType: string | null;
  /** `account_link_state`: `LINKED`, `UNLINKED`, `DELAYED` or null. */
  readonly accountLinkState: string | null;
  /** `sddc_access_state`: `ENABLED` (default), `DISABLED`, or null to leave the field out. */
  readonly accessState?: string | null;
  /** `created` as ms since the epoch. */
  readonly createdMs: number;
  /** `updated` as ms since the epoch. */
  readonly updatedMs: number;
  /** `expiration_date` as ms since the epoch, or null. */
  readonly expirationMs: number | null;
  /** `user_name` of the creator. */
  readonly userName: string;
  /** `user_id` of the creator. */
  readonly userId: string;
  /** Entity `version`. */
  readonly version: number;
  /** `resource_config` (object, `{}` or null). */
  readonly resourceConfig: JsonObject | null;
  /** Microsecond digits used for the timestamps (realistic variable precision). */
  readonly micros?: number;
}

/** One `Sddc` object with realistic noise fields. */
export function sddcJson(s: SddcSpec): JsonObject {
  const access = s.accessState === undefined ? 'ENABLED' : s.accessState;
  return {
    id: s.id,
    name: s.name,
    org_id: s.orgId,
    sddc_state: s.state,
    sddc_type: s.sddcType,
    provider: 'AWS',
    account_link_state: s.accountLinkState,
    ...(access === null ? {} : { sddc_access_state: access }),
    expiration_date: s.expirationMs === null ? null : isoTime(s.expirationMs, s.micros),
    created: isoTime(s.createdMs, s.micros),
    updated: isoTime(s.updatedMs, s.micros),
    user_id: s.userId,
    user_name: s.userName,
    updated_by_user_id: s.userId,
    updated_by_user_name: 'Internal-Operator',
    version: s.version,
    sddc_template_id: null,
    nsxt_csp_mode: true,
    one_node_reduced_capacity: false,
    resource_config: s.resourceConfig,
  };
}

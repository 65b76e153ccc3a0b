/**
 * The typed view of the VMC data the exporter uses: a whitelist of fields, never the raw
 * payload (SDDC JSON carries plaintext passwords).
 */

/** One SDDC, reduced to the fields that become metrics. Missing strings are `''`. */
export interface Sddc {
  /** `id`; always non-empty (entries without one are skipped). */
  readonly id: string;
  /** `name`. */
  readonly name: string;
  /** `sddc_state`, passed through as-is (unknown values included); `UNKNOWN` when missing or empty. */
  readonly state: string;
  /** `provider`, else `resource_config.provider`. */
  readonly provider: string;
  /** `resource_config.region`, e.g. `US_WEST_2`. */
  readonly region: string;
  /** `sddc_type` (`1NODE`, `DEFAULT`, or `''` when null). */
  readonly sddcType: string;
  /** `resource_config.deployment_type` (`SINGLE_AZ` / `MULTI_AZ`). */
  readonly deploymentType: string;
  /** `resource_config.sddc_manifest.vmc_version`. */
  readonly vmcVersion: string;
  /** `created` as Unix seconds; undefined when absent or unparseable. */
  readonly createdSeconds: number | undefined;
  /** `expiration_date` as Unix seconds; undefined when null/absent. */
  readonly expirationSeconds: number | undefined;
  /** `sddc_access_state` (`ENABLED`, `DISABLED`), passed through; `''` when missing. */
  readonly accessState: string;
  /** `account_link_state` (`DELAYED`, `LINKED`, `UNLINKED`), passed through; `''` when missing or null. */
  readonly accountLinkState: string;
  /**
   * ESX hosts counted by `esx_state` (`UNKNOWN` when missing or empty; from `clusters[].esx_host_list`, or `esx_hosts` when
   * there are no clusters). Undefined when the SDDC carries no host information at all:
   * unknown is not zero.
   */
  readonly hostStates: ReadonlyMap<string, number> | undefined;
  /** Clusters from `resource_config.clusters`, sorted by id; empty when none. */
  readonly clusters: readonly Cluster[];
  /**
   * Every ESX host with an `esx_id`, each id once (the first occurrence), in payload order:
   * the hosts of `resource_config.clusters[].esx_host_list`, or of the deprecated
   * `esx_hosts` when there are no clusters (then with `clusterId` `''`).
   */
  readonly hosts: readonly Host[];
}

/** One cluster of an SDDC. */
export interface Cluster {
  /** `cluster_id`; clusters without one are skipped. */
  readonly id: string;
  /** `cluster_name`. */
  readonly name: string;
  /** `cluster_state`; `UNKNOWN` when missing or empty. */
  readonly state: string;
  /** `esx_host_info.instance_type`, else the first host's `instance_type`. */
  readonly instanceType: string;
  /** Length of `esx_host_list`; undefined when the list is absent or not an array. */
  readonly hosts: number | undefined;
  /** `cluster_capacity`, converted to base units; undefined when the payload has none. */
  readonly capacity: ClusterCapacity | undefined;
  /**
   * `vsan_witness.enum_state` of a stretched cluster (`availability_type` `MULTI_AZ`, or a
   * `vsan_witness` object present): the state, `''` when the witness or its state is
   * missing; undefined for a cluster that is not stretched.
   */
  readonly witnessState: string | undefined;
}

/**
 * `cluster_capacity` (`EntityCapacity`) in base units. A field that is missing or not a
 * finite number is undefined (no series).
 */
export interface ClusterCapacity {
  /** `total_number_of_cores`. */
  readonly cpuCores: number | undefined;
  /** `cpu_capacity_ghz` × 10^9, rounded to whole hertz. */
  readonly cpuHertz: number | undefined;
  /** `memory_capacity_gib` × 2^30. */
  readonly memoryBytes: number | undefined;
  /** `storage_capacity_gib` × 2^30 (the API does not say whether raw or usable). */
  readonly storageBytes: number | undefined;
}

/** One ESX host (`AwsEsxHost`), reduced to the fields that become labels. Missing strings are `''`. */
export interface Host {
  /** `esx_id`; never empty (hosts without one get no per-host series). */
  readonly id: string;
  /** `cluster_id` of the cluster listing it; `''` for a cluster without one or the deprecated `esx_hosts`. */
  readonly clusterId: string;
  /** `name`, e.g. `esx-1`. */
  readonly name: string;
  /** `esx_state`, passed through. */
  readonly state: string;
  /** `instance_type`, else the cluster's instance type. */
  readonly instanceType: string;
  /** `availability_zone`, e.g. `us-west-2a`. */
  readonly availabilityZone: string;
}

/** The result of parsing one `GET /vmc/api/orgs/{org}/sddcs` body. */
export interface SddcList {
  /** Parsed SDDCs, sorted by id, each id once. */
  readonly sddcs: readonly Sddc[];
  /**
   * Entries that were skipped or merged (not an object, no id, repeated id), as short
   * messages safe to log (ids and indexes only, never payload text).
   */
  readonly problems: readonly string[];
}

/** One organization from `GET /vmc/api/orgs` or `GET /vmc/api/orgs/{org}`. */
export interface Org {
  /** `id`. */
  readonly id: string;
  /** `display_name`, else `name`, else `''`. */
  readonly displayName: string;
  /** `project_state` (`CREATED`, `DELETED`), passed through; `''` when missing. */
  readonly projectState: string;
}

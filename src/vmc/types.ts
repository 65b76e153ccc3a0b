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
  /**
   * ESX hosts counted by `esx_state` (`UNKNOWN` when missing or empty; from `clusters[].esx_host_list`, or `esx_hosts` when
   * there are no clusters). Undefined when the SDDC carries no host information at all:
   * unknown is not zero.
   */
  readonly hostStates: ReadonlyMap<string, number> | undefined;
  /** Clusters from `resource_config.clusters`, sorted by id; empty when none. */
  readonly clusters: readonly Cluster[];
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

/** One organization from `GET /vmc/api/orgs`. */
export interface Org {
  /** `id`. */
  readonly id: string;
  /** `display_name`, else `name`, else `''`. */
  readonly displayName: string;
}

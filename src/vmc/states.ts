/**
 * The enum values known from the VMC SDK model. Unknown values seen on the wire are not
 * mapped away: they pass through as label values next to these.
 */

/** `Sddc.sddc_state` values. */
export const SDDC_STATES = [
  'DEPLOYING',
  'READY',
  'DELETING',
  'DELETED',
  'FAILED',
  'CANCELED',
  'READY_FOR_GLCM_BRINGUP',
] as const;

/** `AwsEsxHost.esx_state` values. */
export const ESX_STATES = [
  'DEPLOYING',
  'INITIALIZING',
  'PROVISIONED',
  'READY',
  'DELETING',
  'DELETED',
  'FAILED',
  'ADDING_TO_VCENTER',
  'DELETING_FROM_VCENTER',
  'PENDING_CLOUD_DELETION',
] as const;

/** `Cluster.cluster_state` values. */
export const CLUSTER_STATES = ['DEPLOYING', 'ADDING_HOSTS', 'READY', 'FAILED'] as const;

/**
 * The state reported for an entity (SDDC, cluster, host) that exists but whose state field is
 * missing, empty or not a string: never `state=""`. Unknown values on the wire pass through
 * as they are.
 */
export const UNKNOWN_STATE = 'UNKNOWN';

/** `Sddc.sddc_access_state` values (named in the model's field comment only). */
export const SDDC_ACCESS_STATES = ['ENABLED', 'DISABLED'] as const;

/** `Sddc.account_link_state` values. */
export const ACCOUNT_LINK_STATES = ['DELAYED', 'LINKED', 'UNLINKED'] as const;

/** `AwsWitnessEsx.enum_state` values (the vSAN witness of a stretched cluster). */
export const WITNESS_STATES = ['DEPLOYING', 'PROVISIONED', 'DELETING', 'READY', 'FAILED'] as const;

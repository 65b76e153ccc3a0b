/**
 * The collector registry: every collector the exporter has, in output order. Adding a
 * collector is one file in this folder and one line here.
 */
import type { CollectorDefinition } from '../collector.js';
import { apiTokenCollector } from './api-token.js';
import { awsLinkCollector } from './aws-link.js';
import { edrsCollector } from './edrs.js';
import { maintenanceCollector } from './maintenance.js';
import { orgsCollector } from './orgs.js';
import { sddcsCollector } from './sddcs.js';
import { subscriptionsCollector } from './subscriptions.js';
import { tasksCollector } from './tasks.js';

/** Every collector, in output order. */
export const COLLECTORS: readonly CollectorDefinition[] = [
  sddcsCollector,
  orgsCollector,
  maintenanceCollector,
  tasksCollector,
  subscriptionsCollector,
  edrsCollector,
  awsLinkCollector,
  apiTokenCollector,
];

/** The collector behind `vmc_up{org_id}`: the org's SDDC list. */
export const PRIMARY_COLLECTOR = 'sddcs';

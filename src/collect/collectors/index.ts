/**
 * The collector registry: every collector the exporter has, in output order. Adding a
 * collector is one file in this folder and one line here.
 */
import type { CollectorDefinition } from '../collector.js';
import { orgsCollector } from './orgs.js';
import { sddcsCollector } from './sddcs.js';

/** Every collector, in output order. */
export const COLLECTORS: readonly CollectorDefinition[] = [
  sddcsCollector,
  orgsCollector,
];

/** The collector behind `vmc_up{org_id}`: the org's SDDC list. */
export const PRIMARY_COLLECTOR = 'sddcs';

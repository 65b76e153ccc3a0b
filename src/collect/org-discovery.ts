import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { Org } from '../vmc/types.js';

/** How often the org list is fetched again when orgs are discovered. */
export const ORG_LIST_TTL_MS = 10 * 60_000;

/** Where the orgs to collect come from. */
export interface OrgSource {
  /**
   * Resolves with the org ids to collect, or undefined when they are not known (the org
   * list could not be fetched and none was fetched before).
   */
  orgIds(): Promise<readonly string[] | undefined>;
  /**
   * The org ids as known now, without fetching (the same array until the list changes);
   * undefined before the list was first fetched.
   */
  current(): readonly string[] | undefined;
  /** True while the last attempt to list orgs failed (`vmc_up{org_id=""}`). */
  readonly failing: boolean;
  /**
   * The org as the org list shows it, when the orgs come from a list (discovery); undefined
   * for configured orgs and for orgs the list does not have.
   */
  listed?(orgId: string): Org | undefined;
}

/** A fixed list from `--vmc.org` / `VMC_ORG_IDS`. */
export class StaticOrgs implements OrgSource {
  readonly failing = false;
  readonly #ids: readonly string[];

  /** @param ids - configured org ids */
  constructor(ids: readonly string[]) {
    this.#ids = [...ids];
  }

  /** The configured ids. */
  orgIds(): Promise<readonly string[]> {
    return Promise.resolve(this.#ids);
  }

  /** The configured ids. */
  current(): readonly string[] {
    return this.#ids;
  }
}

/** `project_state` of an org that has been deleted: not collected. */
const DELETED = 'DELETED';

/**
 * Orgs from `GET /vmc/api/orgs`, fetched again every {@link ORG_LIST_TTL_MS}; a failure
 * keeps the previous list (and is retried on the next scrape). Orgs whose `project_state`
 * is `DELETED` are left out. The listed orgs are kept whole ({@link DiscoveredOrgs.listed}),
 * so their names need no call of their own.
 */
export class DiscoveredOrgs implements OrgSource {
  readonly #list: () => Promise<Org[]>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #ids: readonly string[] | undefined;
  #orgs = new Map<string, Org>();
  #at = 0;
  #inflight: Promise<void> | undefined;
  #failing = false;

  /**
   * @param list - fetches the org list
   * @param clock - time source
   * @param logger - logs failures on change
   */
  constructor(list: () => Promise<Org[]>, clock: Clock, logger: Logger) {
    this.#list = list;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** True while the last attempt failed. */
  get failing(): boolean {
    return this.#failing;
  }

  /** The org ids of the last successful listing. */
  current(): readonly string[] | undefined {
    return this.#ids;
  }

  /** The known org ids, refreshing them first when due. */
  async orgIds(): Promise<readonly string[] | undefined> {
    if (this.#ids === undefined || this.#failing || this.#clock.now() - this.#at >= ORG_LIST_TTL_MS) {
      this.#inflight ??= this.#refresh().finally(() => {
        this.#inflight = undefined;
      });
      await this.#inflight;
    }
    return this.#ids;
  }

  /** The org as last listed (undefined when it is not in the list). */
  listed(orgId: string): Org | undefined {
    return this.#orgs.get(orgId);
  }

  async #refresh(): Promise<void> {
    try {
      const all = await this.#list();
      const orgs = all.filter((o) => o.projectState !== DELETED);
      const ids = orgs.map((o) => o.id);
      if (this.#ids?.join() !== ids.join()) {
        const deleted = all.filter((o) => o.projectState === DELETED).map((o) => o.id);
        this.#logger.info({ orgs: ids, ...(deleted.length > 0 ? { deleted_orgs_skipped: deleted } : {}) }, 'discovered orgs');
      }
      this.#ids = ids;
      this.#orgs = new Map(orgs.map((o) => [o.id, o]));
      this.#at = this.#clock.now();
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) this.#logger.warn({ err }, 'listing orgs failed');
      this.#failing = true;
    }
  }
}

/**
 * Request counters of the simulator, for tests and benchmarks that assert how often the
 * exporter talks to CSP and VMC.
 */

/** A plain-JSON copy of the counters (what `GET /_sim/stats` returns). */
export interface SimulatorStatsSnapshot {
  /** `POST /auth/token` requests by requested `orgId` (`''` when none was sent). */
  readonly tokenRequests: Readonly<Record<string, number>>;
  /** `POST /auth/api-tokens/authorize` requests. */
  readonly apiTokenRequests: number;
  /** Access tokens issued (both flows). */
  readonly tokensIssued: number;
  /** `GET /vmc/api/orgs` requests. */
  readonly orgListRequests: number;
  /** `GET /vmc/api/orgs/{org}` requests by org. */
  readonly orgGetRequests: Readonly<Record<string, number>>;
  /** `GET /vmc/api/orgs/{org}/sddcs` requests by org. */
  readonly sddcListRequests: Readonly<Record<string, number>>;
  /** `GET /vmc/api/orgs/{org}/sddcs/{sddc}` requests by org. */
  readonly sddcGetRequests: Readonly<Record<string, number>>;
  /** `POST /vmc/api/orgs/{org}/tbrs/reservation` requests by org. */
  readonly maintenanceRequests: Readonly<Record<string, number>>;
  /** `GET /vmc/api/orgs/{org}/tasks` requests by org. */
  readonly taskRequests: Readonly<Record<string, number>>;
  /** `GET /vmc/api/orgs/{org}/subscriptions` requests by org. */
  readonly subscriptionRequests: Readonly<Record<string, number>>;
  /** `GET /vmc/autoscaler/api/orgs/{org}/sddcs/{sddc}/edrs-policy` requests by `org/sddc`. */
  readonly edrsRequests: Readonly<Record<string, number>>;
  /** `GET /vmc/api/orgs/{org}/account-link/sddc-connections` requests by org. */
  readonly awsLinkRequests: Readonly<Record<string, number>>;
  /** `POST /auth/api-tokens/details` requests. */
  readonly apiTokenDetailsRequests: number;
  /** Requests routed to any simulated endpoint (CSP or VMC), whatever the answer. */
  readonly routedRequests: number;
  /** Requests a fault was applied to. */
  readonly faultsApplied: number;
  /** Requests answered 404 because no route matched. */
  readonly unknownRequests: number;
  /**
   * Every distinct `METHOD /path` (query left out) the simulator received outside `/_sim/`,
   * routed or not, in order of first arrival; at most {@link REQUEST_LOG_LIMIT} entries.
   */
  readonly requestLog: readonly string[];
}

/** Most distinct request lines {@link SimulatorStats.requestLog} keeps. */
export const REQUEST_LOG_LIMIT = 20_000;

/**
 * Live counters. Every request to an endpoint is counted when it arrives, whatever the
 * answer (errors and faults included). Fields are updated by the simulator; callers read
 * them and may {@link SimulatorStats.reset} them.
 */
export class SimulatorStats implements SimulatorStatsSnapshot {
  /** See {@link SimulatorStatsSnapshot.tokenRequests}. */
  readonly tokenRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.apiTokenRequests}. */
  apiTokenRequests = 0;
  /** See {@link SimulatorStatsSnapshot.tokensIssued}. */
  tokensIssued = 0;
  /** See {@link SimulatorStatsSnapshot.orgListRequests}. */
  orgListRequests = 0;
  /** See {@link SimulatorStatsSnapshot.orgGetRequests}. */
  readonly orgGetRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.sddcListRequests}. */
  readonly sddcListRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.sddcGetRequests}. */
  readonly sddcGetRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.maintenanceRequests}. */
  readonly maintenanceRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.taskRequests}. */
  readonly taskRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.subscriptionRequests}. */
  readonly subscriptionRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.edrsRequests}. */
  readonly edrsRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.awsLinkRequests}. */
  readonly awsLinkRequests: Record<string, number> = {};
  /** See {@link SimulatorStatsSnapshot.apiTokenDetailsRequests}. */
  apiTokenDetailsRequests = 0;
  /** See {@link SimulatorStatsSnapshot.routedRequests}. */
  routedRequests = 0;
  /** See {@link SimulatorStatsSnapshot.faultsApplied}. */
  faultsApplied = 0;
  /** See {@link SimulatorStatsSnapshot.unknownRequests}. */
  unknownRequests = 0;
  readonly #log = new Set<string>();

  /** See {@link SimulatorStatsSnapshot.requestLog}. */
  get requestLog(): readonly string[] {
    return [...this.#log];
  }

  /** Records one request line (`METHOD /path`) in {@link SimulatorStats.requestLog}. */
  logRequest(method: string, path: string): void {
    if (this.#log.size < REQUEST_LOG_LIMIT) this.#log.add(`${method} ${path}`);
  }

  /** Total `GET /vmc/api/orgs/{org}/sddcs` requests over all orgs. */
  get sddcListTotal(): number {
    return Object.values(this.sddcListRequests).reduce((a, b) => a + b, 0);
  }

  /** Total `POST /auth/token` requests over all org keys. */
  get tokenRequestTotal(): number {
    return Object.values(this.tokenRequests).reduce((a, b) => a + b, 0);
  }

  /** Sets every counter back to zero (in place). */
  reset(): void {
    const maps = [
      this.tokenRequests,
      this.orgGetRequests,
      this.sddcListRequests,
      this.sddcGetRequests,
      this.maintenanceRequests,
      this.taskRequests,
      this.subscriptionRequests,
      this.edrsRequests,
      this.awsLinkRequests,
    ];
    for (const map of maps) for (const key of Object.keys(map)) delete map[key];
    this.#log.clear();
    this.apiTokenDetailsRequests = 0;
    this.routedRequests = 0;
    this.apiTokenRequests = 0;
    this.tokensIssued = 0;
    this.orgListRequests = 0;
    this.faultsApplied = 0;
    this.unknownRequests = 0;
  }

  /** A plain copy of the counters. */
  toJSON(): SimulatorStatsSnapshot {
    return {
      tokenRequests: { ...this.tokenRequests },
      apiTokenRequests: this.apiTokenRequests,
      tokensIssued: this.tokensIssued,
      orgListRequests: this.orgListRequests,
      orgGetRequests: { ...this.orgGetRequests },
      sddcListRequests: { ...this.sddcListRequests },
      sddcGetRequests: { ...this.sddcGetRequests },
      maintenanceRequests: { ...this.maintenanceRequests },
      taskRequests: { ...this.taskRequests },
      subscriptionRequests: { ...this.subscriptionRequests },
      edrsRequests: { ...this.edrsRequests },
      awsLinkRequests: { ...this.awsLinkRequests },
      apiTokenDetailsRequests: this.apiTokenDetailsRequests,
      routedRequests: this.routedRequests,
      faultsApplied: this.faultsApplied,
      unknownRequests: this.unknownRequests,
      requestLog: this.requestLog,
    };
  }
}

/** Adds one to `map[key]`. */
export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

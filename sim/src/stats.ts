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
  /** Requests a fault was applied to. */
  readonly faultsApplied: number;
  /** Requests answered 404 because no route matched. */
  readonly unknownRequests: number;
}

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
  /** See {@link SimulatorStatsSnapshot.faultsApplied}. */
  faultsApplied = 0;
  /** See {@link SimulatorStatsSnapshot.unknownRequests}. */
  unknownRequests = 0;

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
    for (const map of [this.tokenRequests, this.orgGetRequests, this.sddcListRequests, this.sddcGetRequests]) {
      for (const key of Object.keys(map)) delete map[key];
    }
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
      faultsApplied: this.faultsApplied,
      unknownRequests: this.unknownRequests,
    };
  }
}

/** Adds one to `map[key]`. */
export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/**
 * The entry the exporter's `--demo` mode loads: the simulator with the demo estate and its
 * movement on, reduced to what a client of it needs (where it listens, which orgs it serves,
 * the OAuth app that may log in).
 */
import { startSimulator } from './server.js';

/** A running demo simulator. */
export interface DemoSimulator {
  /** Base URL serving both the CSP and the VMC paths, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Org ids of the demo estate, home org first. */
  readonly orgIds: readonly string[];
  /** The OAuth app the simulator accepts. */
  readonly credentials: { readonly clientId: string; readonly clientSecret: string };
  /** Stops the simulator, closing open connections. */
  close(): Promise<void>;
}

/** Starts the simulator on a free loopback port with the demo estate and movement on. */
export async function startDemoSimulator(): Promise<DemoSimulator> {
  const sim = await startSimulator({ movement: true });
  const { clientId, clientSecret } = sim.credentials;
  return {
    url: sim.url,
    get orgIds() {
      return sim.orgIds;
    },
    credentials: { clientId, clientSecret },
    close: () => sim.close(),
  };
}

/**
 * Demo mode's access to the simulator. The simulator is a separate part, built to
 * `sim/dist/`; it is loaded here with a dynamic import of a computed URL, so neither tsc nor
 * the production import graph ever reaches it: only `--demo` loads it.
 */
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { Config, ConfigWithoutAuth } from './config/config.js';
import { ExporterError } from './lib/errors.js';
import type { SecretRegistry } from './lib/secrets.js';
import { createDispatcher } from './upstream/dispatcher.js';

/** A running demo simulator: the shape `sim/src/demo.ts` returns. */
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

/**
 * Where the built simulator's demo entry lies: `<repo>/sim/dist/demo.js`, seen from
 * `dist/demo.js` (and from `src/demo.ts` when run from source).
 */
export const DEMO_MODULE_URL = new URL('../sim/dist/demo.js', import.meta.url).href;

/** The simulator could not be loaded (not built, or not the expected module). */
export class DemoUnavailableError extends ExporterError {
  /** @param message - one line naming the module and what to do */
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEMO_UNAVAILABLE', message, options);
  }
}

/**
 * Loads the simulator's demo entry and starts it (demo estate, movement on, a free loopback
 * port).
 *
 * @param moduleUrl - the module to load. @default {@link DEMO_MODULE_URL}
 * @throws DemoUnavailableError when the module is missing or has no `startDemoSimulator`
 */
export async function loadDemoSimulator(moduleUrl: string = DEMO_MODULE_URL): Promise<DemoSimulator> {
  const where = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  let mod: { startDemoSimulator?: unknown };
  try {
    mod = (await import(moduleUrl)) as { startDemoSimulator?: unknown };
  } catch (err) {
    const notFound = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    const reason = notFound ? 'is not built' : `cannot be loaded (${firstLine(err)})`;
    throw new DemoUnavailableError(`--demo: the simulator ${where} ${reason}; run \`npm run build\``, { cause: err });
  }
  if (typeof mod.startDemoSimulator !== 'function') {
    throw new DemoUnavailableError(`--demo: ${where} exports no startDemoSimulator function; run \`npm run build\``);
  }
  return (mod.startDemoSimulator as () => Promise<DemoSimulator>)();
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** A demo ready to run: the configuration pointing at the simulator, and how to stop it. */
export interface Demo {
  /** An ordinary configuration whose URLs and credentials are the simulator's. */
  readonly config: Config;
  /** A dispatcher that never goes through a proxy (the simulator is on loopback). */
  readonly dispatcher: Dispatcher;
  /** Stops the simulator. */
  close(): Promise<void>;
}

/**
 * Starts the simulator and completes `settings` with its URL, its OAuth app and, when no
 * `--vmc.org` was given (and discovery is not turned off), its orgs. The exporter then runs exactly as in production.
 *
 * @param settings - the parsed configuration without credentials
 * @param secrets - the simulator's client secret is registered for scrubbing
 * @param logger - says where the simulator listens
 */
export async function startDemo(settings: ConfigWithoutAuth, secrets: SecretRegistry, logger: Logger): Promise<Demo> {
  const sim = await loadDemoSimulator();
  const { clientId, clientSecret } = sim.credentials;
  secrets.add(clientSecret);
  const orgs = settings.orgs.length > 0 || !settings.discover ? settings.orgs : sim.orgIds;
  const config: Config = Object.freeze({
    ...settings,
    cspUrl: sim.url,
    vmcUrl: sim.url,
    orgs: Object.freeze([...orgs]),
    auth: { kind: 'oauth' as const, clientId, readSecret: () => Promise.resolve(clientSecret), secretSource: 'the built-in simulator' },
  });
  logger.info({ simulator: sim.url, orgs }, 'demo mode: scraping the built-in simulator');
  return { config, dispatcher: createDispatcher({}, true), close: () => sim.close() };
}

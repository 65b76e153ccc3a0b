/**
 * Command-line entry of the simulator, for tests and tools that run it in another process:
 *
 *   node sim/dist/cli.js [--listen 127.0.0.1:0] [--estate demo|generated]
 *     [--orgs 10 --sddcs 200 --hosts 16 --clusters 2 --seed 1]
 *     [--latency-ms 0] [--token-ttl 1799] [--movement]
 *
 * Credentials come from `SIM_CLIENT_ID`, `SIM_CLIENT_SECRET`, `SIM_API_TOKEN` (random when
 * unset). Once listening it prints exactly one JSON line on stdout:
 * `{"url":…,"clientId":…,"clientSecret":…,"apiToken":…,"orgs":[<org ids>]}`, then serves
 * until SIGTERM/SIGINT, closes and exits 0. Bad input: one line on stderr, exit 2.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { demoEstate } from './demo-estate.js';
import { GENERATED_DEFAULTS, generateEstate } from './generate-estate.js';
import { type Simulator, type SimulatorOptions, startSimulator } from './server.js';
import { systemClock } from './clock.js';

/** The usage text printed by `--help`. */
export const USAGE = `Usage: vmc-sim [options]

Simulates the CSP token and VMC org/SDDC APIs on one loopback HTTP server.

Options:
  --listen HOST:PORT    address to listen on (default 127.0.0.1:0 = a free port)
  --estate demo|generated
                        demo: 3 orgs, 11 hand-made SDDCs (default); generated: synthetic
  --orgs N              generated estate: orgs (default ${GENERATED_DEFAULTS.orgs})
  --sddcs N             generated estate: SDDCs per org (default ${GENERATED_DEFAULTS.sddcsPerOrg})
  --hosts N             generated estate: hosts per SDDC (default ${GENERATED_DEFAULTS.hostsPerSddc})
  --clusters N          generated estate: clusters per SDDC (default ${GENERATED_DEFAULTS.clustersPerSddc})
  --seed N              generated estate: seed (default ${GENERATED_DEFAULTS.seed})
  --latency-ms MS       delay added to every VMC answer (default 0)
  --token-ttl SECONDS   expires_in of access tokens (default 1799)
  --movement            let the demo estate's states change over a 10-minute cycle
  -h, --help            show this help

Environment: SIM_CLIENT_ID, SIM_CLIENT_SECRET, SIM_API_TOKEN (random when unset).
Prints one JSON line {"url","clientId","clientSecret","apiToken","orgs"} once listening;
stops on SIGTERM or SIGINT.`;

/** What {@link main} needs from its surroundings; tests inject their own. */
export interface CliIo {
  /** Environment for the SIM_* credentials. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Writes one line to stdout. @default process.stdout */
  readonly out?: (line: string) => void;
  /** Writes one line to stderr. @default process.stderr */
  readonly err?: (line: string) => void;
  /** Resolves when the simulator should stop. @default first SIGTERM or SIGINT */
  readonly waitForStop?: (sim: Simulator) => Promise<void>;
}

/** Raised for bad command-line input; `main` turns it into exit status 2. */
class UsageError extends Error {}

function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${raw}`);
  return n;
}

/** Parses `HOST:PORT` or `[IPv6]:PORT`. */
function parseListen(raw: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(raw);
  const host = m?.[1] ?? m?.[2];
  if (m === null || host === undefined) throw new UsageError(`--listen must be HOST:PORT, got ${JSON.stringify(raw)}`);
  const port = integer('listen port', m[3], 0, 65535) ?? 0;
  return { host, port };
}

/** Turns argv into simulator options. Throws {@link UsageError}. */
function parse(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): SimulatorOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        estate: { type: 'string' },
        orgs: { type: 'string' },
        sddcs: { type: 'string' },
        hosts: { type: 'string' },
        clusters: { type: 'string' },
        seed: { type: 'string' },
        'latency-ms': { type: 'string' },
        'token-ttl': { type: 'string' },
        movement: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help === true) return 'help';
  const { host, port } = parseListen(values.listen ?? '127.0.0.1:0');
  const kind = values.estate ?? 'demo';
  if (kind !== 'demo' && kind !== 'generated') throw new UsageError(`--estate must be demo or generated, got ${JSON.stringify(kind)}`);
  const sizes = {
    orgs: integer('orgs', values.orgs, 1, 10_000),
    sddcsPerOrg: integer('sddcs', values.sddcs, 0, 100_000),
    hostsPerSddc: integer('hosts', values.hosts, 0, 10_000),
    clustersPerSddc: integer('clusters', values.clusters, 1, 1_000),
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1),
  };
  if (kind === 'demo') {
    const given = Object.entries(sizes).find(([, v]) => v !== undefined);
    if (given) throw new UsageError('--orgs, --sddcs, --hosts, --clusters and --seed need --estate generated');
  }
  const clock = systemClock;
  const estate =
    kind === 'demo'
      ? demoEstate(clock)
      : generateEstate(Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined)));
  const latencyMs = integer('latency-ms', values['latency-ms'], 0, 600_000);
  const ttl = integer('token-ttl', values['token-ttl'], 1, 31_536_000);
  const cred = (name: string) => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const clientId = cred('SIM_CLIENT_ID');
  const clientSecret = cred('SIM_CLIENT_SECRET');
  const apiToken = cred('SIM_API_TOKEN');
  return {
    host,
    port,
    clock,
    estate,
    movement: values.movement === true,
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(ttl === undefined ? {} : { tokenTtlSeconds: ttl }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(apiToken === undefined ? {} : { apiToken }),
  };
}

/** Resolves on the first SIGTERM or SIGINT. */
function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/**
 * Runs the simulator CLI and resolves with the exit status: 0 after a clean stop, 2 for
 * bad input, 1 when it could not start (e.g. the port is taken).
 *
 * @param argv - arguments after the script name
 * @param io - environment, output and stop signal (defaults: the process's)
 */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let options: SimulatorOptions | 'help';
  try {
    options = parse(argv, io.env ?? process.env);
  } catch (e) {
    if (!(e instanceof UsageError || e instanceof RangeError)) throw e;
    err(`vmc-sim: ${e.message} (see --help)`);
    return 2;
  }
  if (options === 'help') {
    out(USAGE);
    return 0;
  }
  let sim: Simulator;
  try {
    sim = await startSimulator(options);
  } catch (e) {
    err(`vmc-sim: cannot listen on ${options.host}:${options.port}: ${(e as Error).message}`);
    return 1;
  }
  const stopped = (io.waitForStop ?? signalled)(sim);
  out(
    JSON.stringify({
      url: sim.url,
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
      apiToken: sim.credentials.apiToken,
      orgs: sim.orgIds,
    }),
  );
  await stopped;
  await sim.close();
  return 0;
}

/** True when this module is the process entry point. */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`vmc-sim: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * {@link WebConfigSource}: a web configuration that follows its files on disk. It compares
 * stat signatures (inode, size, mtime, ctime) of the config file and every certificate, key
 * and CA file it names, reloads when one changed, and keeps the last good configuration when
 * a reload fails.
 */
import { stat as fsStat } from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../lib/clock.js';
import { ConfigError } from '../lib/errors.js';
import { loadTracking, loadWebConfig, readWebFile } from './load.js';
import type { ReadFileFn, StatFn, WebConfig, WebLogger } from './types.js';

/** Options of {@link WebConfigSource.open}. */
export interface WebConfigSourceOptions {
  /** File reader. @default {@link readWebFile} */
  readonly readFile?: ReadFileFn;
  /** File stat. @default fs.promises.stat */
  readonly stat?: StatFn;
  /** Time source for the check interval. @default systemClock */
  readonly clock?: Clock;
  /** Minimum time between two looks at the files' stat data. @default 1000 */
  readonly checkIntervalMs?: number;
  /** Where failed reloads are reported (once per distinct problem). */
  readonly logger?: WebLogger;
}

/** Called with the new and the previous configuration after a successful reload. */
export type WebConfigListener = (next: WebConfig, previous: WebConfig) => void;

/**
 * A web configuration that follows the files on disk.
 *
 * {@link poll} looks at the stat data (inode, size, mtime, ctime) of the config file and of
 * every certificate, key and CA file it names, at most once per `checkIntervalMs`. When
 * anything changed it reloads with {@link loadWebConfig}; a reload that fails (for example
 * a certificate renewed but its key not yet written) keeps the last good configuration,
 * logs one warning per distinct problem and is retried on later polls. Switching TLS on or
 * off needs a restart and is refused the same way.
 */
export class WebConfigSource {
  readonly #path: string;
  readonly #readFile: ReadFileFn;
  readonly #stat: StatFn;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #logger: WebLogger | undefined;
  readonly #listeners: WebConfigListener[] = [];
  #current: WebConfig;
  /** Stat signature the current configuration was loaded from, per path. */
  #signature: Map<string, string>;
  /** Paths named by the last attempted load, when it failed after the YAML was understood. */
  #attemptedFiles: readonly string[] = [];
  #healthy = true;
  #lastWarning: string | undefined;
  #lastCheck: number;
  #inFlight: Promise<void> | undefined;

  private constructor(
    file: string,
    initial: WebConfig,
    signature: Map<string, string>,
    deps: Required<Omit<WebConfigSourceOptions, 'logger'>> & { logger: WebLogger | undefined },
  ) {
    this.#path = file;
    this.#current = initial;
    this.#signature = signature;
    this.#readFile = deps.readFile;
    this.#stat = deps.stat;
    this.#clock = deps.clock;
    this.#intervalMs = deps.checkIntervalMs;
    this.#logger = deps.logger;
    this.#lastCheck = deps.clock.now();
  }

  /**
   * Loads the file once; a broken file here is fatal.
   *
   * @param file - the `--web.config.file` value
   * @param options - injected dependencies and the check interval
   * @throws ConfigError - as {@link loadWebConfig}
   */
  static async open(file: string, options: WebConfigSourceOptions = {}): Promise<WebConfigSource> {
    const deps = {
      readFile: options.readFile ?? readWebFile,
      stat: options.stat ?? fsStat,
      clock: options.clock ?? systemClock,
      checkIntervalMs: options.checkIntervalMs ?? 1000,
      logger: options.logger,
    };
    const before = await statAll(deps.stat, [path.resolve(file)]);
    const config = await loadWebConfig(file, deps.readFile);
    return new WebConfigSource(file, config, withUnknown(before, config.files), deps);
  }

  /** The config file path as given. */
  get path(): string {
    return this.#path;
  }

  /** The last good configuration. No I/O. */
  current(): WebConfig {
    return this.#current;
  }

  /**
   * Registers a listener for successful reloads. Listener exceptions are logged, not thrown.
   *
   * @param listener - receives the new and the previous configuration
   */
  onReload(listener: WebConfigListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Checks the files now, whatever the check interval (SIGHUP), or joins a check in progress.
   * Never rejects.
   */
  reload(): Promise<void> {
    this.#lastCheck = Number.NEGATIVE_INFINITY;
    return this.poll() ?? Promise.resolve();
  }

  /**
   * Checks the files if the check interval has passed (or joins a check in progress).
   *
   * @returns undefined when no check is due (callers can continue synchronously), else a
   *   promise that settles, never rejecting, once {@link current} reflects the files.
   */
  poll(): Promise<void> | undefined {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const now = this.#clock.now();
    if (now - this.#lastCheck < this.#intervalMs) return undefined;
    this.#lastCheck = now;
    this.#inFlight = this.#check()
      .catch((err: unknown) => this.#warn(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #check(): Promise<void> {
    const paths = new Set<string>([...this.#current.files, ...this.#attemptedFiles]);
    const signature = await statAll(this.#stat, [...paths]);
    if (this.#healthy && sameSignature(signature, this.#signature)) return;

    let attempted: string[] = [];
    let next: WebConfig;
    try {
      next = await loadTracking(this.#path, this.#readFile, (files) => {
        attempted = files;
      });
      if (next.empty && !this.#current.empty) {
        // An editor or a deploy tool writing the file may leave it empty for a moment; a
        // configuration is turned off only by a file that says so.
        throw new ConfigError(
          `--web.config.file ${this.#path}: the file is empty; to turn TLS or basic auth off, write a file without those sections (for example "basic_auth_users: {}")`,
        );
      }
      if ((next.tls === undefined) !== (this.#current.tls === undefined)) {
        throw new ConfigError(
          `--web.config.file ${this.#path}: tls_server_config: switching between HTTP and HTTPS needs a restart`,
        );
      }
    } catch (err) {
      this.#healthy = false;
      this.#attemptedFiles = attempted;
      this.#warn(err instanceof Error ? err.message : String(err));
      return;
    }

    const previous = this.#current;
    const previousSignature = this.#signature;
    this.#current = next;
    this.#signature = withUnknown(signature, next.files);
    this.#attemptedFiles = [];
    this.#healthy = true;
    this.#lastWarning = undefined;
    // The first reload after start-up only replaces "unknown" signatures; stay quiet.
    if (![...previousSignature.values()].includes('unknown')) {
      this.#logger?.info?.(
        {
          file: this.#path,
          certificateSerial: next.tls?.certificate.serialNumber,
          certificateNotAfter: next.tls?.certificate.validTo,
          users: next.users?.size ?? 0,
        },
        'web config reloaded',
      );
    }
    for (const listener of this.#listeners) {
      try {
        listener(next, previous);
      } catch (err) {
        this.#warn(`--web.config.file ${this.#path}: applying the reloaded configuration failed: ${String(err)}`);
      }
    }
  }

  #warn(message: string): void {
    if (message === this.#lastWarning) return;
    this.#lastWarning = message;
    this.#logger?.warn({ file: this.#path, err: message }, 'web config reload failed; keeping the last good configuration');
  }
}

async function statAll(stat: StatFn, paths: readonly string[]): Promise<Map<string, string>> {
  const entries = await Promise.all(
    paths.map(async (p): Promise<[string, string]> => {
      try {
        const s = await stat(p);
        return [p, `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`];
      } catch (err) {
        return [p, `error:${(err as NodeJS.ErrnoException | undefined)?.code ?? '?'}`];
      }
    }),
  );
  return new Map(entries);
}

/**
 * Files a load read without a stat taken beforehand get an "unknown" signature, so the next
 * due poll reloads once more instead of trusting a stat taken after the read.
 */
function withUnknown(signature: Map<string, string>, files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) out.set(f, signature.get(f) ?? 'unknown');
  return out;
}

function sameSignature(now: Map<string, string>, then: Map<string, string>): boolean {
  for (const [p, sig] of then) if (now.get(p) !== sig) return false;
  return true;
}

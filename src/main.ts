#!/usr/bin/env node
/**
 * Entry point: parse the command line, start the exporter (for `--demo`, against the
 * simulator), stop it on SIGTERM/SIGINT. A bad configuration is one line on stderr and exit
 * code 2, before anything listens.
 */
import { COLLECTORS } from './collect/collectors/index.js';
import type { Config } from './config/config.js';
import { formatListenAddress } from './config/listen-address.js';
import { parseCommandLine } from './config/parse-config.js';
import { ConfigError } from './lib/errors.js';
import { createLogger } from './lib/logger.js';
import { SecretRegistry } from './lib/secrets.js';
import { startExporter, type Exporter } from './run.js';
import { VERSION } from './version.js';

/** Runs the exporter until a signal; resolves with the process exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let parsed;
  try {
    parsed = await parseCommandLine(argv, env, { version: VERSION, collectors: COLLECTORS });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vmc-exporter: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.action === 'print') {
    process.stdout.write(parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`);
    return 0;
  }
  const secrets = new SecretRegistry();
  const logger = createLogger(parsed.config.logLevel, secrets);
  const stops: Array<() => Promise<void>> = [];
  let exporter: Exporter;
  let config: Config = parsed.action === 'run' ? parsed.config : (parsed.config as Config);
  try {
    if (parsed.action === 'demo') {
      const { startDemo } = await import('./demo.js');
      const demo = await startDemo(parsed.config, secrets, logger);
      config = demo.config;
      stops.push(demo.close);
      exporter = await startExporter(config, { logger, secrets, version: VERSION, dispatcher: demo.dispatcher });
    } else {
      exporter = await startExporter(config, { logger, secrets, version: VERSION });
    }
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    process.stderr.write(`vmc-exporter: ${secrets.scrub(startupFailure(err, config))}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 'reading the web config file again');
    void exporter.reloadWebConfig().then((had) => {
      if (!had) logger.info({ signal: 'SIGHUP' }, 'no --web.config.file to read');
    });
  });
  process.on('SIGUSR2', () => logger.info({ signal: 'SIGUSR2' }, 'signal ignored'));
  process.on('SIGUSR1', () => logger.warn({ signal: 'SIGUSR1' }, 'signal ignored: the inspector is not opened on a signal'));
  process.off('SIGUSR1', ignoreSigusr1);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down');
  await exporter.close();
  for (const stop of stops) await stop();
  logger.info('stopped');
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return 0;
}

const LISTEN_REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this host',
};

/** One line for a failed start, naming the flag where one is to blame. */
function startupFailure(err: unknown, config: Config): string {
  if (err instanceof ConfigError) return err.message;
  const e = err as NodeJS.ErrnoException;
  const reason = e.code ? LISTEN_REASONS[e.code] : undefined;
  if (reason && e.syscall === 'listen') return `--web.listen-address: cannot listen on ${formatListenAddress(config.listen)}: ${reason}`;
  return `cannot start: ${e.message ?? String(e)}`;
}

/**
 * A SIGUSR1 listener keeps Node from opening its inspector on that signal, from which any
 * local user could read the secrets in memory. Installed before anything else runs; once
 * the logger exists, the warning goes to the log.
 */
const ignoreSigusr1 = (): void => void process.stderr.write('vmc-exporter: SIGUSR1 ignored (the inspector is not opened on a signal)\n');
process.on('SIGUSR1', ignoreSigusr1);

main(process.argv.slice(2), process.env).then(
  (code) => {
    // Exit now: background work abandoned at shutdown must not hold the process.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`vmc-exporter: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

#!/usr/bin/env node
/**
 * Entry point: parse the command line, start the exporter, stop it on SIGTERM/SIGINT.
 * A bad configuration is one line on stderr and exit code 2, before anything listens.
 */
import { parseCommandLine } from './config/parse-config.js';
import { ConfigError } from './lib/errors.js';
import { createLogger } from './lib/logger.js';
import { SecretRegistry } from './lib/secrets.js';
import { startExporter } from './run.js';
import { VERSION } from './version.js';

/** Runs the exporter until a signal; resolves with the process exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let parsed;
  try {
    parsed = await parseCommandLine(argv, env, { version: VERSION });
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
  const { config } = parsed;
  const secrets = new SecretRegistry();
  const logger = createLogger(config.logLevel, secrets);
  let exporter;
  try {
    exporter = await startExporter(config, { logger, secrets, version: VERSION });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vmc-exporter: ${secrets.scrub(err.message)}\n`);
      return 2;
    }
    const e = err as NodeJS.ErrnoException;
    const listenReasons: Record<string, string> = { EADDRINUSE: 'address already in use', EACCES: 'permission denied', EADDRNOTAVAIL: 'address not available on this host' };
    const reason = e.code ? listenReasons[e.code] : undefined;
    const line = reason && e.syscall === 'listen' ? `--web.listen-address: cannot listen on ${argvListen(argv)}: ${reason}` : `cannot start: ${e.message ?? String(e)}`;
    process.stderr.write(`vmc-exporter: ${secrets.scrub(line)}\n`);
    return 1;
  }
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down');
  await exporter.close();
  logger.info('stopped');
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return 0;
}

/** The listen address as given on the command line, for messages. */
function argvListen(argv: readonly string[]): string {
  const flag = argv.find((a) => a.startsWith('--web.listen-address='));
  return flag ? flag.slice('--web.listen-address='.length) : ':10040';
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    // Exit now: background work (a collection abandoned at shutdown) must not hold the process.
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`vmc-exporter: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);

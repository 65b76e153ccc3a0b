#!/usr/bin/env node
/**
 * Entry point: parse the command line, then serve metrics (for `--demo`, against the
 * simulator) until SIGTERM/SIGINT, run `check` once, or run `healthcheck`. A bad
 * configuration is one line on stderr and exit code 2, before anything listens (the
 * healthcheck exits 1 instead: Docker reserves 2). Each command's module is loaded only
 * when it runs, so the healthcheck starts quickly.
 */
import { pino } from 'pino';
import { COLLECTORS } from './collect/collectors/index.js';
import type { Config } from './config/config.js';
import { parseCommandLine, type CommandLine } from './config/parse-config.js';
import { ConfigError, ExporterError } from './lib/errors.js';
import { createLogger } from './lib/logger.js';
import { SecretRegistry } from './lib/secrets.js';
import type { Exporter } from './run.js';
import { BUILD_INFO, VERSION } from './version.js';

/** Runs the command line; resolves with the process exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const healthcheck = argv[0] === 'healthcheck';
  let parsed: CommandLine;
  try {
    parsed = await parseCommandLine(argv, env, { version: BUILD_INFO, collectors: COLLECTORS });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vmc-exporter${healthcheck ? ' healthcheck' : ''}: ${err.message}\n`);
      return healthcheck ? 1 : 2;
    }
    throw err;
  }
  if (parsed.action === 'print') {
    process.stdout.write(parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`);
    return 0;
  }
  if (parsed.action === 'healthcheck') {
    const { healthcheckTarget, runHealthcheck } = await import('./healthcheck/index.js');
    try {
      const result = await runHealthcheck(await healthcheckTarget(parsed.config, parsed.flagsGiven));
      (result.ok ? process.stdout : process.stderr).write(`${result.ok ? '' : 'vmc-exporter healthcheck: '}${result.line}\n`);
      return result.ok ? 0 : 1;
    } catch (err) {
      process.stderr.write(`vmc-exporter healthcheck: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }
  // Every org may hold a token (named, discovered or probed), the current one and the one before.
  const secrets = new SecretRegistry({ maxTokens: 2 * (parsed.config.orgs.length + parsed.config.probeMaxOrgs + 1) });
  // `check` prints its report on stdout; its log lines go to stderr, and only at debug or trace.
  const checking = parsed.command === 'check';
  const level = checking && !['debug', 'trace'].includes(parsed.config.logLevel) ? 'silent' : parsed.config.logLevel;
  const logger = createLogger(level, secrets, checking ? pino.destination({ fd: 2, sync: true }) : undefined, parsed.config.logFormat);
  const stops: Array<() => Promise<void>> = [];
  let config: Config;
  let dispatcher;
  try {
    if (parsed.action === 'demo') {
      const { startDemo } = await import('./demo.js');
      const demo = await startDemo(parsed.config, secrets, logger);
      config = demo.config;
      dispatcher = demo.dispatcher;
      stops.push(demo.close);
    } else {
      config = parsed.config;
    }
  } catch (err) {
    process.stderr.write(`vmc-exporter: ${secrets.scrub(startupFailure(err))}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  if (parsed.command === 'check') {
    const { runCheck } = await import('./check/index.js');
    try {
      const report = await runCheck(config, { secrets, logger, ...(dispatcher ? { dispatcher } : {}) });
      process.stdout.write(secrets.scrub(report.text));
      return report.ok ? 0 : 1;
    } finally {
      for (const stop of stops) await stop().catch(() => undefined);
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    }
  }
  // Signal handlers go in before the exporter listens: a signal sent as soon as it answers must
  // find them (SIGHUP's default would end the process).
  let exporter: Exporter | undefined;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('SIGHUP', () => {
    if (!exporter) {
      logger.info({ signal: 'SIGHUP' }, 'signal ignored: the exporter is still starting and reads the web config file as it starts');
      return;
    }
    logger.info({ signal: 'SIGHUP' }, 'reading the web config file again');
    void exporter.reloadWebConfig().then((had) => {
      if (!had) logger.info({ signal: 'SIGHUP' }, 'no --web.config.file to read');
    });
  });
  process.on('SIGUSR2', () => logger.info({ signal: 'SIGUSR2' }, 'signal ignored'));
  process.on('SIGUSR1', () => logger.warn({ signal: 'SIGUSR1' }, 'signal ignored: the inspector is not opened on a signal'));
  process.off('SIGUSR1', ignoreSigusr1);
  // A stop signal during startup is kept and acted on once the exporter is up.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  try {
    const { startExporter } = await import('./run.js');
    const { runtimeFilePath } = await import('./healthcheck/runtime-file.js');
    exporter = await startExporter(config, { logger, secrets, version: VERSION, build: BUILD_INFO, runtimeFile: runtimeFilePath(), ...(dispatcher ? { dispatcher } : {}) });
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    process.stderr.write(`vmc-exporter: ${secrets.scrub(startupFailure(err))}\n`);
    return err instanceof ConfigError ? 2 : 1;
  }
  const signal = await stopSignal;
  logger.info({ signal }, 'shutting down');
  await exporter.close();
  for (const stop of stops) await stop();
  logger.info('stopped');
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return 0;
}

/** One line for a failed start, naming the flag where one is to blame. */
function startupFailure(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof ExporterError && err.code === 'LISTEN') return err.message;
  return `cannot start: ${err instanceof Error ? err.message : String(err)}`;
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

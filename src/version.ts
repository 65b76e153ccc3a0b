import { readFileSync } from 'node:fs';
import type { BuildInfo } from './config/help.js';

function readJson(relative: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The exporter's version, from package.json (one level above both `src/` and `dist/`). */
export const VERSION: string = text(readJson('../package.json')?.['version']) ?? 'unknown';

/**
 * What `--version` and `vmc_exporter_build_info` report: the version, the git revision and
 * build date that `npm run build` records in `dist/build-info.json`
 * (`scripts/write-build-info.mjs`; `unknown` when run from source or built without git),
 * and the Node.js version and platform it runs on.
 */
export const BUILD_INFO: BuildInfo = (() => {
  const recorded = readJson('./build-info.json');
  return Object.freeze({
    version: VERSION,
    revision: text(recorded?.['revision']) ?? 'unknown',
    buildDate: text(recorded?.['buildDate']) ?? 'unknown',
    nodeVersion: process.version,
    platform: `${process.platform}/${process.arch}`,
  });
})();

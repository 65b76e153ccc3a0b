// Records the git revision and the build date in dist/build-info.json (read by src/version.ts
// for --version and vmc_exporter_build_info). Run by `npm run build` after tsc.
// The revision is VMC_EXPORTER_REVISION when set (a Docker build has no .git), else
// `git rev-parse HEAD`, else "unknown"; the date honours SOURCE_DATE_EPOCH (reproducible builds).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

function gitRevision() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const given = (process.env.VMC_EXPORTER_REVISION ?? '').trim();
const revision = /^[0-9A-Za-z._-]{1,64}$/.test(given) ? given : gitRevision() || 'unknown';
const epoch = Number(process.env.SOURCE_DATE_EPOCH);
const buildDate = new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString();
mkdirSync(new URL('../dist/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/build-info.json', import.meta.url), `${JSON.stringify({ revision, buildDate }, null, 2)}\n`);

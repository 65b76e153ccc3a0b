// Installs the npm dependencies (npm ci) when node_modules is missing or older than the
// lockfile, so `npm run demo` and `npm test` work as the first command on a fresh checkout.
import { spawnSync } from 'node:child_process';
import { lstatSync, statSync } from 'node:fs';

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

// A node_modules that is a link points at an install this checkout does not own: leave it alone.
if (lstatSync('node_modules', { throwIfNoEntry: false })?.isSymbolicLink()) process.exit(0);
const installed = mtime('node_modules/.package-lock.json');
const lock = mtime('package-lock.json');
if (installed === undefined || (lock !== undefined && lock > installed)) {
  console.error('vmc-exporter: installing dependencies (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

import { spawnSync } from 'node:child_process';

/**
 * Finds a Prometheus tool on PATH. Outside CI a missing tool skips the test (with the
 * reason); with `CI=true` it fails it, so CI can never pass without running the check.
 */
export function requireTool(name: string): { path: string } | { skip: string } {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path) return { path };
  if (process.env['CI'] === 'true') throw new Error(`${name} is not installed (apt-get install prometheus prometheus-alertmanager); CI=true so this fails instead of skipping`);
  return { skip: `${name} not installed` };
}

/** Runs `promtool check metrics` on an exposition; returns its combined output and exit code. */
export function promtoolCheckMetrics(promtool: string, exposition: string): { status: number | null; output: string } {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

import { spawnSync } from 'node:child_process';

/** Runs `promtool check metrics` on an exposition; returns its combined output and exit code. */
export function promtoolCheckMetrics(promtool: string, exposition: string): { status: number | null; output: string } {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

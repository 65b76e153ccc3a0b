/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof`):
 * the functions with the most self time, and the total time under selected frames.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25] [frame-substring…]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

/** The parts of a `.cpuprofile` this tool reads. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Self and inclusive time of one function (by name and location). */
export interface FunctionTime {
  /** `name (file:line)`. */
  readonly frame: string;
  /** Time with the function on top of the stack, ms. */
  readonly selfMs: number;
  /** Time with the function anywhere on the stack (counted once per sample), ms. */
  readonly totalMs: number;
}

function label(n: ProfileNode): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/|dist\/|src\/)/, '$1');
  return `${n.callFrame.functionName || '(anonymous)'}${url ? ` (${url}:${n.callFrame.lineNumber + 1})` : ''}`;
}

/** Self and inclusive times per function, most self time first. */
export function summarizeProfile(p: CpuProfile): { readonly totalMs: number; readonly functions: FunctionTime[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const node = byId.get(id);
    if (!node) return;
    const top = label(node);
    self.set(top, (self.get(top) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const l = label(n);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + ms);
    }
  });
  const functions = [...total.keys()].map((frame) => ({ frame, selfMs: self.get(frame) ?? 0, totalMs: total.get(frame) ?? 0 }));
  functions.sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, functions };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, topRaw, ...frames] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top] [frame-substring...]\n');
    process.exit(2);
  }
  const { totalMs, functions } = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const top = Number(topRaw ?? 25);
  const pct = (ms: number): string => `${((ms / totalMs) * 100).toFixed(1).padStart(5)} %`;
  process.stdout.write(`profile: ${(totalMs / 1000).toFixed(1)} s sampled\n\nself time\n`);
  for (const f of functions.slice(0, top)) process.stdout.write(`${f.selfMs.toFixed(0).padStart(8)} ms ${pct(f.selfMs)}  ${f.frame}\n`);
  if (frames.length > 0) {
    process.stdout.write('\ninclusive time of frames matching\n');
    for (const want of frames) {
      for (const f of functions.filter((x) => x.frame.includes(want)).sort((a, b) => b.totalMs - a.totalMs).slice(0, 5)) {
        process.stdout.write(`${f.totalMs.toFixed(0).padStart(8)} ms ${pct(f.totalMs)}  ${f.frame}\n`);
      }
    }
  }
}

/**
 * Basic-auth flood benchmark (`npm run build && node --import tsx bench/auth-flood.ts`).
 *
 * Runs the built exporter (`--demo`, a web config with bcrypt users) in its own process and,
 * from three client addresses on the loopback network, measures what a wrong-password flood
 * does to everybody else:
 * - the flood: `--flood` keep-alive connections from 127.0.0.1, each sending `alice` with a
 *   new wrong password as fast as it is answered (so no failure cache can help);
 * - first logins from 127.0.0.2: `--first-logins` users who have never logged in, one every
 *   `--first-interval` ms, each with its right password (each one needs a bcrypt check);
 * - cached logins from 127.0.0.3: a user who logged in before the flood, every 100 ms.
 * Prints the fraction of first logins answered 200, and within 2 s, their latency p50/p99,
 * the cached-login latency p50/p99 and the flood's answers by status; `--json` prints the
 * same as one JSON line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import bcrypt from 'bcryptjs';
import { freePort, ROOT, sleep } from '../test/helpers/processes.js';
import { atExit, spawnNode, stopAll } from './procs.js';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    flood: { type: 'string', default: '32' },
    'first-logins': { type: 'string', default: '12' },
    'first-interval': { type: 'string', default: '500' },
    cost: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const FLOOD = Number(values.flood);
const FIRST_LOGINS = Number(values['first-logins']);
const FIRST_INTERVAL_MS = Number(values['first-interval']);
const COST = Number(values.cost);

/** One GET with Basic credentials from `localAddress`, on `agent`; resolves with status and ms. */
function get(port: number, agent: http.Agent, localAddress: string, user: string, password: string, timeoutMs = 20_000): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/-/healthy',
        agent,
        localAddress,
        headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

const round = (n: number): number => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vmc-auth-flood-'));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  const users: Array<[string, string]> = [['alice', 'wonderland'], ['cached', 'already-proven']];
  for (let i = 0; i < FIRST_LOGINS; i++) users.push([`first${i}`, `right-password-${i}`]);
  const lines = users.map(([u, p]) => `  ${u}: "${bcrypt.hashSync(p, COST)}"`);
  const webConfig = join(dir, 'web.yml');
  writeFileSync(webConfig, `basic_auth_users:\n${lines.join('\n')}\n`);

  const port = await freePort();
  const child = spawnNode('exporter', [join(ROOT, 'dist/main.js'), '--demo', `--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${webConfig}`, '--log.level=error'], {
    HTTP_PROXY: undefined,
    HTTPS_PROXY: undefined,
    http_proxy: undefined,
    https_proxy: undefined,
  });

  const cachedAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const until = Date.now() + 30_000;
  for (;;) {
    if ((await get(port, cachedAgent, '127.0.0.3', 'cached', 'already-proven', 2_000)).status === 200) break;
    if (Date.now() > until) throw new Error(`exporter not ready: ${child.stderr()}`);
    await sleep(100);
  }

  let stop = false;
  const floodStatus = new Map<number, number>();
  const floodAgent = new http.Agent({ keepAlive: true, maxSockets: FLOOD });
  const flooders = Array.from({ length: FLOOD }, async (_, n) => {
    for (let i = 0; !stop; i++) {
      const r = await get(port, floodAgent, '127.0.0.1', 'alice', `wrong-${n}-${i}`);
      floodStatus.set(r.status, (floodStatus.get(r.status) ?? 0) + 1);
    }
  });

  const cachedMs: number[] = [];
  const cachedStatus = new Map<number, number>();
  const cachedLoop = (async () => {
    while (!stop) {
      const r = await get(port, cachedAgent, '127.0.0.3', 'cached', 'already-proven');
      cachedMs.push(r.ms);
      cachedStatus.set(r.status, (cachedStatus.get(r.status) ?? 0) + 1);
      await sleep(100);
    }
  })();

  await sleep(1_000); // the flood is in full swing
  const firstAgent = new http.Agent({ keepAlive: false });
  const firsts: Array<Promise<{ status: number; ms: number }>> = [];
  for (let i = 0; i < FIRST_LOGINS; i++) {
    firsts.push(get(port, firstAgent, '127.0.0.2', `first${i}`, `right-password-${i}`));
    await sleep(FIRST_INTERVAL_MS);
  }
  const first = await Promise.all(firsts);
  stop = true;
  await Promise.all([...flooders, cachedLoop]);
  for (const a of [floodAgent, cachedAgent, firstAgent]) a.destroy();
  await stopAll();

  const ok = first.filter((r) => r.status === 200);
  const okMs = summarize(ok.map((r) => r.ms));
  const cached = summarize(cachedMs);
  const result = {
    flood: FLOOD,
    bcryptCost: COST,
    firstLogins: first.length,
    firstLoginsOk: ok.length,
    firstLoginsOkWithin2s: ok.filter((r) => r.ms <= 2_000).length,
    firstLoginStatuses: Object.fromEntries(countBy(first.map((r) => r.status))),
    firstLoginOkMs: { p50: round(okMs.p50), p99: round(okMs.p99), max: round(okMs.max) },
    cachedLoginMs: { count: cached.count, p50: round(cached.p50), p99: round(cached.p99), max: round(cached.max) },
    cachedLoginStatuses: Object.fromEntries(cachedStatus),
    floodAnswers: Object.fromEntries(floodStatus),
  };
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`basic-auth flood: ${FLOOD} connections of wrong passwords, bcrypt cost ${COST}`);
  console.log(`  first correct logins answered 200: ${ok.length}/${first.length} (within 2 s: ${result.firstLoginsOkWithin2s}); statuses ${JSON.stringify(result.firstLoginStatuses)}`);
  console.log(`  first correct login latency (200s): p50 ${result.firstLoginOkMs.p50} ms, p99 ${result.firstLoginOkMs.p99} ms`);
  console.log(`  cached login latency during the flood: p50 ${result.cachedLoginMs.p50} ms, p99 ${result.cachedLoginMs.p99} ms (${cached.count} requests, statuses ${JSON.stringify(result.cachedLoginStatuses)})`);
  console.log(`  flood answers by status: ${JSON.stringify(result.floodAnswers)}`);
}

function countBy(values: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exitCode = 1;
});

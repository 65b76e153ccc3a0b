import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO } from '../../sim/src/demo-estate.js';
import { main } from '../../sim/src/cli.js';
import { firstJsonLine, startNode } from '../helpers/processes.js';

interface Announcement {
  url: string;
  clientId: string;
  clientSecret: string;
  apiToken: string;
  orgs: string[];
}

/** Runs `main` in-process with captured output; stops as soon as it announced itself. */
async function runMain(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    waitForStop: () => new Promise((r) => setImmediate(r)),
  });
  return { code, out, err };
}

describe('simulator CLI: main()', () => {
  it('prints one JSON line with url, credentials from the environment and orgs', async () => {
    const out: string[] = [];
    let served = 0;
    const code = await main(['--listen', '127.0.0.1:0'], {
      env: { SIM_CLIENT_ID: 'cli-app', SIM_CLIENT_SECRET: 'cli-secret', SIM_API_TOKEN: 'cli-api-token' },
      out: (l) => out.push(l),
      err: () => undefined,
      waitForStop: async () => {
        await new Promise((r) => setImmediate(r));
        const a = JSON.parse(out[0] ?? '{}') as Announcement;
        const res = await fetch(`${a.url}/csp/gateway/am/api/auth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from('cli-app:cli-secret').toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        });
        served = res.status;
      },
    });
    assert.equal(code, 0);
    assert.equal(out.length, 1);
    const a = JSON.parse(out[0] ?? '') as Announcement;
    assert.deepEqual(Object.keys(a), ['url', 'clientId', 'clientSecret', 'apiToken', 'orgs']);
    assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual([a.clientId, a.clientSecret, a.apiToken], ['cli-app', 'cli-secret', 'cli-api-token']);
    assert.deepEqual(a.orgs, [DEMO.orgs.prod, DEMO.orgs.dev, DEMO.orgs.lab]);
    assert.equal(served, 200);
  });

  it('serves a generated estate of the requested size', async () => {
    const { code, out } = await runMain(['--estate', 'generated', '--orgs', '2', '--sddcs', '3', '--hosts', '4', '--clusters', '2', '--seed', '9']);
    assert.equal(code, 0);
    const a = JSON.parse(out[0] ?? '') as Announcement;
    assert.equal(a.orgs.length, 2);
    assert.match(a.clientSecret, /\S{20,}/, 'random credentials');
  });

  it('exits 2 with one line on bad input', async () => {
    for (const argv of [
      ['--bogus'],
      ['--listen', 'nohost'],
      ['--listen', '127.0.0.1:70000'],
      ['--estate', 'huge'],
      ['--estate', 'generated', '--orgs', '0'],
      ['--estate', 'generated', '--sddcs', 'ten'],
      ['--orgs', '3'],
      ['--latency-ms', '-1'],
      ['positional'],
    ]) {
      const { code, out, err } = await runMain(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(out.length, 0);
      assert.equal(err.length, 1);
      assert.ok(!(err[0] ?? '').includes('\n'));
      assert.match(err[0] ?? '', /^vmc-sim: /);
    }
  });

  it('prints usage for --help', async () => {
    const { code, out } = await runMain(['--help']);
    assert.equal(code, 0);
    assert.match(out[0] ?? '', /^Usage: vmc-sim/);
  });
});

describe('simulator CLI: as a process', () => {
  it('prints the JSON line, serves, and exits 0 on SIGTERM', async () => {
    const child = startNode('simulator', ['--import', 'tsx', 'sim/src/cli.ts', '--estate', 'generated', '--orgs', '2', '--sddcs', '5'], {
      ...process.env,
      SIM_CLIENT_ID: 'proc-app',
      SIM_CLIENT_SECRET: 'proc-secret',
    });
    try {
      const a = await firstJsonLine<Announcement>(child, 30_000);
      assert.equal(a.clientId, 'proc-app');
      assert.equal(a.orgs.length, 2);
      const stats = await fetch(`${a.url}/_sim/stats`);
      assert.equal(stats.status, 200);
      const { code } = await child.stop();
      assert.equal(code, 0, child.stderr());
    } finally {
      await child.stop(0);
    }
  });
});

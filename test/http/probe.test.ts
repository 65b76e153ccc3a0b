/**
 * The probe path against the simulator: what a probe answers, that it shares caches and
 * upstream calls with the telemetry path, how orgs named only by probes are bounded and
 * forgotten, and what a caller flooding it with made-up org ids gets.
 */
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { request } from 'undici';
import { scrapeResult, startHarness, type Harness, type ScrapeResult } from '../helpers/exporter-harness.js';
import { parseExposition } from '../helpers/exposition.js';

const MINUTE = 60_000;

/** GETs the probe path of `h` with `query`; never throws for HTTP errors. */
async function probe(h: Harness, query: string, headers: Record<string, string> = {}): Promise<ScrapeResult & { headers: Record<string, string | string[] | undefined> }> {
  const started = performance.now();
  const res = await request(`${h.exporter.url}/probe${query === '' ? '' : `?${query}`}`, { headers });
  const body = await res.body.text();
  return { ...scrapeResult(res.statusCode, performance.now() - started, body), body, headers: res.headers };
}

/** Org ids of every sample in `body`. */
function orgsIn(body: string): Set<string> {
  return new Set(parseExposition(body).samples.map((s) => s.labels['org_id']).filter((o) => o !== undefined));
}

describe('the probe path', () => {
  const started: Harness[] = [];
  const harness = async (...args: Parameters<typeof startHarness>): Promise<Harness> => {
    const h = await startHarness(...args);
    started.push(h);
    return h;
  };
  after(async () => {
    for (const h of started) await h.close();
  });

  test("answers with one org's series, vmc_up and vmc_collector_* for it, and none of the exporter's own metrics", async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover', '--cache.ttl=60'] });
    const [org, other] = h.sim.orgIds;
    const r = await probe(h, `target=${org}`);
    assert.equal(r.status, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.deepEqual([...orgsIn(r.body)], [org]);
    assert.equal(r.value('vmc_up', { org_id: org! }), 1);
    assert.equal(r.value('vmc_collector_success', { org_id: org!, collector: 'sddcs' }), 1);
    assert.ok(r.value('vmc_last_success_timestamp_seconds', { org_id: org! })! > 0);
    assert.ok(r.value('vmc_collector_duration_seconds', { org_id: org!, collector: 'sddcs' }) !== undefined);
    assert.ok(r.all('vmc_sddc_info').length > 0);
    const names = new Set(r.samples.map((s) => s.name));
    for (const name of names) assert.doesNotMatch(name, /^(vmc_token_|vmc_api_|vmc_exporter_|process_|nodejs_)/, `${name} belongs on /metrics`);
    assert.equal(h.sim.stats.sddcListRequests[other!], undefined, 'only the probed org was collected');
  });

  test('OpenMetrics when asked for (ending in # EOF), gzip when accepted, HEAD without a body', async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover', '--cache.ttl=60'] });
    const org = h.sim.orgIds[0]!;
    const om = await probe(h, `target=${org}`, { accept: 'application/openmetrics-text; version=1.0.0' });
    assert.match(String(om.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(om.body.endsWith('} 1\n# EOF\n'), om.body.slice(-200));
    assert.ok(om.body.includes('vmc_collector_success{org_id="' + org + '",collector="sddcs"} 1\n'), om.body.slice(-200));
    assert.equal(om.body.match(/# EOF/g)?.length, 1);

    const res = await request(`${h.exporter.url}/probe?target=${org}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    const text = gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString('utf8');
    assert.deepEqual(text, (await probe(h, `target=${org}`)).body, 'the gzipped answer decodes to the plain one');

    const head = await request(`${h.exporter.url}/probe?target=${org}`, { method: 'HEAD' });
    assert.equal(head.statusCode, 200);
    assert.equal(await head.body.text(), '');
  });

  test('a probe and a scrape of the same org share one upstream call per TTL', async () => {
    const h = await harness({ flags: ['--cache.ttl=60'] });
    const [a, b] = h.orgs;
    await h.scrape();
    assert.deepEqual(h.sim.stats.sddcListRequests, { [a!]: 1, [b!]: 1 });
    const tokensBefore = h.sim.stats.tokenRequestTotal;

    await Promise.all([...Array.from({ length: 10 }, () => probe(h, `target=${a}`)), h.scrape()]);
    assert.deepEqual(h.sim.stats.sddcListRequests, { [a!]: 1, [b!]: 1 }, 'within the TTL nobody calls VMC again');

    h.clock.advance(MINUTE);
    const answers = await Promise.all([...Array.from({ length: 10 }, () => probe(h, `target=${a}`)), h.scrape(), ...Array.from({ length: 10 }, () => probe(h, `target=${a}`))]);
    assert.ok(answers.every((r) => r.status === 200 && r.value('vmc_up', { org_id: a! }) === 1));
    assert.deepEqual(h.sim.stats.sddcListRequests, { [a!]: 2, [b!]: 2 }, 'one call per org for the next TTL, whoever asked');
    assert.equal(h.sim.stats.tokenRequestTotal, tokensBefore, "a listed org's probe uses its token");

    // The probe first, then the scrape: still one call.
    h.clock.advance(MINUTE);
    await probe(h, `target=${a}`);
    await h.scrape();
    assert.equal(h.sim.stats.sddcListRequests[a!], 3);
  });

  test('collector=NAME limits the collectors; an unknown one is 400', async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover'] });
    const org = h.sim.orgIds[0]!;
    const r = await probe(h, `target=${org}&collector=sddcs`);
    assert.equal(r.status, 200);
    assert.equal(r.value('vmc_up', { org_id: org }), 1);
    const bad = await probe(h, `target=${org}&collector=sddc`);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /^unknown collector "sddc" \(known: sddcs, orgs(, [a-z_]+)*\)\n$/);
    for (const c of COLLECTORS.filter((c) => c.credentials === undefined)) assert.ok(bad.body.includes(c.name), c.name);
  });

  test('a missing or malformed target is 400 with one line, and nothing is collected', async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover'] });
    for (const [query, line] of [
      ['', 'missing target: use ?target=<org id>\n'],
      ['target=', 'target is empty: use ?target=<org id>\n'],
      ['target=a%20b', 'target "a b" is not an org id (letters, digits, . _ -; starting with a letter or digit)\n'],
      ['target=a&target=b', 'target given more than once: a probe collects one org\n'],
    ] as const) {
      const r = await probe(h, query);
      assert.equal(r.status, 400, query);
      assert.equal(r.body, line);
    }
    const long = await probe(h, `target=${'x'.repeat(5000)}`);
    assert.equal(long.status, 414);
    assert.equal(h.sim.stats.tokenRequestTotal + h.sim.stats.sddcListTotal, 0);
  });

  test('an org the credentials cannot see: 200 with vmc_up 0, the reason logged once', async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover', '--cache.ttl=60'] });
    for (let i = 0; i < 5; i++) {
      const r = await probe(h, 'target=not-our-org');
      assert.equal(r.status, 200);
      assert.equal(r.value('vmc_up', { org_id: 'not-our-org' }), 0);
      assert.equal(r.value('vmc_collector_success', { org_id: 'not-our-org', collector: 'sddcs' }), 0);
    }
    const lines = h.problems().filter((l) => l['org_id'] === 'not-our-org');
    const failed = lines.filter((l) => l['msg'] === 'collection of the org failed');
    assert.equal(failed.length, 1, JSON.stringify(lines));
    assert.match(JSON.stringify(failed[0]), /not a member of the requested organization/);
    assert.ok(lines.length <= 2, 'the token error and the collection failure, each once');
    assert.equal(h.sim.stats.tokenRequests['not-our-org'], 1, 'CSP is not asked again within the TTL');
  });

  test("orgs named only by probes get their own token, and are forgotten after --probe.idle: caches, token and every series labelled with them", async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover', '--cache.ttl=60', '--probe.idle=10m'] });
    const [a, b] = h.sim.orgIds;
    await probe(h, `target=${a}`);
    await probe(h, `target=${b}`);
    assert.equal(h.sim.stats.tokenRequests[a!], 1, 'OAuth: a token with orgId=<org>');
    assert.equal(h.sim.stats.tokenRequests[b!], 1);
    const metrics = await h.scrape();
    assert.equal(metrics.value('vmc_token_refreshes_total', { org_id: a!, result: 'success' }), 1);
    assert.ok(metrics.value('vmc_token_expiry_timestamp_seconds', { org_id: b! })! > 0);
    assert.equal(metrics.all('vmc_up').length, 0, 'with --no-vmc.discover and no --vmc.org, /metrics shows no org');

    h.clock.advance(9 * MINUTE);
    await probe(h, `target=${b}`); // b stays
    h.clock.advance(MINUTE);
    const later = await h.scrape();
    assert.deepEqual(
      later.samples.filter((s) => s.labels['org_id'] === a).map((s) => s.name),
      [],
      `no series of ${a} after --probe.idle`,
    );
    assert.equal(later.value('vmc_token_refreshes_total', { org_id: b!, result: 'success' }), 1, 'the org still probed keeps its series');

    // Probed again, it starts from scratch: a new token, a new collection.
    const calls = h.sim.stats.sddcListRequests[a!];
    const again = await probe(h, `target=${a}`);
    assert.equal(again.value('vmc_up', { org_id: a! }), 1);
    assert.equal(h.sim.stats.tokenRequests[a!], 2);
    assert.equal(h.sim.stats.sddcListRequests[a!], calls! + 1);
  });

  test('--probe.max-orgs bounds the orgs named only by probes: a flood of made-up org ids gets 429 and costs at most that many token requests', async () => {
    const h = await harness({ flags: ['--cache.ttl=60', '--probe.max-orgs=20', '--probe.idle=10m'] });
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => probe(h, `target=made-up-${i + j}`)));
      for (const r of batch) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(statuses), { 200: 20, 429: 180 });
    const refused = await probe(h, 'target=one-more');
    assert.equal(refused.status, 429);
    assert.equal(refused.body, 'too many orgs probed (limit 20, --probe.max-orgs); orgs not probed for --probe.idle are forgotten\n');
    assert.equal(refused.headers['retry-after'], '60');
    const made = Object.keys(h.sim.stats.tokenRequests).filter((o) => o.startsWith('made-up-') || o === 'one-more');
    assert.equal(made.length, 20, 'CSP asked for 20 made-up orgs, not 201');
    assert.equal(h.problems().filter((l) => String(l['msg']).includes('--probe.max-orgs')).length, 1, 'the limit is logged once');

    // Listed orgs and orgs already tracked are always served.
    assert.equal((await probe(h, `target=${h.orgs[0]}`)).status, 200);
    assert.equal((await probe(h, 'target=made-up-0')).status, 200);

    // Once the made-up orgs fall idle, room for new ones.
    h.clock.advance(10 * MINUTE);
    assert.equal((await probe(h, 'target=one-more')).status, 200);
    const metrics = await h.scrape();
    assert.deepEqual(
      [...orgsIn(metrics.body)].filter((o) => o.startsWith('made-up-')),
      [],
      'idle made-up orgs left no series behind',
    );
  });

  test('the scrape deadline holds for a probe whose upstream hangs', async () => {
    const h = await harness({ orgs: [], flags: ['--no-vmc.discover', '--vmc.timeout=30'] });
    const org = h.sim.orgIds[0]!;
    h.sim.addFault({ endpoint: 'sddcs', org, kind: 'hang' });
    const r = await probe(h, `target=${org}`, { 'x-prometheus-scrape-timeout-seconds': '1' });
    assert.equal(r.status, 200);
    assert.equal(r.value('vmc_up', { org_id: org }), 0);
    h.sim.clearFaults();
  });
});

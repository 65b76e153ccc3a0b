/**
 * Upstream proxy support of the BUILT exporter (child process): HTTP_PROXY / HTTPS_PROXY /
 * NO_PROXY are read by undici's EnvHttpProxyAgent when the exporter starts.
 *
 * What undici 7 does (node_modules/undici/lib/dispatcher/env-http-proxy-agent.js and
 * proxy-agent.js): lower-case `http_proxy` / `https_proxy` / `no_proxy` win over upper-case;
 * there is NO built-in exception for localhost or loopback (only NO_PROXY entries, matched by
 * host name or domain suffix and optional port; `*` disables proxying); an http:// target uses
 * HTTP_PROXY only, an https:// target HTTPS_PROXY and else HTTP_PROXY; and ProxyAgent tunnels
 * with CONNECT by default (`proxyTunnel: true`) even for http:// targets: absolute-form
 * requests are only sent with `proxyTunnel: false`. The proxy below accepts both and counts
 * what it saw.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { before, describe, test } from 'node:test';
import { DEMO } from '../../sim/src/demo-estate.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { makePki, type Pki } from '../helpers/tls-fixtures.js';
import { scrapeUrl } from '../helpers/exporter-harness.js';
import { cleanEnv, requireBuild, spawnExporter, type ChildExporter } from '../helpers/processes.js';

interface Proxy {
  readonly url: string;
  /** `METHOD path` of absolute-form requests forwarded. */
  readonly absolute: string[];
  /** `host:port` of CONNECT tunnels opened. */
  readonly connects: string[];
  /** `METHOD path` of plain HTTP requests seen inside tunnels. */
  tunnelled(): string[];
  /** Every request seen (absolute-form and tunnelled). */
  requests(): string[];
  close(): Promise<void>;
}

const REQUEST_LINE = /(GET|POST|HEAD|PUT|DELETE) (\/\S*) HTTP\/1\.[01]\r\n/g;

/**
 * A loopback forward proxy: absolute-form HTTP requests and CONNECT tunnels. Host names
 * ending in `.invalid` are sent to 127.0.0.1 (so a URL with such a host only works through
 * the proxy).
 */
async function startProxy(): Promise<Proxy> {
  const absolute: string[] = [];
  const connects: string[] = [];
  const streams: string[] = [];
  const sockets = new Set<Socket>();
  const route = (host: string) => (host.endsWith('.invalid') ? '127.0.0.1' : host);
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute-form only\n');
      return;
    }
    absolute.push(`${req.method} ${target.pathname}`);
    const upstream = http.request(
      { host: route(target.hostname), port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    const hostPort = req.url ?? '';
    connects.push(hostPort);
    const i = hostPort.lastIndexOf(':');
    const upstream = net.connect(Number(hostPort.slice(i + 1)), route(hostPort.slice(0, i)), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    const index = streams.push(head.toString('latin1')) - 1;
    client.on('data', (d: Buffer) => (streams[index] += d.toString('latin1')));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const tunnelled = () => streams.flatMap((s) => [...s.matchAll(REQUEST_LINE)].map((m) => `${m[1]} ${m[2]}`));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    absolute,
    connects,
    tunnelled,
    requests: () => [...absolute, ...tunnelled()],
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** An HTTPS front for the simulator (certificate for IP 127.0.0.1 from the test CA). */
async function startTlsFront(pki: Pki, sim: Simulator): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const simUrl = new URL(sim.url);
  const server = https.createServer({ cert: pki.servers[0].cert, key: pki.servers[0].key }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = http.request({ host: simUrl.hostname, port: simUrl.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

const ORGS = [DEMO.orgs.prod, DEMO.orgs.dev];

describe('upstream proxy (built binary)', { concurrency: 3 }, () => {
  before(() => requireBuild());

  /** Starts the exporter child against `upstream` with `env`, scrapes twice, stops it. */
  async function run(sim: Simulator, upstream: string, env: Record<string, string>) {
    const child: ChildExporter = await spawnExporter(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${upstream}`, `--vmc.url=${upstream}`, ...ORGS.map((o) => `--vmc.org=${o}`), '--cache.ttl=0', '--vmc.timeout=3'],
      cleanEnv({ VMC_CLIENT_ID: sim.credentials.clientId, VMC_CLIENT_SECRET: sim.credentials.clientSecret, ...env }),
    );
    try {
      const first = await scrapeUrl(`${child.url}/metrics`, 5);
      const second = await scrapeUrl(`${child.url}/metrics`, 5);
      return { first, second, logs: child.lines() };
    } finally {
      await child.stop();
    }
  }

  test('HTTP_PROXY: every upstream request goes through the proxy (CONNECT tunnel), metrics are right', async () => {
    const sim = await startSimulator();
    const proxy = await startProxy();
    try {
      const before = sim.stats.routedRequests;
      const { first, second } = await run(sim, sim.url, { HTTP_PROXY: proxy.url });
      for (const s of [first, second]) {
        assert.equal(s.status, 200);
        for (const org of ORGS) assert.equal(s.value('vmc_up', { org_id: org }), 1);
        assert.ok(s.all('vmc_sddc_info', { org_id: DEMO.orgs.prod }).length > 0);
      }
      const seen = proxy.requests();
      const simSaw = sim.stats.routedRequests - before;
      assert.equal(seen.length, simSaw, `the proxy saw every request the simulator got: ${JSON.stringify(seen)}`);
      assert.equal(seen.filter((r) => r.startsWith('POST /csp/gateway/am/api/auth/token')).length, 2, 'one token per org');
      assert.equal(seen.filter((r) => /^GET \/vmc\/api\/orgs\/[^/]+\/sddcs$/.test(r)).length, 4, 'two scrapes x two orgs');
      // undici 7 tunnels http:// targets too (proxyTunnel defaults to true).
      const simHost = new URL(sim.url).host;
      assert.ok(proxy.connects.length >= 1 && proxy.connects.every((c) => c === simHost), JSON.stringify(proxy.connects));
      assert.deepEqual(proxy.absolute, []);
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  test('HTTP_PROXY: an upstream host only the proxy can resolve works', async () => {
    const sim = await startSimulator();
    const proxy = await startProxy();
    try {
      const port = new URL(sim.url).port;
      const { second } = await run(sim, `http://vmc-sim.invalid:${port}`, { HTTP_PROXY: proxy.url });
      for (const org of ORGS) assert.equal(second.value('vmc_up', { org_id: org }), 1);
      assert.ok(proxy.connects.includes(`vmc-sim.invalid:${port}`));
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  test('NO_PROXY=127.0.0.1 bypasses the proxy', async () => {
    const sim = await startSimulator();
    const proxy = await startProxy();
    try {
      const { second } = await run(sim, sim.url, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      for (const org of ORGS) assert.equal(second.value('vmc_up', { org_id: org }), 1);
      assert.deepEqual(proxy.connects, []);
      assert.deepEqual(proxy.requests(), []);
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  test('NO_PROXY matching a domain suffix bypasses the proxy (and the host then does not resolve)', async () => {
    const sim = await startSimulator();
    const proxy = await startProxy();
    try {
      const port = new URL(sim.url).port;
      const { second, logs } = await run(sim, `http://vmc-sim.invalid:${port}`, { HTTP_PROXY: proxy.url, NO_PROXY: '.invalid' });
      for (const org of ORGS) assert.equal(second.value('vmc_up', { org_id: org }), 0);
      assert.deepEqual(proxy.connects, []);
      const warn = logs.find((l) => l['level'] === 'warn');
      assert.match(String((warn?.['err'] as { message?: string })?.message), /ENOTFOUND/);
    } finally {
      await proxy.close();
      await sim.close();
    }
  });

  test('HTTPS upstream through HTTPS_PROXY with a private CA from NODE_EXTRA_CA_CERTS; without it, a clear TLS error', async (t) => {
    const sim = await startSimulator();
    const pki = makePki();
    const front = await startTlsFront(pki, sim);
    const proxy = await startProxy();
    try {
      const before = sim.stats.routedRequests;
      const trusted = await run(sim, front.url, { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: pki.ca.certFile });
      for (const org of ORGS) assert.equal(trusted.second.value('vmc_up', { org_id: org }), 1);
      const frontHost = new URL(front.url).host;
      assert.ok(proxy.connects.length >= 1 && proxy.connects.every((c) => c === frontHost), JSON.stringify(proxy.connects));
      assert.equal(front.requests.length, sim.stats.routedRequests - before, 'every request the simulator got came over TLS via the tunnel');
      assert.equal(front.requests.filter((r) => /^GET \/vmc\/api\/orgs\/[^/]+\/sddcs$/.test(r)).length, 4, 'two scrapes x two orgs');

      const untrusted = await run(sim, front.url, { HTTPS_PROXY: proxy.url });
      for (const org of ORGS) assert.equal(untrusted.second.value('vmc_up', { org_id: org }), 0);
      const warn = untrusted.logs.find((l) => l['level'] === 'warn');
      const message = String((warn?.['err'] as { message?: string })?.message);
      t.diagnostic(`without the CA: ${message}`);
      assert.match(message, /certificate/i, 'names the certificate problem');
    } finally {
      await proxy.close();
      await front.close();
      await sim.close();
      pki.cleanup();
    }
  });
});

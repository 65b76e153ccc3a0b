import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { TokenPool } from '../../src/auth/token-pool.js';
import { systemClock } from '../../src/lib/clock.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { HttpClient } from '../../src/upstream/http-client.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { parseExposition } from '../helpers/exposition.js';
import { captureLogger } from '../helpers/log-sink.js';

describe('TokenPool', () => {
  let sim: Simulator;
  const dispatcher = new Agent();
  before(async () => {
    sim = await startSimulator();
  });
  after(async () => {
    await sim.close();
    await dispatcher.close();
  });

  function pool(kind: 'oauth' | 'api-token', perOrg: boolean) {
    const log = captureLogger();
    const self = new SelfMetrics('test', false);
    const http = new HttpClient({ dispatcher, observer: self, secrets: log.secrets, clock: systemClock });
    const secret = kind === 'oauth' ? sim.credentials.clientSecret : sim.credentials.apiToken;
    const tokens = new TokenPool({
      auth:
        kind === 'oauth'
          ? { kind, clientId: sim.credentials.clientId, readSecret: () => Promise.resolve(secret), secretSource: 'test' }
          : { kind, readSecret: () => Promise.resolve(secret), secretSource: 'test' },
      perOrg,
      csp: { http, cspUrl: sim.url, clock: systemClock, timeoutMs: 5000, secrets: log.secrets },
      clock: systemClock,
      observer: self,
      secrets: log.secrets,
      logger: log.logger,
    });
    return { tokens, self, secrets: log.secrets };
  }

  /** The `vmc_token_*` series of `org` (of every org without it). */
  const tokenSeries = async (self: SelfMetrics, org?: string): Promise<string[]> =>
    parseExposition(await self.render())
      .samples.filter((s) => s.name.startsWith('vmc_token_') && (org === undefined || s.labels['org_id'] === org))
      .map((s) => s.series);

  test('an OAuth app with discovered orgs shares one token, except for an org named only by probes', () => {
    const { tokens } = pool('oauth', false);
    const [home, other] = sim.orgIds;
    assert.equal(tokens.forOrg(home!), tokens.shared());
    assert.notEqual(tokens.forOrg(other!, true), tokens.shared());
    assert.equal(tokens.forOrg(other!, true), tokens.forOrg(other!, true));
    assert.equal(tokens.size, 1);
  });

  test('an API token serves every org, probed or not', () => {
    const { tokens } = pool('api-token', false);
    assert.equal(tokens.forOrg(sim.orgIds[1]!, true), tokens.shared());
    assert.equal(tokens.size, 0);
  });

  test('forget takes the org\'s tokens out of the secret registry; other orgs\' stay', async () => {
    const { tokens, secrets } = pool('oauth', true);
    const [a, b] = sim.orgIds;
    const first = await tokens.forOrg(a!).getToken();
    tokens.forOrg(a!).invalidate(first);
    assert.notEqual(await tokens.forOrg(a!).getToken(), first);
    await tokens.forOrg(b!).getToken();
    assert.equal(secrets.tokenCount, 3, 'two tokens of a, one of b');
    tokens.forget(a!);
    assert.equal(secrets.tokenCount, 1, 'only b\'s token is still looked for');
    tokens.forget(b!);
    assert.equal(secrets.tokenCount, 0);
  });

  test('forget drops the token and its series; a request still in flight reports nothing afterwards', async () => {
    const { tokens, self } = pool('oauth', true);
    const [a, b] = sim.orgIds;
    await tokens.forOrg(a!).getToken();
    await tokens.forOrg(b!).getToken();
    assert.ok((await tokenSeries(self, a!)).length > 0);

    tokens.forget(a!);
    self.forgetOrg(a!);
    assert.deepEqual(await tokenSeries(self, a!), []);
    assert.ok((await tokenSeries(self, b!)).length > 0, 'other orgs keep theirs');
    assert.equal(tokens.size, 1);

    sim.addFault({ endpoint: 'token', org: b!, latencyMs: 200, times: 1 });
    const manager = tokens.forOrg(b!);
    manager.invalidate(await manager.getToken());
    const inflight = manager.getToken();
    tokens.forget(b!);
    self.forgetOrg(b!);
    await inflight;
    assert.deepEqual(await tokenSeries(self), [], 'the late answer added no series for the forgotten org');
    assert.notEqual(tokens.forOrg(b!), manager, 'a later use makes a new manager');
  });
});

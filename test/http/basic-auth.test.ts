import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import express from 'express';
import { ManualClock } from '../../src/lib/clock.js';
import { basicAuth, clientKey, parseBasicAuthorization, type BasicAuthOptions } from '../../src/http/basic-auth.js';
import { close, get, listen, okApp, replaceFile, serverFor } from '../helpers/tls-fixtures.js';

/** Made with `htpasswd -nbBC 10 user pass` (Apache's `$2y$` variant). */
const HTPASSWD_USER_PASS = '$2y$10$mL2gFaW0y97bbghQYK4au.JGeDAVovHOGP0.gcoUhYMZlaT.GjC7u';

const aliceHash = bcrypt.hashSync('wonderland', 4);
const bobHash = bcrypt.hashSync('builder', 4);
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vmc-basic-auth-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A plain node:http server running the middleware in front of `okApp`. */
async function serve(
  users: () => ReadonlyMap<string, string> | undefined,
  options?: BasicAuthOptions,
): Promise<{ port: number; server: http.Server }> {
  const auth = basicAuth(users, options);
  const server = http.createServer((req, res) => auth(req, res, () => okApp(req, res)));
  return { port: await listen(server), server };
}

/** A compare that counts calls and delegates to bcryptjs. */
function countingCompare(): { calls: Array<[string, string]>; compare: (p: string, h: string) => Promise<boolean> } {
  const calls: Array<[string, string]> = [];
  return {
    calls,
    compare: (p, h) => {
      calls.push([p, h]);
      return bcrypt.compare(p, h);
    },
  };
}

describe('basicAuth through createServer and a web config file', () => {
  let file: string;
  let clock: ManualClock;
  let server: http.Server;
  let port: number;

  before(async () => {
    file = path.join(dir, 'web.yml');
    writeFileSync(file, `basic_auth_users:\n  alice: "${aliceHash}"\n  user: "${HTPASSWD_USER_PASS}"\n`);
    clock = new ManualClock();
    const app = express();
    app.get('/metrics', (_req, res) => {
      res.type('text/plain').send('ok');
    });
    server = (await serverFor(file, app, { clock })) as http.Server;
    port = await listen(server);
  });
  after(() => close(server));

  it('answers 401 with a Basic challenge when no credentials are sent', async () => {
    const r = await get(port, { path: '/metrics' });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Basic realm="vmc-exporter"');
    assert.equal(r.body, 'Unauthorized\n');
  });

  it('answers 401 to a wrong password and to an unknown user', async () => {
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'alice', password: 'looking-glass' } })).status, 401);
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'mallory', password: 'wonderland' } })).status, 401);
  });

  it('answers 401 to malformed Authorization headers', async () => {
    for (const authorization of ['Bearer abc', 'Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`]) {
      assert.equal((await get(port, { path: '/metrics', authorization })).status, 401, authorization);
    }
  });

  it('lets the right password through', async () => {
    const r = await get(port, { path: '/metrics', basic: { user: 'alice', password: 'wonderland' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
  });

  it('accepts an htpasswd $2y$ hash', async () => {
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'user', password: 'pass' } })).status, 200);
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'user', password: 'Pass' } })).status, 401);
  });

  it('applies changed users without a restart', async () => {
    replaceFile(file, `basic_auth_users:\n  bob: "${bobHash}"\n`);
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'alice', password: 'wonderland' } })).status, 200);
    clock.advance(1000);
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'alice', password: 'wonderland' } })).status, 401);
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'bob', password: 'builder' } })).status, 200);
  });
});

describe('basicAuth middleware', () => {
  it('passes every request when no users are configured', async () => {
    for (const users of [undefined, new Map<string, string>()]) {
      const { port, server } = await serve(() => users);
      try {
        assert.equal((await get(port)).status, 200);
      } finally {
        await close(server);
      }
    }
  });

  it('caches successful checks, and failures briefly', async () => {
    const { calls, compare } = countingCompare();
    const users = new Map([['alice', aliceHash]]);
    const { port, server } = await serve(() => users, { compare });
    try {
      for (let i = 0; i < 3; i++) {
        assert.equal((await get(port, { basic: { user: 'alice', password: 'wonderland' } })).status, 200);
      }
      assert.equal(calls.length, 1);
      for (let i = 0; i < 2; i++) {
        assert.equal((await get(port, { basic: { user: 'alice', password: 'nope' } })).status, 401);
      }
      assert.equal(calls.length, 2, 'the repeated wrong password is answered from the failure cache');
      // A changed hash for the same user invalidates the cached success.
      users.set('alice', bcrypt.hashSync('wonderland', 4));
      assert.equal((await get(port, { basic: { user: 'alice', password: 'wonderland' } })).status, 200);
      assert.equal(calls.length, 3);
    } finally {
      await close(server);
    }
  });

  it('keeps the cache bounded, dropping the least recently used entry', async () => {
    const { calls, compare } = countingCompare();
    const users = new Map([
      ['alice', aliceHash],
      ['bob', bobHash],
    ]);
    const { port, server } = await serve(() => users, { compare, cacheSize: 1 });
    try {
      const alice = { user: 'alice', password: 'wonderland' };
      const bob = { user: 'bob', password: 'builder' };
      assert.equal((await get(port, { basic: alice })).status, 200);
      assert.equal((await get(port, { basic: alice })).status, 200);
      assert.equal(calls.length, 1);
      assert.equal((await get(port, { basic: bob })).status, 200);
      assert.equal((await get(port, { basic: alice })).status, 200);
      assert.equal(calls.length, 3);
    } finally {
      await close(server);
    }
  });

  it('runs one bcrypt compare of the same cost for unknown users, and never lets them in', async () => {
    const { calls, compare } = countingCompare();
    const users = new Map([['alice', aliceHash]]);
    const { port, server } = await serve(() => users, { compare });
    try {
      assert.equal((await get(port, { basic: { user: 'mallory', password: 'x' } })).status, 401);
      assert.equal(calls.length, 1);
      assert.notEqual(calls[0]?.[1], aliceHash);
      assert.equal(bcrypt.getRounds(calls[0]?.[1] ?? ''), 4);
    } finally {
      await close(server);
    }
  });

  it('checks unknown users against a dummy of the highest configured cost', async () => {
    const { calls, compare } = countingCompare();
    const users = new Map([
      ['alice', aliceHash],
      ['carol', bcrypt.hashSync('carol-pw', 6)],
    ]);
    const { port, server } = await serve(() => users, { compare });
    try {
      assert.equal((await get(port, { basic: { user: 'mallory', password: 'x' } })).status, 401);
      assert.equal(bcrypt.getRounds(calls[0]?.[1] ?? ''), 6);
    } finally {
      await close(server);
    }
  });

  it('uses a custom realm', async () => {
    const { port, server } = await serve(() => new Map([['alice', aliceHash]]), { realm: 'metrics' });
    try {
      assert.equal((await get(port)).headers['www-authenticate'], 'Basic realm="metrics"');
    } finally {
      await close(server);
    }
  });
});

describe('parseBasicAuthorization', () => {
  it('splits at the first colon and accepts any scheme case', () => {
    const b64 = Buffer.from('alice:pa:ss:wörd').toString('base64');
    assert.deepEqual(parseBasicAuthorization(`basic ${b64}`), { user: 'alice', password: 'pa:ss:wörd' });
    assert.deepEqual(parseBasicAuthorization(`Basic ${Buffer.from(':').toString('base64')}`), { user: '', password: '' });
  });

  it('rejects what is not Basic credentials', () => {
    assert.equal(parseBasicAuthorization(undefined), undefined);
    assert.equal(parseBasicAuthorization('Digest abc'), undefined);
    assert.equal(parseBasicAuthorization('Basic a b'), undefined);
    assert.equal(parseBasicAuthorization(`Basic ${Buffer.from('alice').toString('base64')}`), undefined);
  });
});

describe('clientKey', () => {
  it('keys IPv4 by address and IPv6 by /64', () => {
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
    assert.equal(clientKey('2001:0db8:0000:0001:bbbb:cccc:dddd:eeee'), '2001:db8:0:1::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey(undefined), 'unknown');
  });
});

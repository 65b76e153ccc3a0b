/**
 * A wrong-password flood must not lock out anybody else: bcrypt runs off the main thread,
 * queued per client address and served fairly, so a client whose login succeeded never waits
 * for bcrypt and a first correct login from another address is the next check to run; failed
 * checks are remembered briefly; each address's queue is bounded (429), and so is the number
 * of waiting addresses (503). Deterministic: the password check is a gate the test opens, so
 * the order of checks is observed, never their timing.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { basicAuth, type BasicAuthOptions } from '../../src/http/basic-auth.js';
import { ManualClock } from '../../src/lib/clock.js';
import { close, listen, okApp, serverFor } from '../helpers/tls-fixtures.js';

const aliceHash = bcrypt.hashSync('wonderland', 4);
const bobHash = bcrypt.hashSync('builder', 4);

/** A password check that waits until the test opens it; the calls are kept in order. */
function gatedCompare() {
  const calls: Array<{ password: string; hash: string; open: () => void }> = [];
  const opened = new Set<unknown>();
  const compare = (password: string, hash: string): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      calls.push({ password, hash, open: () => resolve(bcrypt.compareSync(password, hash)) });
    });
  return {
    calls,
    compare,
    /** Opens the oldest unopened check and lets its answer settle. */
    async openNext(): Promise<void> {
      const next = calls.find((c) => !opened.has(c));
      assert.ok(next, 'a check is waiting');
      opened.add(next);
      next.open();
      await settle();
    },
  };
}

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What the middleware did with one request. */
interface Outcome {
  status: number | undefined;
  passed: boolean;
  headers: Record<string, string>;
  res: FakeResponse;
}

class FakeResponse extends EventEmitter {
  statusCode = 200;
  writableEnded = false;
  readonly headers: Record<string, string> = {};
  setHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
  end(): void {
    this.writableEnded = true;
    this.emit('close');
  }
}

/** Runs the middleware on a request from `address` with `user:password`. */
function request(auth: ReturnType<typeof basicAuth>, address: string, user: string, password: string): Outcome {
  const req = { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }, socket: { remoteAddress: address } };
  const res = new FakeResponse();
  const out: Outcome = { status: undefined, passed: false, headers: res.headers, res };
  res.on('close', () => {
    if (res.writableEnded) out.status = res.statusCode;
  });
  auth(req as unknown as IncomingMessage, res as unknown as ServerResponse, (err) => {
    assert.equal(err, undefined);
    out.passed = true;
    out.status = 200;
  });
  return out;
}

function setup(options: BasicAuthOptions = {}) {
  const gate = gatedCompare();
  const clock = new ManualClock();
  const users = new Map([
    ['alice', aliceHash],
    ['bob', bobHash],
  ]);
  const auth = basicAuth(() => users, { compare: gate.compare, maxConcurrentChecks: 1, clock, ...options });
  return { gate, clock, users, auth };
}

const FLOOD = '192.0.2.66';
const CLIENT = '198.51.100.7';

describe('basic auth under a wrong-password flood', () => {
  it("a first correct login from another address is the next check, ahead of the flood's backlog", async () => {
    const { gate, auth } = setup();
    const flood = Array.from({ length: 8 }, (_, i) => request(auth, FLOOD, 'alice', `wrong-${i}`));
    assert.equal(gate.calls.length, 1, 'one check runs, the rest of the flood waits');
    const login = request(auth, CLIENT, 'bob', 'builder');
    await gate.openNext();
    assert.equal(gate.calls.length, 2);
    assert.equal(gate.calls[1]?.password, 'builder', "the other address's check runs before the flood's 7 waiting ones");
    await gate.openNext();
    assert.equal(login.status, 200);
    assert.equal(login.passed, true);
    // Then the flood's backlog, one by one.
    for (let i = 0; i < 7; i++) await gate.openNext();
    assert.deepEqual(
      flood.map((f) => f.status),
      Array<number>(8).fill(401),
    );
  });

  it('every waiting address gets a turn before any address gets a second one', async () => {
    const { gate, auth } = setup({ maxQueuedPerClient: 4 });
    for (let i = 0; i < 4; i++) request(auth, FLOOD, 'alice', `a-${i}`);
    for (let i = 0; i < 3; i++) request(auth, '203.0.113.1', 'alice', `b-${i}`);
    for (let i = 0; i < 3; i++) request(auth, '203.0.113.2', 'alice', `c-${i}`);
    for (let i = 0; i < 9; i++) await gate.openNext();
    assert.deepEqual(
      gate.calls.map((c) => c.password),
      ['a-0', 'b-0', 'c-0', 'a-1', 'b-1', 'c-1', 'a-2', 'b-2', 'c-2', 'a-3'],
    );
  });

  it('a client whose login succeeded is answered without a check while the flood holds the worker', async () => {
    const { gate, auth } = setup();
    request(auth, CLIENT, 'bob', 'builder');
    await gate.openNext();
    const flood = Array.from({ length: 8 }, (_, i) => request(auth, FLOOD, 'alice', `wrong-${i}`));
    const before = gate.calls.length;
    for (let i = 0; i < 5; i++) {
      const again = request(auth, CLIENT, 'bob', 'builder');
      assert.equal(again.passed, true, 'answered at once, from the cache');
    }
    assert.equal(gate.calls.length, before, 'no check for cached credentials');
    assert.ok(flood.every((f) => f.status === undefined), 'the flood is still waiting');
  });

  it('remembers a failed check for failureCacheMs, then checks again', async () => {
    const { gate, clock, auth } = setup({ failureCacheMs: 5_000 });
    request(auth, FLOOD, 'alice', 'wrong');
    await gate.openNext();
    const again = request(auth, FLOOD, 'alice', 'wrong');
    assert.equal(again.status, 401, 'answered at once');
    assert.equal(gate.calls.length, 1, 'without a check');
    clock.advance(4_999);
    assert.equal(request(auth, FLOOD, 'alice', 'wrong').status, 401);
    assert.equal(gate.calls.length, 1);
    clock.advance(1);
    const later = request(auth, FLOOD, 'alice', 'wrong');
    assert.equal(gate.calls.length, 2, 'checked again once the entry lapsed');
    await gate.openNext();
    assert.equal(later.status, 401);
    // An unknown user's failure is remembered the same way.
    request(auth, FLOOD, 'mallory', 'x');
    await gate.openNext();
    assert.equal(request(auth, FLOOD, 'mallory', 'x').status, 401);
    assert.equal(gate.calls.length, 3);
  });

  it('a remembered failure never denies the right password', async () => {
    const { gate, auth } = setup();
    request(auth, CLIENT, 'bob', 'wrong');
    await gate.openNext();
    const right = request(auth, CLIENT, 'bob', 'builder');
    await gate.openNext();
    assert.equal(right.status, 200);
  });

  it('runs identical checks in flight once and answers every request', async () => {
    const { gate, auth } = setup();
    const a = request(auth, CLIENT, 'bob', 'builder');
    const b = request(auth, '203.0.113.9', 'bob', 'builder');
    assert.equal(gate.calls.length, 1);
    await gate.openNext();
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
  });

  it("bounds each address's queue (429 beyond it) without touching other addresses", async () => {
    const { gate, auth } = setup({ maxQueuedPerClient: 8 });
    const flood = Array.from({ length: 12 }, (_, i) => request(auth, FLOOD, 'alice', `wrong-${i}`));
    await settle();
    const refused = flood.filter((f) => f.status === 429);
    assert.equal(refused.length, 4, '8 queued or running, 4 refused at once');
    assert.equal(refused[0]?.headers['retry-after'], '1');
    const login = request(auth, CLIENT, 'bob', 'builder');
    await settle();
    assert.equal(login.status, undefined, 'queued, not refused');
    await gate.openNext();
    await gate.openNext();
    assert.equal(login.status, 200);
  });

  it('bounds the number of waiting addresses (503 for a new one beyond it)', async () => {
    const { gate, auth } = setup({ maxWaitingClients: 2 });
    request(auth, '203.0.113.1', 'alice', 'w1'); // runs
    request(auth, '203.0.113.2', 'alice', 'w2'); // waits
    request(auth, '203.0.113.3', 'alice', 'w3'); // waits
    const fourth = request(auth, '203.0.113.4', 'alice', 'w4');
    await settle();
    assert.equal(fourth.status, 503);
    assert.equal(fourth.headers['retry-after'], '1');
    assert.equal(gate.calls.length, 1);
  });

  it('drops a queued check whose client went away', async () => {
    const { gate, auth } = setup();
    request(auth, FLOOD, 'alice', 'first');
    const gone = request(auth, FLOOD, 'alice', 'gone');
    request(auth, FLOOD, 'alice', 'third');
    gone.res.emit('close');
    await gate.openNext();
    await gate.openNext();
    assert.deepEqual(
      gate.calls.map((c) => c.password),
      ['first', 'third'],
    );
  });

  it('checks an unknown user at the highest cost among the users', async () => {
    const { gate, users, auth } = setup();
    users.set('carol', bcrypt.hashSync('c', 5));
    request(auth, FLOOD, 'nobody', 'x');
    assert.equal(bcrypt.getRounds(gate.calls[0]?.hash ?? ''), 5);
  });
});

describe('through createServer with real bcrypt: a flood of 32 connections', () => {
  let dir: string;
  let server: http.Server;
  let port: number;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vmc-auth-flood-'));
    const file = path.join(dir, 'web.yml');
    writeFileSync(file, `basic_auth_users:\n  alice: "${aliceHash}"\n  bob: "${bobHash}"\n`);
    server = (await serverFor(file, okApp)) as http.Server;
    port = await listen(server);
  });
  after(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (localAddress: string, user: string, password: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port, localAddress, agent: false, headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
    });

  it('the flood gets 401 or 429, a correct login from another address gets in', async () => {
    const flood = Array.from({ length: 32 }, (_, i) => get('127.0.0.1', 'alice', `wrong-${i}`));
    const login = get('127.0.0.2', 'bob', 'builder');
    assert.equal(await login, 200);
    const statuses = new Set(await Promise.all(flood));
    for (const s of statuses) assert.ok(s === 401 || s === 429, `flood answered ${s}`);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import type { ConfigWithoutAuth } from '../../src/config/config.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { ConfigError } from '../../src/lib/errors.js';

async function config(argv: string[]): Promise<ConfigWithoutAuth> {
  const parsed = await parseCommandLine(['--demo', ...argv], {}, { version: 'test', collectors: COLLECTORS });
  assert.equal(parsed.action, 'demo');
  return (parsed as { config: ConfigWithoutAuth }).config;
}

async function errorOf(argv: string[]): Promise<string> {
  try {
    await config(argv);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.ok(!err.message.includes('\n'));
    return err.message;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

describe('probe flags', () => {
  it('defaults: /probe, forgotten after 1h idle, at most 1000 orgs, discovery on', async () => {
    const c = await config([]);
    assert.equal(c.probePath, '/probe');
    assert.equal(c.probeIdleSeconds, 3600);
    assert.equal(c.probeMaxOrgs, 1000);
    assert.equal(c.discover, true);
  });

  it('take values', async () => {
    const c = await config(['--web.probe-path=/vmc/probe', '--probe.idle=90m', '--probe.max-orgs=0', '--no-vmc.discover']);
    assert.deepEqual([c.probePath, c.probeIdleSeconds, c.probeMaxOrgs, c.discover], ['/vmc/probe', 5400, 0, false]);
    assert.equal((await config(['--vmc.discover=false'])).discover, false);
  });

  const bad: Array<[string[], RegExp]> = [
    [['--web.probe-path=/metrics'], /^--web\.probe-path: "\/metrics" is the telemetry path \(--web\.telemetry-path\); choose another path$/],
    [['--web.telemetry-path=/probe'], /^--web\.probe-path: "\/probe" is the telemetry path/],
    [['--web.probe-path=probe'], /^--web\.probe-path: "probe" must start with \//],
    [['--web.probe-path=/-/probe'], /^--web\.probe-path: .* is reserved/],
    [['--web.probe-path=/'], /^--web\.probe-path: "\/" is not allowed/],
    [['--probe.idle=0'], /^--probe\.idle: "0" must be greater than 0$/],
    [['--probe.idle=soon'], /^--probe\.idle: "soon" is not a duration/],
    [['--probe.max-orgs=-1'], /^--probe\.max-orgs: "-1" must not be negative$/],
    [['--probe.max-orgs=lots'], /^--probe\.max-orgs: "lots" is not a whole number$/],
    [['--vmc.discover=no'], /^--vmc\.discover: "no" is not true or false$/],
    [['--probe.idle=1h', '--probe.idle=2h'], /^--probe\.idle: given more than once$/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${argv.join(' ')}`, async () => assert.match(await errorOf(argv), message));
  }
});

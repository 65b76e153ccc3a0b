/**
 * A bcrypt hash above the maximum cost (14) is refused when the web config is loaded, with
 * one line naming the user and the cost (and never the hash), so a cost-31 hash cannot pin
 * the CPU for days per login check; costs 4 to 14 load.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadWebConfig } from '../../src/web-config/index.js';
import { ConfigError } from '../../src/lib/errors.js';

/** A well-formed bcrypt hash of `cost` (salt and digest made up: loading does not check them). */
const hashOfCost = (cost: string) => `$2b$${cost}$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234`;

describe('bcrypt cost at load', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vmc-bcrypt-cost-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (cost: string) => {
    const file = path.join(dir, `web-${cost}.yml`);
    writeFileSync(file, `basic_auth_users:\n  alice: "${hashOfCost(cost)}"\n`);
    return file;
  };

  for (const cost of ['15', '20', '31', '99']) {
    it(`refuses cost ${cost} with one line naming the user and the maximum`, async () => {
      const file = write(cost);
      await assert.rejects(loadWebConfig(file), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `--web.config.file ${file}: basic_auth_users.alice: bcrypt cost ${Number(cost)} is above the maximum of 14`);
        assert.doesNotMatch(err.message, /\$2b\$/);
        return true;
      });
    });
  }

  for (const cost of ['00', '03']) {
    it(`refuses cost ${cost} as not a bcrypt hash`, async () => {
      const file = write(cost);
      await assert.rejects(loadWebConfig(file), { message: `--web.config.file ${file}: basic_auth_users.alice: not a bcrypt hash` });
    });
  }

  for (const cost of ['04', '10', '12', '14']) {
    it(`loads cost ${cost}`, async () => {
      const config = await loadWebConfig(write(cost));
      assert.equal(config.users?.get('alice'), hashOfCost(cost));
    });
  }
});

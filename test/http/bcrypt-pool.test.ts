import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { BcryptPool } from '../../src/http/bcrypt-pool.js';

const aliceHash = bcrypt.hashSync('wonderland', 4);
const bobHash = bcrypt.hashSync('builder', 4);

describe('BcryptPool', () => {
  it('checks passwords on worker threads', async () => {
    const pool = new BcryptPool(1);
    try {
      assert.equal(await pool.compare('wonderland', aliceHash), true);
      assert.equal(await pool.compare('nope', aliceHash), false);
      assert.equal(await pool.compare('x', 'not a hash'), false);
      assert.deepEqual(await Promise.all([pool.compare('builder', bobHash), pool.compare('wonderland', bobHash)]), [true, false]);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.compare('wonderland', aliceHash), /closed/);
  });
});

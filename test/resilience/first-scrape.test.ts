/**
 * A restart with bad credentials must be visible to the alerts from the first scrape:
 * configured orgs are in `vmc_up` (0) at once, discovered orgs show `vmc_up{org_id=""} 0`,
 * and the failure counters of the credential path exist at 0 before anything fails, so
 * that `increase()` sees a later first failure (a rotated secret).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, test } from 'node:test';
import { startHarness, type Harness } from '../helpers/exporter-harness.js';

describe('the first scrape after a restart', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('configured orgs, wrong secret: every org in vmc_up as 0; token and CSP failure series present', async () => {
    h = await startHarness({ secretEnvValue: 'a-wrong-secret-4242' });
    const s = await h.scrape();
    assert.equal(s.status, 200);
    for (const org of h.orgs) {
      assert.equal(s.value('vmc_up', { org_id: org }), 0, org);
      assert.equal(s.value('vmc_token_refreshes_total', { org_id: org, result: 'success' }), 0);
      assert.ok((s.value('vmc_token_refreshes_total', { org_id: org, result: 'failure' }) ?? 0) >= 1);
      assert.equal(s.value('vmc_last_success_timestamp_seconds', { org_id: org }), undefined, 'no last success: VMCDataStale cannot fire');
    }
    assert.equal(s.value('vmc_up', { org_id: '' }), undefined, 'no org list with --vmc.org');
    assert.ok((s.value('vmc_api_requests_total', { endpoint: 'token', code: '400' }) ?? 0) >= 1, 'the simulator answers 400');
    for (const code of ['401', '403']) assert.equal(s.value('vmc_api_requests_total', { endpoint: 'token', code }), 0, code);
  });

  test('discovered orgs, wrong secret: only vmc_up{org_id=""} 0, and the unscoped token counters', async () => {
    h = await startHarness({ orgs: [], secretEnvValue: 'a-wrong-secret-4242' });
    const s = await h.scrape();
    assert.deepEqual(s.all('vmc_up').map((x) => [x.labels['org_id'], x.value]), [['', 0]]);
    assert.equal(s.value('vmc_token_refreshes_total', { org_id: '', result: 'success' }), 0);
    assert.ok((s.value('vmc_token_refreshes_total', { org_id: '', result: 'failure' }) ?? 0) >= 1);
    assert.equal(s.all('vmc_last_success_timestamp_seconds').length, 0);
  });

  for (const mode of ['configured', 'discovered'] as const) {
    test(`${mode} orgs: the failure series are 0 before a rotated secret fails, so increase() sees the first failure`, async () => {
      h = await startHarness({ auth: 'oauth-file', ...(mode === 'discovered' ? { orgs: [] } : {}) });
      const label = mode === 'discovered' ? '' : h.orgs[0]!;
      const before = await h.scrape();
      assert.equal(before.value('vmc_up', { org_id: label === '' ? h.sim.orgIds[0]! : label }), 1);
      assert.equal(before.value('vmc_token_refreshes_total', { org_id: label, result: 'failure' }), 0, 'failure counter at 0 while all is well');
      assert.equal(before.value('vmc_api_requests_total', { endpoint: 'token', code: '400' }), 0);

      await writeFile(h.secretFile!, 'rotated-but-wrong-7781\n');
      h.sim.revokeTokens();
      const after = await h.scrape();
      assert.equal(after.value('vmc_token_refreshes_total', { org_id: label, result: 'failure' }), 1, 'the first failure is an increase from 0');
      assert.equal(after.value('vmc_api_requests_total', { endpoint: 'token', code: '400' }), mode === 'discovered' ? 1 : h.orgs.length, 'one per token');
    });
  }
});

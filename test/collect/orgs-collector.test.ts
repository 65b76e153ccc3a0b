/**
 * The `orgs` collector against the simulator: `vmc_org_info` from one
 * `GET /vmc/api/orgs/{org}` per org per 10 minutes with `--vmc.org`, and from the org list
 * (no call of its own) with discovered orgs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO } from '../../sim/src/demo-estate.js';
import { startHarness } from '../helpers/exporter-harness.js';

describe('orgs collector', () => {
  test('--vmc.org: one GET /vmc/api/orgs/{org} per org per TTL, however many scrapes', async () => {
    const h = await startHarness({ orgs: [DEMO.orgs.prod, DEMO.orgs.dev] });
    try {
      for (let i = 0; i < 4; i++) {
        const s = await h.scrape();
        assert.equal(s.value('vmc_org_info', { org_id: DEMO.orgs.prod }), 1);
      }
      const s = await h.scrape();
      assert.equal(s.all('vmc_org_info', { org_id: DEMO.orgs.prod, org_name: 'ACME Production' }).length, 1);
      assert.equal(s.all('vmc_org_info', { org_id: DEMO.orgs.dev, org_name: 'ACME Development' }).length, 1);
      assert.deepEqual(h.sim.stats.orgGetRequests, { [DEMO.orgs.prod]: 1, [DEMO.orgs.dev]: 1 });
      assert.equal(h.sim.stats.orgListRequests, 0);
      h.clock.advance(9 * 60_000);
      await h.scrape();
      assert.deepEqual(h.sim.stats.orgGetRequests, { [DEMO.orgs.prod]: 1, [DEMO.orgs.dev]: 1 }, 'not due before 10 minutes');
      h.clock.advance(60_000);
      await h.scrape();
      await h.scrape();
      assert.deepEqual(h.sim.stats.orgGetRequests, { [DEMO.orgs.prod]: 2, [DEMO.orgs.dev]: 2 });
    } finally {
      await h.close();
    }
  });

  test('discovered orgs: the name comes from the org list, no GET per org', async () => {
    const h = await startHarness({ orgs: [] });
    try {
      const s = await h.scrape();
      assert.equal(s.value('vmc_org_info', { org_id: DEMO.orgs.prod, org_name: 'ACME Production' }), 1);
      assert.equal(s.value('vmc_collector_success', { org_id: DEMO.orgs.prod, collector: 'orgs' }), 1);
      assert.deepEqual(h.sim.stats.orgGetRequests, {});
      assert.equal(h.sim.stats.orgListRequests, 1);
    } finally {
      await h.close();
    }
  });

  test('a 403 on the org: vmc_collector_success 0 for it, vmc_up and the SDDCs untouched, one log line with the hint', async () => {
    const h = await startHarness({ orgs: [DEMO.orgs.prod] });
    try {
      h.sim.addFault({ endpoint: 'orgs', org: DEMO.orgs.prod, status: 403 });
      const s = await h.scrape();
      assert.equal(s.value('vmc_collector_success', { org_id: DEMO.orgs.prod, collector: 'orgs' }), 0);
      assert.equal(s.value('vmc_up', { org_id: DEMO.orgs.prod }), 1);
      assert.equal(s.value('vmc_org_info', { org_id: DEMO.orgs.prod }), undefined);
      assert.ok(s.all('vmc_sddc_info').length > 0);
      await h.scrape();
      assert.equal(h.sim.stats.orgGetRequests[DEMO.orgs.prod], 1, 'a 403 waits for the TTL');
      const warns = h.problems().filter((l) => l['collector'] === 'orgs');
      assert.equal(warns.length, 1);
      assert.match(String(warns[0]?.['hint']), /--no-collector\.orgs/);
    } finally {
      await h.close();
    }
  });
});

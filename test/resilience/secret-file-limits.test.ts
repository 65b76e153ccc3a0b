/**
 * Secret files that are not regular files, or too big, are refused: at startup with one line
 * naming the flag and exit code 2 (a FIFO must not hang the start, a 100 MB file must not be
 * sent as a header), and when the file is re-read for a new token, by failing that token
 * refresh while the process lives on and recovers once the file is fixed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { MAX_SECRET_FILE_BYTES } from '../../src/config/secret-source.js';
import { ConfigError } from '../../src/lib/errors.js';
import { startHarness } from '../helpers/exporter-harness.js';
import { cleanEnv, EXPORTER_BIN, requireBuild, runNode, waitFor } from '../helpers/processes.js';

const NOT_REGULAR = 'not a regular file (a FIFO, socket or device)';
const TOO_LARGE = 'larger than 64 KiB';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmc-secret-limits-'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  // Sparse: 100 MB on paper, nothing on disk.
  await writeFile(join(dir, 'huge'), '');
  await truncate(join(dir, 'huge'), 100 * 1024 * 1024);
  await writeFile(join(dir, 'just-over'), 'x'.repeat(MAX_SECRET_FILE_BYTES + 1));
  await writeFile(join(dir, 'at-limit'), 's'.repeat(MAX_SECRET_FILE_BYTES));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cases = (d: string): Array<{ name: string; flag: string; path: string; env: Record<string, string>; reason: string }> => [
  { name: 'a FIFO as client secret', flag: '--auth.client-secret-file', path: join(d, 'fifo'), env: { VMC_CLIENT_ID: 'app-id' }, reason: NOT_REGULAR },
  { name: 'a FIFO as API token', flag: '--auth.api-token-file', path: join(d, 'fifo'), env: {}, reason: NOT_REGULAR },
  { name: 'a character device', flag: '--auth.api-token-file', path: '/dev/zero', env: {}, reason: NOT_REGULAR },
  { name: 'a 100 MB file', flag: '--auth.client-secret-file', path: join(d, 'huge'), env: { VMC_CLIENT_ID: 'app-id' }, reason: TOO_LARGE },
  { name: 'a file one byte over 64 KiB', flag: '--auth.api-token-file', path: join(d, 'just-over'), env: {}, reason: TOO_LARGE },
];

describe('secret files at startup (in process)', () => {
  for (const i of cases('<dir>').keys()) {
    test(`${cases('<dir>')[i]?.name}: refused at once`, { timeout: 10_000 }, async () => {
      const c = cases(dir)[i];
      assert.ok(c);
      await assert.rejects(parseCommandLine([`${c.flag}=${c.path}`], c.env, { version: 't', collectors: COLLECTORS }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `${c.flag}: cannot read "${c.path}": ${c.reason}`);
        return true;
      });
    });
  }

  test('a file of exactly 64 KiB is accepted', async () => {
    const parsed = await parseCommandLine([`--auth.api-token-file=${join(dir, 'at-limit')}`], {}, { version: 't', collectors: COLLECTORS });
    assert.equal(parsed.action, 'run');
    if (parsed.action !== 'run') return;
    assert.equal((await parsed.config.auth?.readSecret())?.length, MAX_SECRET_FILE_BYTES);
  });
});

describe('secret files at startup (built binary)', { concurrency: 3 }, () => {
  before(() => requireBuild());
  for (const i of cases('<dir>').keys()) {
    test(`${cases('<dir>')[i]?.name}: exit 2, one line naming the flag`, async () => {
      const c = cases(dir)[i];
      assert.ok(c);
      const r = await runNode(EXPORTER_BIN, ['--web.listen-address=127.0.0.1:0', `${c.flag}=${c.path}`], cleanEnv(c.env), 10_000);
      assert.equal(r.signal, null, 'not killed after hanging');
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `vmc-exporter: ${c.flag}: cannot read "${c.path}": ${c.reason}\n`);
    });
  }
});

describe('secret files re-read at runtime', () => {
  test('a secret file replaced by a FIFO, then by a huge file, fails the token refresh; fixing it recovers', { timeout: 30_000 }, async () => {
    const h = await startHarness({ auth: 'oauth-file' });
    try {
      const file = h.secretFile ?? '';
      const secret = h.sim.credentials.clientSecret;
      const org = h.orgs[0] ?? '';
      assert.equal((await h.scrape(3)).value('vmc_up', { org_id: org }), 1);

      for (const [make, reason] of [
        [() => execFileSync('mkfifo', [file]), NOT_REGULAR],
        [() => execFileSync('truncate', ['-s', '100M', file]), TOO_LARGE],
      ] as const) {
        await unlink(file);
        make();
        h.sim.revokeTokens();
        const s = await h.scrape(3);
        assert.equal(s.status, 200);
        assert.equal(s.value('vmc_up', { org_id: org }), 0, 'the org fails, the process answers');
        await waitFor(`a log line saying ${reason}`, () => h.rawLogs().includes(reason), { timeoutMs: 5_000, intervalMs: 20 });
      }

      await unlink(file);
      await writeFile(file, `${secret}\n`);
      const s = await h.scrape(3);
      assert.equal(s.value('vmc_up', { org_id: org }), 1, 'recovered once the file is a regular file again');
    } finally {
      await h.close();
    }
  });
});

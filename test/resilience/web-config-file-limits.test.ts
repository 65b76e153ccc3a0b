/**
 * The web config file and the certificate files it names are read only when they are
 * regular files of at most 1 MiB: a FIFO or a device given as --web.config.file is refused
 * at once with one line and exit code 2 (it must not hang the start), and a file replaced by
 * one on a running exporter keeps the last good configuration (a reload must not hang).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { ManualClock } from '../../src/lib/clock.js';
import { ConfigError } from '../../src/lib/errors.js';
import { loadWebConfig, WebConfigSource } from '../../src/web-config/index.js';
import { cleanEnv, EXPORTER_BIN, requireBuild, runNode } from '../helpers/processes.js';
import { RecordingLogger } from '../helpers/tls-fixtures.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmc-web-limits-'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await writeFile(join(dir, 'huge.yml'), `# ${'x'.repeat(1024 * 1024)}\n`);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('web config files that are not regular files, or too big', () => {
  for (const [name, file, reason] of [
    ['a FIFO', 'fifo', 'not a regular file (a FIFO, socket or device)'],
    ['a file over 1 MiB', 'huge.yml', 'larger than 1024 KiB'],
  ] as const) {
    test(`${name}: refused at once at load`, { timeout: 10_000 }, async () => {
      const path = join(dir, file);
      await assert.rejects(loadWebConfig(path), new ConfigError(`--web.config.file: cannot read "${path}": ${reason}`));
    });
  }

  test('the built exporter with a FIFO as --web.config.file exits 2 at once with one line', { timeout: 20_000 }, async () => {
    requireBuild();
    const fifo = join(dir, 'fifo');
    const r = await runNode(EXPORTER_BIN, ['--demo', '--web.listen-address=127.0.0.1:0', `--web.config.file=${fifo}`], cleanEnv());
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `vmc-exporter: --web.config.file: cannot read "${fifo}": not a regular file (a FIFO, socket or device)\n`);
  });

  test('a web config replaced by a FIFO on a running exporter: the reload keeps the last good one, warns, and does not hang', { timeout: 10_000 }, async () => {
    const file = join(dir, 'web.yml');
    await writeFile(file, `basic_auth_users:\n  alice: "${bcrypt.hashSync('x', 4)}"\n`);
    const logger = new RecordingLogger();
    const source = await WebConfigSource.open(file, { clock: new ManualClock(), logger });
    const swap = join(dir, 'fifo-swap');
    execFileSync('mkfifo', [swap]);
    await rename(swap, file);
    await source.reload();
    assert.deepEqual([...(source.current().users?.keys() ?? [])], ['alice']);
    assert.match(JSON.stringify(logger.warnings), /not a regular file/);
  });
});

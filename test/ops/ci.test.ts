/**
 * CI runs the test suite on the Docker image's own Node release too: .ci/run takes the
 * version from the Dockerfile's FROM lines, so the two cannot part.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readRepoFile, run } from './lib/tools.js';

describe('.ci/run', () => {
  const script = readRepoFile('.ci/run');

  test("reads the Docker image's exact Node release from the Dockerfile", () => {
    const line = script.split('\n').find((l) => l.startsWith('image_node='));
    assert.ok(line, 'an image_node= line');
    const r = run('bash', ['-c', `${line}\nprintf %s "$image_node"`]);
    assert.equal(r.status, 0, r.stderr);
    const from = /^FROM node:(\S+)-slim/m.exec(readRepoFile('Dockerfile'))?.[1];
    assert.equal(r.stdout, from);
    assert.match(r.stdout, /^\d+\.\d+\.\d+$/);
  });

  test('runs npm test, then the test suite on that release through the npm package node', () => {
    const test = script.indexOf('\nnpm test\n');
    const again = script.indexOf('npx --yes --package "node@${image_node}"');
    assert.ok(test > 0 && again > test, 'npm test first, then the suite on the image release');
    assert.match(script.slice(again), /npm run test:unit/);
    assert.match(script.slice(again), /node --version\)" = "v'"\$\{image_node\}"/, 'and checks that it runs on that release');
  });
});

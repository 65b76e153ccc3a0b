/**
 * The PromQL examples of the user docs (` ```promql ` blocks of README.md and docs/*.md) are
 * valid PromQL: promtool parses each. The Prometheus integration test also runs them against
 * a real server and requires every selector in them to match series.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertPromqlParses, requireTools } from '../ops/lib/tools.js';
import { docExamples, promqlExamples } from './markdown.js';

describe('PromQL examples in the docs', () => {
  test('splits a block into its queries: blank and comment lines end one', () => {
    const md = ['text', '```promql', '# one', 'a', '  * on (x) b', '', '# two', 'c', 'unless', 'd', '# three', 'e', '```', '```', 'not promql', '```'].join('\n');
    assert.deepEqual(promqlExamples(md), [
      { expr: 'a\n  * on (x) b', line: 4 },
      { expr: 'c\nunless\nd', line: 8 },
      { expr: 'e', line: 12 },
    ]);
  });

  test('the README has examples', () => {
    assert.ok(docExamples().filter((e) => e.where.startsWith('README.md:')).length >= 5);
  });

  test('every example is valid PromQL (promtool)', (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    assertPromqlParses(tools.promtool!, docExamples(), 'doc examples');
  });
});

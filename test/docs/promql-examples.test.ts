/**
 * The PromQL examples of the user docs (` ```promql ` blocks of README.md and docs/*.md) are
 * valid PromQL: promtool parses each. The Prometheus integration test also runs them against
 * a real server and requires every selector in them to match series.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { assertRunOk, requireTools, run } from '../ops/lib/tools.js';
import { docExamples, promqlExamples } from './markdown.js';

describe('PromQL examples in the docs', () => {
  test('splits a block into its queries: blank and comment lines end one, indented lines continue it', () => {
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
    const examples = docExamples();
    // Recording rules are the one place promtool parses PromQL offline; the rule name says where the query is.
    const name = (where: string): string => `docs_example:${where.replace(/[^A-Za-z0-9]+/g, '_')}`;
    const rules = { groups: [{ name: 'doc-examples', rules: examples.map((e) => ({ record: name(e.where), expr: e.expr })) }] };
    const dir = mkdtempSync(join(tmpdir(), 'vmc-doc-promql-'));
    try {
      const file = join(dir, 'examples.yml');
      writeFileSync(file, stringify(rules));
      assertRunOk(run(tools.promtool!, ['check', 'rules', file]), `promtool check rules on ${examples.length} doc examples`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

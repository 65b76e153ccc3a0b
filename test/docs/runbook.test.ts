/**
 * docs/runbook.md has one `##` section per alert, headed by the alert's name, so that
 * `docs/runbook.md#<alert in lower case>` leads to it; and no section for an alert that does
 * not exist.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ROOT, githubSlug, markdownAnchors } from './markdown.js';

const RUNBOOK = 'docs/runbook.md';

interface RulesFile {
  readonly groups?: ReadonlyArray<{ readonly rules?: ReadonlyArray<{ readonly alert?: string }> }>;
}

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Alert names of every rule file prometheus.yml loads (paths relative to it). */
function alertNames(): string[] {
  const config = parseYaml(read('prometheus.yml')) as { rule_files?: string[] };
  const files = config.rule_files ?? [];
  assert.ok(files.length > 0, 'prometheus.yml loads no rule files');
  return files.flatMap((file) =>
    ((parseYaml(read(file)) as RulesFile).groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.alert ? [r.alert] : []))),
  );
}

/** Texts of the level-2 headings outside code blocks. */
function sections(markdown: string): string[] {
  const out: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s{0,3}(```|~~~)/.test(line)) inFence = !inFence;
    const m = /^## (.+?)\s*$/.exec(line);
    if (!inFence && m?.[1]) out.push(m[1]);
  }
  return out;
}

describe(RUNBOOK, () => {
  const alerts = alertNames();
  const headings = sections(read(RUNBOOK));

  it('has a section headed by the name of every alert', () => {
    assert.ok(alerts.length >= 10, `only ${alerts.length} alerts`);
    assert.deepEqual(alerts.filter((a) => !headings.includes(a)), []);
  });

  it('has no other level-2 section, and none twice', () => {
    assert.deepEqual(headings.filter((h) => !alerts.includes(h)), []);
    assert.deepEqual(headings.filter((h, i) => headings.indexOf(h) !== i), []);
  });

  it('each section is reachable as #<alert in lower case>', () => {
    const anchors = markdownAnchors(read(RUNBOOK));
    for (const alert of alerts) {
      assert.equal(githubSlug(alert), alert.toLowerCase());
      assert.ok(anchors.has(alert.toLowerCase()), alert);
    }
  });
});

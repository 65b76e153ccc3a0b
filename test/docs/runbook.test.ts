/**
 * docs/runbook.md has one `##` section per alert, headed by the alert's name, so that
 * `docs/runbook.md#<alert in lower case>` leads to it; and no section for an alert that does
 * not exist. Every section opens with its first steps, and every alert links its section
 * (`runbook_url`, under the one docs base URL) and carries those steps (`runbook`), in the
 * rules files, their unit tests and the Kubernetes PrometheusRule alike: what
 * `npm run gen:rules` writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { GENERATED_DIR } from '../../scripts/kubernetes-files.js';
import { FIRST_STEPS, firstSteps, rulesFiles } from '../../scripts/rules-files.js';
import { DOCS_BASE_URL, runbookUrl } from '../../src/lib/docs-links.js';
import { ROOT, githubSlug, markdownAnchors } from './markdown.js';

const RUNBOOK = 'docs/runbook.md';

interface RulesFile {
  readonly groups?: ReadonlyArray<{ readonly rules?: ReadonlyArray<{ readonly alert?: string; readonly annotations?: Record<string, string> }> }>;
}

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The rule files prometheus.yml loads (paths relative to it). */
function ruleFiles(): string[] {
  const config = parseYaml(read('prometheus.yml')) as { rule_files?: string[] };
  const files = config.rule_files ?? [];
  assert.ok(files.length > 0, 'prometheus.yml loads no rule files');
  return files;
}

/** The alerts of rules given as a rules file or a PrometheusRule spec: name and annotations. */
const alertsOf = (rules: RulesFile): Array<{ alert: string; annotations: Record<string, string> }> =>
  (rules.groups ?? []).flatMap((g) => (g.rules ?? []).flatMap((r) => (r.alert ? [{ alert: r.alert, annotations: r.annotations ?? {} }] : [])));

/** Alert names of every rule file prometheus.yml loads. */
const alertNames = (): string[] => ruleFiles().flatMap((file) => alertsOf(parseYaml(read(file)) as RulesFile).map((a) => a.alert));

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

  it(`each section has its first steps: a "${FIRST_STEPS}" paragraph of one or two plain sentences`, () => {
    const steps = firstSteps(read(RUNBOOK));
    assert.deepEqual(alerts.filter((a) => !steps.has(a)), [], 'sections without first steps');
    for (const [alert, text] of steps) {
      assert.ok(text.length >= 40 && text.length <= 250, `${alert}: ${text.length} characters`);
      assert.ok((text.match(/[.!?](?=\s|$)/g) ?? []).length <= 2, `${alert}: one or two sentences`);
      assert.match(text, /[.!?]$/, `${alert}: a whole sentence`);
      // Prometheus expands annotations as templates; a link or markup reads badly in a page.
      assert.doesNotMatch(text, /\{\{|\]\(|<\/?[a-z]|\*\*/i, `${alert}: no template, link or markup`);
    }
  });
});

describe('the alerts lead to their runbook sections', () => {
  const steps = firstSteps(read(RUNBOOK));

  it('the docs base URL is an https URL of a folder, and an alert\'s runbook_url is docs/runbook.md#<alert> under it', () => {
    assert.match(DOCS_BASE_URL, /^https:\/\/[^\s"'<>]+\/$/);
    assert.equal(runbookUrl('VMCDataStale'), `${DOCS_BASE_URL}docs/runbook.md#vmcdatastale`);
  });

  it('every alert of the rules files and of the Kubernetes PrometheusRules has runbook_url and runbook from its section', () => {
    const generated = ruleFiles().map((file) => {
      const name = /([^/]+)\.yml$/.exec(file)![1]!;
      const rule = parseYaml(read(`${GENERATED_DIR}/prometheusrule-${name}.yaml`)) as { spec: RulesFile };
      return { where: `${GENERATED_DIR}/prometheusrule-${name}.yaml`, rules: rule.spec };
    });
    const sources = [...ruleFiles().map((file) => ({ where: file, rules: parseYaml(read(file)) as RulesFile })), ...generated];
    for (const { where, rules } of sources) {
      const found = alertsOf(rules);
      assert.deepEqual(found.map((a) => a.alert), alertNames(), `${where}: the same alerts as the rules files`);
      for (const { alert, annotations } of found) {
        assert.equal(annotations['runbook_url'], runbookUrl(alert), `${where}: ${alert} runbook_url`);
        assert.equal(annotations['runbook'], steps.get(alert), `${where}: ${alert} runbook`);
      }
    }
  });

  it('the rules files and their unit tests hold what npm run gen:rules writes', () => {
    for (const [path, content] of rulesFiles(ROOT)) assert.equal(read(path), content, `${path} differs from its generated form: run npm run gen:rules`);
  });
});

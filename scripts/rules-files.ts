/**
 * The runbook annotations of the alert rules, as pure functions of the repository's sources:
 * every alert's `runbook_url` is its section of docs/runbook.md under the docs base URL
 * (`DOCS_BASE_URL`, src/lib/docs-links.ts), and its `runbook` annotation is that section's
 * "**First steps.**" paragraph as one line of text. `npm run gen:rules` (scripts/gen-rules.ts)
 * writes both into prometheus/rules/*.yml, and into the expected alerts of the rule unit
 * tests (*.test.yml, which promtool compares annotation by annotation). Only those lines
 * change: comments and layout of the files stay as they are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runbookUrl } from '../src/lib/docs-links.js';

/** The rules and their unit tests, relative to the repository root. */
export const RULES_DIR = 'prometheus/rules';

/** The runbook, relative to the repository root. */
export const RUNBOOK = 'docs/runbook.md';

/** What opens the first-steps paragraph of a runbook section. */
export const FIRST_STEPS = '**First steps.**';

/** Annotation text wider than this is folded onto the next line. */
const WIDTH = 100;

/** What the annotations of one alert are made of. */
export interface RunbookSources {
  /** The `runbook_url` of an alert. */
  readonly url: (alert: string) => string;
  /** The first steps of each alert's runbook section, as one line of text. */
  readonly steps: ReadonlyMap<string, string>;
}

/**
 * The "**First steps.**" paragraph of every `## <alert>` section of the runbook, as one line
 * of text without the marker (code spans keep their backticks, which chat receivers render).
 */
export function firstSteps(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  let section: string | undefined;
  let paragraph: string[] | undefined;
  let fenced = false;
  const flush = () => {
    if (section !== undefined && paragraph !== undefined) {
      out.set(section, paragraph.join(' ').slice(FIRST_STEPS.length).replace(/\s+/g, ' ').trim());
    }
    paragraph = undefined;
  };
  for (const line of markdown.split('\n')) {
    if (/^\s{0,3}(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^## (\S+)\s*$/.exec(line);
    if (heading) {
      flush();
      section = heading[1];
      continue;
    }
    if (line.trim() === '') flush();
    else if (paragraph !== undefined) paragraph.push(line.trim());
    else if (line.startsWith(FIRST_STEPS) && section !== undefined && !out.has(section)) paragraph = [line.trim()];
  }
  flush();
  return out;
}

/** `text` as a folded block scalar (`>-`) whose lines start at `indent` and stay within {@link WIDTH}. */
function folded(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/**
 * `text` (a rules file or a rule unit-test file) with the `runbook_url` and `runbook`
 * annotations of every alert it names written from `sources`: each `runbook_url:` line is
 * rewritten, and the `runbook:` entry right after it replaced or added. The alert is the one
 * of the enclosing `- alert:` rule, or, in a unit-test file, of the enclosing `alertname:`.
 * Throws when an alert has no runbook section with first steps.
 */
export function withRunbookAnnotations(text: string, sources: RunbookSources, where: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let alert: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const named = /^\s*(?:- alert|alertname): (\S+)\s*$/.exec(line);
    if (named) alert = named[1];
    const url = /^(\s*)runbook_url:/.exec(line);
    if (!url) {
      out.push(line);
      continue;
    }
    const indent = url[1]!;
    if (alert === undefined) throw new Error(`${where}:${i + 1}: runbook_url outside an alert`);
    const steps = sources.steps.get(alert);
    if (steps === undefined) throw new Error(`${RUNBOOK}: no "## ${alert}" section with a "${FIRST_STEPS}" paragraph (needed by ${where})`);
    out.push(`${indent}runbook_url: ${sources.url(alert)}`, `${indent}runbook: >-`, ...folded(steps, `${indent}  `));
    // Skip the runbook entry this replaces: its key line and the lines indented below it.
    if (lines[i + 1]?.startsWith(`${indent}runbook:`)) {
      i++;
      while (i + 1 < lines.length && lines[i + 1]!.startsWith(`${indent} `)) i++;
    }
  }
  return out.join('\n');
}

interface AlertEntry {
  readonly alert?: string;
  readonly annotations?: Record<string, unknown>;
}
interface RulesShape {
  readonly groups?: ReadonlyArray<{ readonly rules?: readonly AlertEntry[] }>;
}
interface TestsShape {
  readonly tests?: ReadonlyArray<{
    readonly alert_rule_test?: ReadonlyArray<{ readonly alertname: string; readonly exp_alerts?: ReadonlyArray<{ readonly exp_annotations?: Record<string, unknown> }> }>;
  }>;
}

/** Throws unless every alert of a rules file (or every expected alert of a test file) carries the annotations `sources` give. */
function assertAnnotated(text: string, sources: RunbookSources, where: string, kind: 'rules' | 'tests'): void {
  const check = (alert: string, annotations: Record<string, unknown> | undefined, what: string) => {
    const want = { runbook_url: sources.url(alert), runbook: sources.steps.get(alert) };
    const got = { runbook_url: annotations?.['runbook_url'], runbook: annotations?.['runbook'] };
    if (got.runbook_url !== want.runbook_url || got.runbook !== want.runbook) {
      throw new Error(`${where}: ${what} of ${alert} lacks its runbook_url (add a runbook_url line, any value, as the last annotation) or its runbook annotation`);
    }
  };
  if (kind === 'rules') {
    for (const group of (parse(text) as RulesShape).groups ?? []) {
      for (const rule of group.rules ?? []) if (rule.alert) check(rule.alert, rule.annotations, 'the annotations');
    }
    return;
  }
  for (const tc of (parse(text) as TestsShape).tests ?? []) {
    for (const t of tc.alert_rule_test ?? []) {
      for (const a of t.exp_alerts ?? []) if (a.exp_annotations) check(t.alertname, a.exp_annotations, 'an expected alert');
    }
  }
}

/** The sources of the annotations in the repository at `root`. */
export function runbookSources(root: string): RunbookSources {
  return { url: (alert) => runbookUrl(alert), steps: firstSteps(readFileSync(join(root, RUNBOOK), 'utf8')) };
}

/**
 * Every file of prometheus/rules/ (rules and unit tests) with its runbook annotations written:
 * repository-relative path → content. Throws when an alert lacks a runbook section or the
 * line to write its annotations at.
 */
export function rulesFiles(root: string, sources: RunbookSources = runbookSources(root)): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(join(root, RULES_DIR)).filter((f) => f.endsWith('.yml')).sort()) {
    const path = `${RULES_DIR}/${file}`;
    const text = withRunbookAnnotations(readFileSync(join(root, path), 'utf8'), sources, path);
    assertAnnotated(text, sources, path, file.endsWith('.test.yml') ? 'tests' : 'rules');
    files.set(path, text);
  }
  return files;
}

/**
 * The flag table in the docs is the one the code renders, lists every flag of `--help`, and
 * every exporter flag the README and docs name exists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { flagsMarkdown as renderFlagsMarkdown, helpText as renderHelp } from '../../src/cli-flags.js';
import { VERSION } from '../../src/version.js';
import { FLAGS_BEGIN, FLAGS_DOC, FLAGS_END, readFlagsBlock, replaceFlagsBlock } from '../../scripts/flags-doc.js';
import { ROOT, userDocs } from './markdown.js';

/** Flags the docs name on purpose although they do not exist: they are refused (secrets on argv). */
const REFUSED = ['auth.client-secret', 'auth.api-token'];

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** `--name` with any `[no-]` / `no-` prefix removed. */
function normalise(name: string): string {
  return name.replace(/^\[no-\]/, '').replace(/^no-/, '');
}

/** Flag names (without `--`) in the first column of the generated table. */
function tableFlags(table: string): string[] {
  const names: string[] = [];
  for (const line of table.split('\n')) {
    const m = /^\|\s*`--((?:\[no-\])?[A-Za-z0-9][\w.-]*)/.exec(line);
    if (m?.[1]) names.push(normalise(m[1]));
  }
  return names;
}

/** Flag names (without `--`) that start a line of `--help` (after `-h, ` and the like). */
function helpFlags(help: string): string[] {
  const names = new Set<string>();
  for (const line of help.split('\n')) {
    const m = /^\s*(?:-[A-Za-z],\s*)?--((?:\[no-\])?[A-Za-z0-9][\w.-]*[A-Za-z0-9])/.exec(line);
    if (m?.[1]) names.add(normalise(m[1]));
  }
  return [...names];
}

describe(`the flag table in ${FLAGS_DOC}`, () => {
  const table = readFlagsBlock(read(FLAGS_DOC));

  it('is what renderFlagsMarkdown() renders (run npm run docs:flags)', () => {
    assert.equal(table, renderFlagsMarkdown());
  });

  it('lists every flag of --help', () => {
    const documented = new Set(tableFlags(table));
    const help = helpFlags(renderHelp(VERSION));
    assert.ok(help.includes('web.listen-address') && help.includes('help'), `flags read from --help: ${help.join(' ')}`);
    assert.deepEqual(help.filter((f) => !documented.has(f)), [], `flags of --help missing from ${FLAGS_DOC}`);
  });

  it('has no flag twice', () => {
    const names = tableFlags(table);
    assert.ok(names.length > 0);
    assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), []);
  });
});

describe('flags named in README.md and docs/*.md', () => {
  it('exist (except the refused secret flags, which must not)', () => {
    const known = new Set(tableFlags(readFlagsBlock(read(FLAGS_DOC))));
    for (const refused of REFUSED) assert.ok(!known.has(refused), `--${refused} is a flag now: drop it from REFUSED`);
    const namespaces = [...new Set([...known].filter((f) => f.includes('.')).map((f) => f.split('.')[0]))];
    const pattern = new RegExp(`--((?:no-)?(?:${namespaces.join('|')})\\.[A-Za-z0-9._-]*[A-Za-z0-9])`, 'g');
    const unknown: string[] = [];
    let seen = 0;
    for (const doc of userDocs()) {
      for (const m of read(doc).matchAll(pattern)) {
        seen++;
        const name = normalise(m[1] ?? '');
        if (known.has(name) || REFUSED.includes(name) || matchesPlaceholder(name, known)) continue;
        unknown.push(`${doc}: --${name}`);
      }
    }
    assert.ok(seen >= 20, `only ${seen} flag mentions found`);
    assert.deepEqual([...new Set(unknown)], []);
  });
});

/** `collector.NAME.ttl` matches `collector.sddcs.ttl`: an upper-case segment stands for any name. */
function matchesPlaceholder(name: string, known: ReadonlySet<string>): boolean {
  if (!/\.[A-Z][A-Z0-9_]*(?:\.|$)/.test(name)) return false;
  const re = new RegExp(`^${name.split('.').map((s) => (/^[A-Z][A-Z0-9_]*$/.test(s) ? '[a-z0-9_-]+' : s.replace(/[-]/g, '\\-'))).join('\\.')}$`);
  return [...known].some((k) => re.test(k));
}

describe('reading flag names', () => {
  it('from --help in our layout and in yargs\' layout', () => {
    const ours = ['Flags:', '  --web.listen-address=ADDR', '      Address to listen on [default: :10040]', '  --demo', '      Start the simulator; see --web.config.file'].join('\n');
    assert.deepEqual(helpFlags(ours), ['web.listen-address', 'demo']);
    const yargs = ['Options:', '  -h, --help                 Show help  [boolean]', '      --web.listen-address   Address  [string] [default: ":10040"]', '      --[no-]collector.sddcs  SDDCs  [boolean] [default: true]'].join('\n');
    assert.deepEqual(helpFlags(yargs), ['help', 'web.listen-address', 'collector.sddcs']);
  });

  it('from the table, with [no-] prefixes removed', () => {
    const table = ['| Flag | Environment | Default | Meaning |', '| --- | --- | --- | --- |', '| `--vmc.org=ID` | `VMC_ORG_IDS` |  | x |', '| `--[no-]collector.sddcs` |  | on | y |'].join('\n');
    assert.deepEqual(tableFlags(table), ['vmc.org', 'collector.sddcs']);
  });

  it('placeholders in the docs match real flags', () => {
    const known = new Set(['collector.sddcs.ttl', 'cache.ttl']);
    assert.ok(matchesPlaceholder('collector.NAME.ttl', known));
    assert.ok(!matchesPlaceholder('collector.NAME.window', known));
    assert.ok(!matchesPlaceholder('cache.tll', known));
  });
});

describe('replacing the generated block', () => {
  const doc = ['# Flags', '', FLAGS_BEGIN, 'old table', FLAGS_END, '', 'after'].join('\n');

  it('replaces only the text between the markers', () => {
    assert.equal(readFlagsBlock(doc), 'old table\n');
    const next = replaceFlagsBlock(doc, '| new |\n');
    assert.equal(next, ['# Flags', '', FLAGS_BEGIN, '| new |', FLAGS_END, '', 'after'].join('\n'));
    assert.equal(replaceFlagsBlock(next, '| new |\n'), next);
  });

  it('refuses a document without the markers, with a repeated or unterminated block', () => {
    assert.throws(() => readFlagsBlock('# Flags\n'), /no "<!-- flags:begin -->" line/);
    assert.throws(() => readFlagsBlock(`${doc}\n${FLAGS_BEGIN}\n`), /appears more than once/);
    assert.throws(() => readFlagsBlock(`${FLAGS_BEGIN}\nno end\n`), /no "<!-- flags:end -->"/);
  });

  it('a doc that differs from the rendered table is detected', () => {
    const stale = replaceFlagsBlock(read(FLAGS_DOC), renderFlagsMarkdown().replace('`:10040`', '`:9999`'));
    assert.notEqual(readFlagsBlock(stale), renderFlagsMarkdown());
    assert.equal(readFlagsBlock(replaceFlagsBlock(stale, renderFlagsMarkdown())), renderFlagsMarkdown());
  });
});

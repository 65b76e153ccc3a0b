/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file exists and, for an
 * anchor into a Markdown file, so does the heading (GitHub's anchor rules).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, brokenLinks, githubSlug, markdownAnchors, markdownLinks, userDocs } from './markdown.js';

describe('links in the user docs', () => {
  it('every relative link points to an existing file and heading', () => {
    const docs = userDocs();
    assert.ok(docs.includes('README.md') && docs.includes('docs/runbook.md'), docs.join(', '));
    const { problems, checked, anchors } = brokenLinks(ROOT, docs);
    assert.deepEqual(problems, []);
    assert.ok(checked >= 30, `only ${checked} relative links found`);
    assert.ok(anchors >= 10, `only ${anchors} anchors checked`);
  });

  it('the README links every document in docs/', () => {
    const linked = new Set(markdownLinks(readDoc('README.md')).map((l) => l.target.replace(/#.*$/, '')));
    const missing = userDocs().filter((d) => d !== 'README.md' && !linked.has(d));
    assert.deepEqual(missing, []);
  });
});

describe('GitHub anchors', () => {
  it('follow GitHub: lower case, spaces to -, punctuation dropped', () => {
    assert.equal(githubSlug('VMCExporterDown'), 'vmcexporterdown');
    assert.equal(githubSlug('Operator kit: Prometheus, Alertmanager, Grafana, Docker'), 'operator-kit-prometheus-alertmanager-grafana-docker');
    assert.equal(githubSlug('TLS and basic authentication (`--web.config.file`)'), 'tls-and-basic-authentication---webconfigfile');
    assert.equal(githubSlug('Client certificates (mTLS)'), 'client-certificates-mtls');
    assert.equal(githubSlug('See [the runbook](runbook.md) and snake_case'), 'see-the-runbook-and-snake_case');
    assert.equal(githubSlug('Endpoints, logs and shutdown'), 'endpoints-logs-and-shutdown');
  });

  it('repeated headings get -1, -2; code blocks define none; <a id> counts', () => {
    const md = ['# Notes', '## Notes', '```', '# not a heading', '```', '### Notes ###', '<a id="custom"></a>'].join('\n');
    assert.deepEqual([...markdownAnchors(md)].sort(), ['custom', 'notes', 'notes-1', 'notes-2']);
  });
});

describe('the link check itself', () => {
  it('reports a missing file, a missing heading and a link outside the repository, and skips code and URLs', () => {
    const root = mkdtempSync(join(tmpdir(), 'docs-links-'));
    try {
      mkdirSync(join(root, 'docs'));
      writeFileSync(join(root, 'docs', 'a.md'), '# A\n\n## Real heading\n\nSee [self](#real-heading).\n');
      writeFileSync(
        join(root, 'README.md'),
        [
          '# Readme',
          '[ok](docs/a.md#real-heading) [ok too](docs/a.md) [web](https://example.com/x.md#nope)',
          '[gone](docs/missing.md) [bad anchor](docs/a.md#no-such-heading) [own](#readme) [own bad](#nope)',
          '[outside](../elsewhere.md)',
          '`[code](docs/missing-in-code.md)`',
          '```',
          '[fenced](docs/missing-in-fence.md)',
          '```',
        ].join('\n'),
      );
      const { problems, checked } = brokenLinks(root, ['README.md', 'docs/a.md']);
      assert.deepEqual(problems, [
        'README.md:3: docs/missing.md: docs/missing.md does not exist',
        'README.md:3: docs/a.md#no-such-heading: docs/a.md has no heading or anchor "no-such-heading"',
        'README.md:3: #nope: README.md has no heading or anchor "nope"',
        'README.md:4: ../elsewhere.md: points outside the repository',
      ]);
      assert.equal(checked, 8);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function readDoc(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

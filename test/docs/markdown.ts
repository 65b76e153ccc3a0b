/**
 * Reading Markdown the way GitHub renders it, for the docs tests: the anchors a document
 * defines, the links it contains, and the relative links that lead nowhere.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The user documents: `README.md` and every `docs/*.md`, repository-relative. */
export function userDocs(root: string = ROOT): string[] {
  const docs = readdirSync(join(root, 'docs'), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => `docs/${e.name}`)
    .sort();
  return ['README.md', ...docs];
}

/** The lines of `markdown` outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, i) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (m?.[1]) {
      if (fence === undefined) fence = m[1][0];
      else if (m[1][0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ text, line: i + 1 });
  });
  return out;
}

/**
 * The anchor GitHub gives a heading: the rendered text (links and images reduced to their
 * text, HTML tags and code-span backticks dropped), lower-cased, every character that is not a
 * letter, digit, space, `-` or `_` removed, then each space turned into `-`.
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Every anchor a Markdown document defines: one per ATX heading (a repeated slug gets `-1`,
 * `-2`, … as on GitHub) and every explicit `<a id="…">` or `<a name="…">`.
 */
export function markdownAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (heading?.[1] !== undefined) {
      const slug = githubSlug(heading[1]);
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) if (m[1]) anchors.add(m[1]);
  }
  return anchors;
}

/** One link in a document. */
export interface Link {
  /** The link target as written (`docs/x.md#y`, `#y`, `https://…`). */
  readonly target: string;
  /** 1-based line number. */
  readonly line: number;
}

/**
 * Every link and image target of a Markdown document outside code: inline `[text](target)`,
 * `![alt](target)`, `<target>` in inline links, reference definitions `[label]: target`,
 * and HTML `href`/`src` attributes. Code spans and fenced blocks are skipped.
 */
export function markdownLinks(markdown: string): Link[] {
  const links: Link[] = [];
  for (const { text, line } of proseLines(markdown)) {
    const prose = text.replace(/(`+)(?:(?!\1).)+?\1/g, '');
    for (const m of prose.matchAll(/\]\(\s*(?:<([^>]*)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: m[1] ?? m[2] ?? '', line });
    }
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(prose);
    if (def?.[1]) links.push({ target: def[1], line });
    for (const m of prose.matchAll(/\b(?:href|src)="([^"]*)"/g)) links.push({ target: m[1] ?? '', line });
  }
  return links;
}

/** True for a target with a URL scheme (`https:`, `mailto:`) or a protocol-relative `//host`. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The relative links of `docs` that lead nowhere: a file that does not exist, or an anchor
 * into a Markdown file that has no such heading or explicit anchor.
 *
 * @param root - the repository root
 * @param docs - repository-relative paths of the documents to check
 * @returns one message per broken link, `file:line: target: reason`; and how many links
 *   (relative ones, and anchors among them) were checked
 */
export function brokenLinks(root: string, docs: readonly string[]): { problems: string[]; checked: number; anchors: number } {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  let checked = 0;
  let anchors = 0;
  for (const doc of docs) {
    const from = join(root, doc);
    for (const { target, line } of markdownLinks(readFileSync(from, 'utf8'))) {
      if (isExternal(target)) continue;
      checked++;
      const where = `${doc}:${line}: ${target}`;
      const hash = target.indexOf('#');
      const pathPart = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
      const anchor = hash === -1 ? undefined : target.slice(hash + 1);
      let file: string;
      try {
        file = pathPart === '' ? from : resolve(dirname(from), decodeURIComponent(pathPart));
      } catch {
        problems.push(`${where}: not a valid path`);
        continue;
      }
      if (relative(root, file).startsWith('..')) {
        problems.push(`${where}: points outside the repository`);
        continue;
      }
      if (!existsSync(file)) {
        problems.push(`${where}: ${relative(root, file)} does not exist`);
        continue;
      }
      if (anchor === undefined || !file.endsWith('.md')) continue;
      anchors++;
      let known = anchorCache.get(file);
      if (known === undefined) {
        known = markdownAnchors(readFileSync(file, 'utf8'));
        anchorCache.set(file, known);
      }
      if (!known.has(decodeURIComponent(anchor))) problems.push(`${where}: ${relative(root, file)} has no heading or anchor "${anchor}"`);
    }
  }
  return { problems, checked, anchors };
}

/** One PromQL example of a document. */
export interface PromqlExample {
  /** The query, its lines joined by newlines. */
  readonly expr: string;
  /** 1-based line number of its first line. */
  readonly line: number;
}

/**
 * The queries of the ` ```promql ` blocks of a Markdown document. In such a block a query
 * is a run of lines; blank lines and `#` comment lines end it.
 */
export function promqlExamples(markdown: string): PromqlExample[] {
  const out: PromqlExample[] = [];
  let inBlock = false;
  let current: { lines: string[]; line: number } | undefined;
  const end = (): void => {
    if (current) out.push({ expr: current.lines.join('\n'), line: current.line });
    current = undefined;
  };
  markdown.split('\n').forEach((text, i) => {
    if (!inBlock) {
      inBlock = /^\s{0,3}```promql\s*$/.test(text);
      return;
    }
    if (/^\s{0,3}```\s*$/.test(text)) {
      end();
      inBlock = false;
    } else if (text.trim() === '' || text.trimStart().startsWith('#')) end();
    else if (current) current.lines.push(text);
    else current = { lines: [text], line: i + 1 };
  });
  return out;
}

/** Every PromQL example of the user docs, with where it stands (`README.md:277`). */
export function docExamples(root: string = ROOT): Array<{ where: string; expr: string }> {
  return userDocs(root).flatMap((doc) => promqlExamples(readFileSync(join(root, doc), 'utf8')).map((e) => ({ where: `${doc}:${e.line}`, expr: e.expr })));
}

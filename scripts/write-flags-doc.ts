/**
 * `npm run docs:flags`: rewrites the generated flag table of the docs from
 * `renderFlagsMarkdown()`, the same flag table `--help` is rendered from.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { flagsMarkdown } from '../src/cli-flags.js';
import { FLAGS_DOC, replaceFlagsBlock } from './flags-doc.js';

const file = new URL(`../${FLAGS_DOC}`, import.meta.url);
try {
  const before = readFileSync(file, 'utf8');
  const after = replaceFlagsBlock(before, flagsMarkdown());
  if (after === before) {
    console.log(`${FLAGS_DOC}: up to date`);
  } else {
    writeFileSync(file, after);
    console.log(`${FLAGS_DOC}: flag table rewritten`);
  }
} catch (err) {
  console.error(`docs:flags: ${FLAGS_DOC}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

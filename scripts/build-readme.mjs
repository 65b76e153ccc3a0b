// Expands `<!-- include: docs/fragments/NAME.md -->` … `<!-- end include -->` blocks in
// README.md with the current fragment files. `--check` exits 1 when README.md is out of date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');
const out = readme.replace(/<!-- include: (\S+) -->\n[\s\S]*?<!-- end include -->/g, (_m, file) => {
  if (!existsSync(file)) {
    console.error(`README.md includes ${file}, which does not exist`);
    process.exitCode = 1;
    return `<!-- include: ${file} -->\n<!-- end include -->`;
  }
  const body = readFileSync(file, 'utf8').replace(/^<!--.*-->\n+/, '').trimEnd();
  return `<!-- include: ${file} -->\n${body}\n<!-- end include -->`;
});
if (process.argv.includes('--check')) {
  if (out !== readme) {
    console.error('README.md is out of date with docs/fragments: run node scripts/build-readme.mjs');
    process.exit(1);
  }
} else {
  writeFileSync('README.md', out);
}

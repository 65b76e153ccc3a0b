/**
 * `npm run gen:rules`: writes every alert's `runbook_url` (its docs/runbook.md section under
 * `DOCS_BASE_URL` of src/lib/docs-links.ts) and `runbook` (the section's first steps) into
 * prometheus/rules/*.yml and the expected alerts of their unit tests, then the Kubernetes
 * copies that derive from the rules (as `npm run gen:kubernetes`).
 */
import { fileURLToPath } from 'node:url';
import { GENERATED_DIR, kubernetesFiles } from './kubernetes-files.js';
import { RULES_DIR, rulesFiles } from './rules-files.js';
import { writeFiles } from './write-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));

try {
  if (writeFiles(root, rulesFiles(root)) === 0) console.log(`${RULES_DIR}: up to date`);
  if (writeFiles(root, kubernetesFiles(root), GENERATED_DIR) === 0) console.log(`${GENERATED_DIR}: up to date`);
} catch (err) {
  console.error(`gen:rules: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

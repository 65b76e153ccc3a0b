/**
 * `npm run gen:kubernetes`: writes the kustomize base's generated files (PrometheusRules
 * from prometheus/rules/*.yml, the Grafana dashboards for their ConfigMap) and removes
 * generated files whose source is gone. `npm run gen:rules` does this too, after the rules'
 * runbook annotations.
 */
import { fileURLToPath } from 'node:url';
import { GENERATED_DIR, kubernetesFiles } from './kubernetes-files.js';
import { writeFiles } from './write-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));

try {
  if (writeFiles(root, kubernetesFiles(root), GENERATED_DIR) === 0) console.log(`${GENERATED_DIR}: up to date`);
} catch (err) {
  console.error(`gen:kubernetes: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}

/**
 * Where the documentation is published, in one place: the status page links its docs there,
 * and `npm run gen:rules` writes every alert's `runbook_url` annotation (in
 * `prometheus/rules/` and the Kubernetes PrometheusRule) from it.
 */

/**
 * The URL under which the repository's files are served, ending in `/`:
 * `${DOCS_BASE_URL}docs/runbook.md` is the runbook. Point it at your own copy of the
 * repository (a fork, an internal Git server) and run `npm run gen:rules`.
 */
export const DOCS_BASE_URL = 'https://github.com/vmc-exporter/vmc-exporter/blob/main/';

/** The runbook section of `alert`: `docs/runbook.md#<alert in lower case>` under `base`. */
export function runbookUrl(alert: string, base: string = DOCS_BASE_URL): string {
  return `${base}docs/runbook.md#${alert.toLowerCase()}`;
}

/** The PromQL selector scanner the integration test relies on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricSelectors } from './lib/promql.js';

const cases: Array<[string, string[]]> = [
  ['vmc_up == 0', ['vmc_up']],
  ['absent(up{job="vmc"})', ['up{job="vmc"}']],
  ['time() - vmc_last_success_timestamp_seconds > 300', ['vmc_last_success_timestamp_seconds']],
  [
    'sum by (org_id) (increase(x_total{result="a}b"}[15m])) > 0 unless on (org_id) sum without (le) (y)',
    ['x_total{result="a}b"}', 'y'],
  ],
  [
    '(a{state="FAILED"} == 1) * on (org_id, sddc_id) group_left (sddc_name) b_info',
    ['a{state="FAILED"}', 'b_info'],
  ],
  ['max_over_time(sum by (o) (h)[1h:1m]) - sum by (o) (h) offset 5m > 7 * 86400', ['h', 'h']],
  ['histogram_quantile(0.95, sum by (le) (rate(d_bucket{o=~"$org|"}[$__rate_interval])))', ['d_bucket{o=~"$org|"}']],
  ['{__name__=~"vmc_.+"} and bool vmc_x # a comment with some_metric', ['{__name__=~"vmc_.+"}', 'vmc_x']],
  ['label_replace(m, "dst", "$1", "src", "(.*)")', ['m']],
];

for (const [expr, expected] of cases) {
  test(`selectors of ${expr}`, () => assert.deepEqual(metricSelectors(expr), expected));
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { parseExposition, parseValue } from './exposition.js';

describe('parseExposition', () => {
  test('the text format: metadata, escaped label values, special values, timestamps, series as written', () => {
    const e = parseExposition(
      [
        '# HELP vmc_up Whether the last collection worked (1) or not (0); a back\\\\slash and a line\\nfeed.',
        '# TYPE vmc_up gauge',
        'vmc_up{org_id="o-1"} 1',
        'vmc_up{org_id="o-2",} 0 1700000000000',
        '# a free comment',
        '',
        'vmc_sddc_info{org_id="o-1",sddc_name="say \\"hi\\"\\\\ \\n twice"} 1',
        'x{a="+Inf"} +Inf',
        'x{a="-Inf"} -Inf',
        'x{a="NaN"} Nan',
        'y 1.5e3',
        '',
      ].join('\n'),
    );
    assert.equal(e.eof, false);
    assert.deepEqual(e.families.get('vmc_up'), { name: 'vmc_up', help: 'Whether the last collection worked (1) or not (0); a back\\slash and a line\nfeed.', type: 'gauge' });
    assert.equal(e.value('vmc_up', { org_id: 'o-1' }), 1);
    assert.deepEqual(e.all('vmc_up')[1], { name: 'vmc_up', labels: { org_id: 'o-2' }, value: 0, timestamp: 1_700_000_000_000, series: 'vmc_up{org_id="o-2",}', family: 'vmc_up' });
    assert.equal(e.all('vmc_sddc_info')[0]?.labels['sddc_name'], 'say "hi"\\ \n twice');
    assert.deepEqual(
      e.all('x').map((s) => s.value),
      [Infinity, -Infinity, NaN],
    );
    assert.equal(e.value('y'), 1500);
    assert.equal(e.all('y')[0]?.family, undefined, 'no TYPE line, no family');
    assert.deepEqual([...e.series.keys()], ['vmc_up{org_id="o-1"}', 'vmc_up{org_id="o-2",}', 'vmc_sddc_info{org_id="o-1",sddc_name="say \\"hi\\"\\\\ \\n twice"}', 'x{a="+Inf"}', 'x{a="-Inf"}', 'x{a="NaN"}', 'y']);
  });

  test('OpenMetrics: # EOF, # UNIT, counters and histograms by family, exemplars, a quote escaped in HELP', () => {
    const e = parseExposition(
      [
        '# HELP vmc_api_requests Upstream requests, "quoted".',
        '# TYPE vmc_api_requests counter',
        'vmc_api_requests_total{endpoint="sddcs",code="200"} 3 # {trace_id="abc"} 1 1700000000.5',
        '# HELP vmc_scrape_duration_seconds Scrape time.',
        '# TYPE vmc_scrape_duration_seconds histogram',
        '# UNIT vmc_scrape_duration_seconds seconds',
        'vmc_scrape_duration_seconds_bucket{le="+Inf"} 2',
        'vmc_scrape_duration_seconds_count 2',
        'vmc_scrape_duration_seconds_sum 0.25 1700000000.125',
        '# EOF',
        '',
      ].join('\n'),
    );
    assert.equal(e.eof, true);
    assert.equal(e.families.get('vmc_api_requests')?.help, 'Upstream requests, "quoted".');
    assert.equal(e.families.get('vmc_scrape_duration_seconds')?.unit, 'seconds');
    assert.deepEqual(
      e.samples.map((s) => [s.name, s.family]),
      [
        ['vmc_api_requests_total', 'vmc_api_requests'],
        ['vmc_scrape_duration_seconds_bucket', 'vmc_scrape_duration_seconds'],
        ['vmc_scrape_duration_seconds_count', 'vmc_scrape_duration_seconds'],
        ['vmc_scrape_duration_seconds_sum', 'vmc_scrape_duration_seconds'],
      ],
    );
    assert.equal(e.value('vmc_api_requests_total', { code: '200' }), 3);
    assert.equal(e.value('vmc_scrape_duration_seconds_bucket', { le: '+Inf' }), 2);
    assert.equal(e.all('vmc_scrape_duration_seconds_sum')[0]?.timestamp, 1_700_000_000.125);
  });

  test("prom-client's own output: the same samples in both formats, each in a family its TYPE line declares", async () => {
    const self = new SelfMetrics('1.2.3', false);
    self.requestDone('sddcs', '200', 0.1);
    self.tokenRequested('o-1', 'success', 0.2);
    const text = parseExposition(await self.render('text'), { format: 'text' });
    const om = parseExposition(await self.render('openmetrics'), { format: 'openmetrics' });
    const strip = (s: { name: string; labels: Readonly<Record<string, string>>; value: number }) => ({ name: s.name, labels: s.labels, value: s.value });
    assert.deepEqual(om.samples.map(strip), text.samples.map(strip));
    assert.equal(text.value('vmc_api_requests_total', { endpoint: 'sddcs', code: '200' }), 1);
    for (const s of om.samples) assert.ok(s.family !== undefined && om.families.get(s.family)?.type !== undefined, s.name);
    assert.equal(om.families.get('vmc_api_requests')?.type, 'counter', 'OpenMetrics names the counter family without _total');
    assert.equal(text.families.get('vmc_api_requests_total')?.type, 'counter', 'the text format names it with _total');
  });

  test("the exporter's golden output: every line read, every sample in a family its TYPE line declares", () => {
    const e = parseExposition(readFileSync(new URL('../fixtures/golden/demo.prom', import.meta.url), 'utf8'), { format: 'text' });
    assert.ok(e.samples.length > 100);
    for (const s of e.samples) assert.ok(s.family !== undefined, `${s.series} has no family`);
    assert.ok(e.all('vmc_up').length > 0 && e.all('vmc_up').every((s) => s.value === 1));
  });

  test('names: only the samples of those metrics are parsed', () => {
    const e = parseExposition('a{x="1"} 1\nab 2\nb 3\nc{broken 4\n', { names: ['a', 'b'] });
    assert.deepEqual(
      e.samples.map((s) => s.series),
      ['a{x="1"}', 'b'],
    );
  });

  test('refuses what is not exposition text, naming the line', () => {
    for (const [text, why] of [
      ['vmc_up{org_id="o"}', /line 1: expected a value/],
      ['vmc_up{org_id="o} 1', /unterminated value/],
      ['vmc_up{org_id=o} 1', /expected ="/],
      ['vmc_up{org_id="o"} one', /not a number/],
      ['vmc_up{org_id="o"} 0x10', /not a number/],
      ['vmc_up{org_id="o\\t"} 1', /bad escape/],
      ['vmc_up{a="1",a="2"} 1', /repeated/],
      ['<html>', /no metric name/],
      ['# TYPE x colour', /unknown type/],
      ['ok 1\n# EOF\nlate 1\n# EOF', /line 3: text after # EOF/],
    ] as const) {
      assert.throws(() => parseExposition(text), why, text);
    }
    assert.throws(() => parseExposition('# HELP x a \\"quote\\"\nx 1\n', { format: 'text' }), /bad escape/, 'no quote escape in text-format HELP');
    assert.throws(() => parseExposition('x 1\n', { format: 'openmetrics' }), /without # EOF/);
  });
});

describe('parseValue', () => {
  test('Go ParseFloat spellings', () => {
    assert.deepEqual(['1', '-2.5', '.5', '1e-3', '+Inf', 'inf', '-INF'].map(parseValue), [1, -2.5, 0.5, 0.001, Infinity, Infinity, -Infinity]);
    assert.ok(Number.isNaN(parseValue('nan')));
    for (const bad of ['', ' 1', '1,5', '0x1', 'Infinity']) assert.throws(() => parseValue(bad), /not a number/, bad);
  });
});

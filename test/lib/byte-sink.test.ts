import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ByteSink } from '../../src/lib/byte-sink.js';

describe('ByteSink', () => {
  test('holds the UTF-8 bytes of the lines pushed, in order, in a buffer of exactly that size', () => {
    const sink = new ByteSink();
    const lines = ['a{x="1"} 1\n', 'b{name="Zürich – 東京 🚀"} 2\n', '', 'c 3\n'];
    for (const line of lines) sink.push(line);
    const expected = Buffer.from(lines.join(''), 'utf8');
    assert.equal(sink.length, expected.length);
    assert.deepEqual(sink.bytes(), expected);
  });

  test('grows past its first buffer, also for one line larger than all before', () => {
    const sink = new ByteSink();
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(`vmc_host_state{host_id="h-${i}",state="READY"} 1\n`);
    lines.push(`${'é'.repeat(100_000)}\n`);
    for (const line of lines) sink.push(line);
    assert.deepEqual(sink.bytes(), Buffer.from(lines.join(''), 'utf8'));
  });

  test('is empty until something is pushed', () => {
    const sink = new ByteSink();
    assert.equal(sink.length, 0);
    assert.equal(sink.bytes().length, 0);
  });
});

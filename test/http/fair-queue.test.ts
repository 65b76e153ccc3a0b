import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FairQueue, QueueAbortedError, QueueFullError } from '../../src/http/fair-queue.js';

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FairQueue', () => {
  const deferred = () => {
    let resolve!: (v: string) => void;
    const promise = new Promise<string>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('runs at most `concurrency` tasks and gives a new key the next slot', async () => {
    const q = new FairQueue({ concurrency: 2, maxQueuedPerKey: 10, maxKeys: 10 });
    const started: string[] = [];
    const tasks = new Map<string, ReturnType<typeof deferred>>();
    const add = (key: string, name: string) => {
      const d = deferred();
      tasks.set(name, d);
      return q.run(key, () => {
        started.push(name);
        return d.promise;
      });
    };
    const results = [add('a', 'a1'), add('a', 'a2'), add('a', 'a3'), add('a', 'a4'), add('b', 'b1')];
    assert.deepEqual(started, ['a1', 'a2']);
    assert.equal(q.running, 2);
    assert.equal(q.waiting(), 3);
    tasks.get('a1')?.resolve('A1');
    await settle();
    assert.deepEqual(started, ['a1', 'a2', 'b1']);
    tasks.get('b1')?.resolve('B1');
    tasks.get('a2')?.resolve('A2');
    await settle();
    tasks.get('a3')?.resolve('A3');
    tasks.get('a4')?.resolve('A4');
    assert.deepEqual(await Promise.all(results), ['A1', 'A2', 'A3', 'A4', 'B1']);
    assert.equal(q.running, 0);
  });

  it('refuses beyond the bounds and removes aborted tasks', async () => {
    const q = new FairQueue({ concurrency: 1, maxQueuedPerKey: 2, maxKeys: 1 });
    const d = deferred();
    const first = q.run('a', () => d.promise);
    const controller = new AbortController();
    const second = q.run('a', () => Promise.resolve('never'), controller.signal);
    await assert.rejects(q.run('a', () => Promise.resolve('x')), (e: unknown) => e instanceof QueueFullError && e.reason === 'key');
    await assert.rejects(q.run('c', () => Promise.resolve('x')), (e: unknown) => e instanceof QueueFullError && e.reason === 'keys');
    controller.abort();
    await assert.rejects(second, QueueAbortedError);
    assert.equal(q.waiting(), 0);
    d.resolve('done');
    assert.equal(await first, 'done');
    assert.equal(await q.run('c', () => Promise.resolve('ok')), 'ok', 'bounds free up again');
  });
});

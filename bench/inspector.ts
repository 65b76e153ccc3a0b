/**
 * A minimal Chrome DevTools Protocol client for one job: forcing a full garbage collection
 * in a child started with `--inspect=127.0.0.1:0`, so that memory readings compare live
 * memory rather than wherever the GC sawtooth happens to be.
 */
import { WebSocket } from 'undici';

/** The `ws://` URL a child started with `--inspect` printed on stderr, if any yet. */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

/**
 * Connects to the inspector at `url`, runs `HeapProfiler.collectGarbage` (V8 collects all
 * available garbage and releases what it can) and disconnects.
 */
export function forceGc(url: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`inspector: no answer to collectGarbage within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.addEventListener('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    ws.addEventListener('message', (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; error?: { message?: string } };
      if (msg.id !== 1) return;
      clearTimeout(timer);
      ws.close();
      if (msg.error) reject(new Error(`inspector: ${msg.error.message ?? 'collectGarbage failed'}`));
      else resolve();
    });
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`inspector: cannot connect to ${url}`));
    });
  });
}

/**
 * Runs a full garbage collection (as {@link forceGc}) and then reads
 * `process.memoryUsage().heapUsed` in the same inspector session, before anything else runs
 * in the process: live heap only, without the garbage a scrape would allocate before its
 * `nodejs_heap_size_used_bytes` is read.
 */
export function heapUsedAfterGc(url: string, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`inspector: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.addEventListener('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    ws.addEventListener('message', (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; error?: { message?: string }; result?: { result?: { value?: unknown } } };
      if (msg.error && (msg.id === 1 || msg.id === 2)) {
        clearTimeout(timer);
        ws.close();
        reject(new Error(`inspector: ${msg.error.message ?? 'request failed'}`));
        return;
      }
      if (msg.id === 1) ws.send(JSON.stringify({ id: 2, method: 'Runtime.evaluate', params: { expression: 'process.memoryUsage().heapUsed', returnByValue: true } }));
      if (msg.id === 2) {
        clearTimeout(timer);
        ws.close();
        const value = msg.result?.result?.value;
        if (typeof value === 'number') resolve(value);
        else reject(new Error('inspector: process.memoryUsage() gave no number'));
      }
    });
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error(`inspector: cannot connect to ${url}`));
    });
  });
}

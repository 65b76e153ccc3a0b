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

/**
 * The baseline: a plain `node:http` server, run as its own child process, that serves
 * fixed bytes from memory on `GET /metrics` — the best an exporter serving a pre-rendered
 * body could do on this machine. Run as
 * `node --import tsx bench/baseline-server.ts <plain-file> <gzip-file>`; it prints
 * `{"url": "http://127.0.0.1:<port>"}` on stdout once it listens and serves until SIGTERM.
 *
 * A request with `Accept-Encoding: gzip` gets the gzip file's bytes with
 * `Content-Encoding: gzip`, any other request the plain file's bytes. Headers mirror the
 * exporter's (`Content-Type`, `Content-Length`, `Cache-Control`, `Vary`).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Content type the exporter serves (Prometheus text format 0.0.4). */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Starts the baseline server on 127.0.0.1 (any free port).
 * @param plain - body for requests without gzip
 * @param gzipped - body for requests that accept gzip
 */
export function startBaseline(plain: Buffer, gzipped: Buffer): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    const gzip = /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? gzipped : plain;
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPE,
      'Cache-Control': 'no-store',
      Vary: 'Accept-Encoding',
      'Content-Length': body.length,
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [plainFile, gzipFile] = process.argv.slice(2);
  if (plainFile === undefined || gzipFile === undefined) {
    process.stderr.write('usage: baseline-server.ts <plain-file> <gzip-file>\n');
    process.exit(2);
  }
  const server = await startBaseline(readFileSync(plainFile), readFileSync(gzipFile));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

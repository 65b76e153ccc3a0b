/**
 * A hostile CSP + VMC stand-in for leak tests: a loopback server that answers one chosen
 * endpoint with an error status whose body echoes what the request carried (the
 * `Authorization` header, the `csp-auth-token` header, the form body) and forms derived from
 * it (URL-encoded, form-encoded, base64), the way a careless upstream or proxy might. Every
 * other endpoint answers as the real one would, so the failing call is reached.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** CSP's OAuth token endpoint, its API-token endpoint, or VMC's SDDC list. */
export type EchoTarget = 'token' | 'api-token' | 'sddcs';

/** Options of {@link startEchoUpstream}. */
export interface EchoUpstreamOptions {
  /** The endpoint that fails. */
  readonly target: EchoTarget;
  /** Its status (401, 403, 429, 500, ...). */
  readonly status: number;
  /** The access token handed out by the token endpoints. */
  readonly accessToken: string;
}

/** A running echo upstream. */
export interface EchoUpstream {
  /** `http://127.0.0.1:<port>`, for both `--csp.url` and `--vmc.url`. */
  readonly url: string;
  /** Requests to the failing endpoint so far. */
  readonly echoed: () => number;
  close(): Promise<void>;
}

/** The string as `URLSearchParams` writes a value (`+` for spaces). */
export const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);
const base64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');

/** `value` and what a careless upstream might make of it. */
export function echoForms(value: string): string[] {
  return [value, encodeURIComponent(value), formEncode(value), base64(value)];
}

/** The credential a request carried (secret of a Basic header, API token of the form, access token). */
function presented(req: http.IncomingMessage, form: URLSearchParams): string[] {
  const out: string[] = [];
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    out.push(auth);
    const decoded = Buffer.from(auth.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) out.push(...echoForms(decoded.slice(colon + 1)).slice(1));
  }
  const token = req.headers['csp-auth-token'];
  if (typeof token === 'string') out.push(...echoForms(token));
  const apiToken = form.get('api_token');
  if (apiToken !== null) out.push(...echoForms(apiToken));
  return out;
}

/**
 * Starts the upstream on an ephemeral loopback port.
 *
 * @param opts - failing endpoint, its status and the access token to issue elsewhere
 */
export async function startEchoUpstream(opts: EchoUpstreamOptions): Promise<EchoUpstream> {
  let echoed = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const form = new URLSearchParams(raw);
      const path = (req.url ?? '').split('?')[0] ?? '';
      const target: EchoTarget | undefined = path.endsWith('/auth/token')
        ? 'token'
        : path.endsWith('/api-tokens/authorize')
          ? 'api-token'
          : /\/vmc\/api\/orgs\/[^/]+\/sddcs$/.test(path)
            ? 'sddcs'
            : undefined;
      res.setHeader('content-type', 'application/json');
      if (target === undefined) {
        res.statusCode = 404;
        res.end('{"message":"no such path"}');
        return;
      }
      if (target !== opts.target) {
        res.end(target === 'sddcs' ? '[]' : JSON.stringify({ access_token: opts.accessToken, expires_in: 1799 }));
        return;
      }
      echoed++;
      // Every echo fits the parts of an error body the exporter keeps (message: 200
      // characters, code: 100): the derived forms in the message, the raw credential again
      // in the code, and the raw form body where there is one.
      const forms = presented(req, form);
      res.statusCode = opts.status;
      if (opts.status === 429) res.setHeader('retry-after', '0');
      if (target === 'sddcs') {
        res.end(JSON.stringify({ status: opts.status, path, retryable: false, error_code: forms[0] ?? 'x', error_messages: forms.map((f) => `got ${f}`) }));
      } else {
        const message = `rejected ${forms.join(' ')} body ${raw}`;
        res.end(JSON.stringify({ statusCode: opts.status, cspErrorCode: forms[0] ?? 'x', message, moduleCode: 250, requestId: 'r1' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    echoed: () => echoed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

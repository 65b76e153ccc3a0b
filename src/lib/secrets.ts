/**
 * Keeps the secret values the process knows (client secret, API token, access tokens) so
 * that any text leaving the process (logs, error messages) can be scrubbed of them, even
 * when an upstream error body echoes part of a credential back.
 *
 * A credential travels encoded, and an upstream may echo it the way it received it: every
 * value is registered with its derived forms (see {@link derivedForms}), and an OAuth app
 * also with its HTTP Basic value (see {@link SecretRegistry.addBasicCredentials}).
 */

/** Replacement text for a scrubbed secret. */
export const REDACTED = '[REDACTED]';

/** How many access tokens to remember by default (current and a few previous ones). */
const MAX_TOKENS = 16;
/**
 * How many of the most recent access tokens are also scrubbed of fragments (runs taken from
 * them); older ones are still scrubbed whole and in every form. Fragment scrubbing costs time
 * per token and character, and an exporter probing hundreds of orgs holds hundreds of tokens.
 */
const FRAGMENT_TOKENS = 16;
/** Shortest fragment of a secret that is scrubbed (CSP echoes the last 5 characters of a token). */
const FRAGMENT = 5;
/** A fragment at least this long is scrubbed whatever it looks like. */
const LONG_FRAGMENT = 8;
/** Shorter fragments are scrubbed only when they look random (a digit or a capital letter), so words a secret happens to contain ("secret-") are left alone. */
const RANDOM_LOOKING = /[0-9A-Z]/;
/** CSP's way of echoing part of a credential: `xxxx...tN3NK`. */
const ELLIPSIS_ECHO = /\.{3}(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{3,}/g;

/** Shortest value registered; shorter ones would mask ordinary text. */
const MIN_SECRET = 4;

/** The value as `URLSearchParams` (an `application/x-www-form-urlencoded` body) writes it. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** The value's URL-encoded and form-encoded forms, itself included. */
function encodings(value: string): string[] {
  return [value, encodeURIComponent(value), formEncode(value)];
}

/**
 * The forms in which `value` may be sent and echoed back: as is, URL-encoded
 * (`encodeURIComponent`), form-encoded (`URLSearchParams`, `+` for spaces), base64 and
 * base64url of its UTF-8 bytes. Each distinct form once, the value first.
 *
 * @param value - a secret or token
 * @returns the distinct forms
 */
export function derivedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [...new Set([...encodings(value), bytes.toString('base64'), bytes.toString('base64url')])];
}

/**
 * The HTTP Basic credentials value for `user` and `password`: base64 of their UTF-8 bytes
 * joined by `:` (what follows `Basic ` in the `Authorization` header).
 */
export function basicCredentials(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/** A registry of secret values plus the scrubbing function that uses them. */
export class SecretRegistry {
  readonly #maxTokens: number;
  #fixed = new Set<string>();
  /** Forms of each remembered access token, oldest token first. */
  #tokens: Array<{ readonly token: string; readonly forms: readonly string[] }> = [];
  /** Every form, longest first (so a form is replaced before one it contains); rebuilt on change. */
  #sorted: string[] | undefined;
  /** The forms scrubbed of fragments too: long-lived secrets and the recent tokens. */
  #fragmentForms: string[] | undefined;

  /**
   * @param opts - `maxTokens`: access tokens remembered (two per org the exporter may hold a
   *   token for is plenty: the current one and the one before). @default 16
   */
  constructor(opts: { maxTokens?: number } = {}) {
    this.#maxTokens = Math.max(MAX_TOKENS, opts.maxTokens ?? MAX_TOKENS);
  }

  /**
   * Remembers a long-lived secret (client secret, API token) with its {@link derivedForms}.
   * Values shorter than 4 characters are ignored.
   */
  add(secret: string): void {
    if (secret.length < MIN_SECRET) return;
    for (const form of derivedForms(secret)) this.#fixed.add(form);
    this.#changed();
  }

  #changed(): void {
    this.#sorted = undefined;
    this.#fragmentForms = undefined;
  }

  /**
   * Remembers an OAuth app's credentials: the secret (as {@link add}) and the HTTP Basic value
   * `base64(clientId:secret)` with its URL- and form-encoded forms, so an upstream echoing the
   * `Authorization` header leaks neither.
   *
   * @param clientId - the app id (not secret itself)
   * @param secret - the app secret
   */
  addBasicCredentials(clientId: string, secret: string): void {
    if (secret.length < MIN_SECRET) return;
    this.add(secret);
    for (const form of encodings(basicCredentials(clientId, secret))) this.#fixed.add(form);
    this.#changed();
  }

  /**
   * Remembers an access token with its {@link derivedForms}; only the most recent `maxTokens`
   * tokens (and their forms) are kept.
   */
  addToken(token: string): void {
    if (token.length < MIN_SECRET || this.#tokens.some((t) => t.token === token)) return;
    this.#tokens.push({ token, forms: derivedForms(token) });
    if (this.#tokens.length > this.#maxTokens) this.#tokens.shift();
    this.#changed();
  }

  /** Number of access tokens remembered. */
  get tokenCount(): number {
    return this.#tokens.length;
  }

  /**
   * Forgets an access token and its forms (its org is no longer collected, so nothing will
   * send or echo it again). Unknown tokens are ignored.
   */
  removeToken(token: string): void {
    const kept = this.#tokens.filter((t) => t.token !== token);
    if (kept.length === this.#tokens.length) return;
    this.#tokens = kept;
    this.#changed();
  }

  /**
   * Returns `text` with every known secret and each of its forms, the runs of text taken
   * from one (see `scrubFragments`) and CSP-style partial echoes (`...tN3NK`) replaced by
   * {@link REDACTED}.
   */
  scrub(text: string): string {
    let out = text.replace(ELLIPSIS_ECHO, `...${REDACTED}`);
    const forms = (this.#sorted ??= [...new Set([...this.#fixed, ...this.#tokens.flatMap((t) => t.forms)])].sort((a, b) => b.length - a.length));
    for (const form of forms) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    const fragmentForms = (this.#fragmentForms ??= [...this.#fixed, ...this.#tokens.slice(-FRAGMENT_TOKENS).flatMap((t) => t.forms)].filter((f) => f.length >= 10));
    for (const form of fragmentForms) out = scrubFragments(out, form);
    return out;
  }
}

/**
 * Masks every run of `text` that also occurs in `secret` and is either long (LONG_FRAGMENT)
 * or at least FRAGMENT characters and random-looking.
 */
function scrubFragments(text: string, secret: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const window = text.slice(i, i + FRAGMENT);
    let end = i;
    if (window.length === FRAGMENT && secret.includes(window)) {
      end = i + FRAGMENT;
      while (end < text.length && secret.includes(text.slice(i, end + 1))) end++;
    }
    const run = text.slice(i, end);
    if (end > i && (run.length >= LONG_FRAGMENT || RANDOM_LOOKING.test(run))) {
      out += REDACTED;
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

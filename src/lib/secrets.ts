/**
 * Keeps the secret values the process knows (client secret, API token, access tokens) so
 * that any text leaving the process (logs, error messages) can be scrubbed of them, even
 * when an upstream error body echoes part of a credential back.
 */

/** Replacement text for a scrubbed secret. */
export const REDACTED = '[REDACTED]';

/** How many access tokens to remember (current and a few previous ones). */
const MAX_TOKENS = 16;
/** Shortest fragment of a secret that is scrubbed (CSP echoes the last 5 characters of a token). */
const FRAGMENT = 5;
/** A fragment at least this long is scrubbed whatever it looks like. */
const LONG_FRAGMENT = 8;
/** Shorter fragments are scrubbed only when they look random (a digit or a capital letter), so words a secret happens to contain ("secret-") are left alone. */
const RANDOM_LOOKING = /[0-9A-Z]/;
/** CSP's way of echoing part of a credential: `xxxx...tN3NK`. */
const ELLIPSIS_ECHO = /\.{3}(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{3,}/g;

/** A registry of secret values plus the scrubbing function that uses them. */
export class SecretRegistry {
  #fixed = new Set<string>();
  #tokens: string[] = [];

  /** Remembers a long-lived secret (client secret, API token). Short values are ignored. */
  add(secret: string): void {
    if (secret.length >= 4) this.#fixed.add(secret);
  }

  /** Remembers an access token; only the most recent {@link MAX_TOKENS} are kept. */
  addToken(token: string): void {
    if (token.length < 4 || this.#tokens.includes(token)) return;
    this.#tokens.push(token);
    if (this.#tokens.length > MAX_TOKENS) this.#tokens.shift();
  }

  /**
   * Returns `text` with every known secret, the runs of text taken from one (see
   * `scrubFragments`) and CSP-style partial echoes (`...tN3NK`) replaced by {@link REDACTED}.
   */
  scrub(text: string): string {
    let out = text.replace(ELLIPSIS_ECHO, `...${REDACTED}`);
    for (const secret of [...this.#fixed, ...this.#tokens]) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      if (secret.length < 10) continue;
      out = scrubFragments(out, secret);
    }
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

/**
 * Keeps the secret values the process knows (client secret, API token, access tokens) so
 * that any text leaving the process (logs, error messages) can be scrubbed of them, even
 * when an upstream error body echoes part of a credential back.
 */

/** Replacement text for a scrubbed secret. */
export const REDACTED = '[REDACTED]';

/** How many access tokens to remember (current and a few previous ones). */
const MAX_TOKENS = 16;
/** Length of the fragments of a secret that are also scrubbed (partial echoes). */
const FRAGMENT = 6;

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
   * Returns `text` with every known secret, and every run of {@link FRAGMENT} or more
   * characters taken from one, replaced by {@link REDACTED}.
   */
  scrub(text: string): string {
    let out = text;
    for (const secret of [...this.#fixed, ...this.#tokens]) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      if (secret.length < 2 * FRAGMENT) continue;
      out = scrubFragments(out, secret);
    }
    return out;
  }
}

/** Masks any substring of `text` of at least FRAGMENT characters that also occurs in `secret`. */
function scrubFragments(text: string, secret: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const window = text.slice(i, i + FRAGMENT);
    if (window.length === FRAGMENT && secret.includes(window)) {
      let end = i + FRAGMENT;
      while (end < text.length && secret.includes(text.slice(i, end + 1))) end++;
      out += REDACTED;
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

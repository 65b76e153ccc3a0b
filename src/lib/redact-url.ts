/**
 * Redaction of URL credentials for messages: a URL given on the command line may carry a user
 * name and password (`https://user:PASS@host`), and an error message that quotes the value
 * must not show them, whether or not the value parses as a URL.
 */

/** What replaces a user name and password. */
export const REDACTED_USERINFO = '***';

/**
 * Returns `value` safe to quote in a message:
 * - with an `@`: everything between the scheme's `://` (or the start, when there is none) and
 *   the last `@` becomes `***`: `ftp://user:PASS@host` → `ftp://***@host`,
 *   `user:PA SS@host` → `***@host`;
 * - without one, a `user:PASS` authority whose part after the colon is not a port number keeps
 *   the user and hides the rest of the authority: `https://user:PASS` → `https://user:***`
 *   (`https://host:8443` and `https://[::1]:8443` stay as they are).
 * Works on text that is not a valid URL (spaces, `/`, `#` or `@` in the password, a missing or
 * mistyped scheme); when in doubt it hides too much rather than too little.
 *
 * @param value - one URL-like value, as given
 * @returns the value with any credentials replaced by `***`
 */
export function redactUrlCredentials(value: string): string {
  const scheme = value.indexOf('://');
  const at = value.lastIndexOf('@');
  if (at >= 0) {
    const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    return `${value.slice(0, start)}${REDACTED_USERINFO}${value.slice(at)}`;
  }
  const start = scheme >= 0 ? scheme + 3 : 0;
  const rest = value.slice(start);
  const cut = rest.search(/[/?#\\]/);
  const authority = cut < 0 ? rest : rest.slice(0, cut);
  const colon = authority.indexOf(':');
  if (authority.startsWith('[') || colon < 0 || /^\d*$/.test(authority.slice(colon + 1))) return value;
  return `${value.slice(0, start + colon + 1)}${REDACTED_USERINFO}${rest.slice(authority.length)}`;
}
